"""你点我检 and the publication of sampling results in a real browser, on the demo data (`make run`'s seed).

A citizen on a phone votes once (the second time the page says so), with no console errors (CSP: no inline JS) and
no horizontal scrolling at 390 px; the published results list and a result page; city staff's topic, adoption,
quick-test and publication pages. Screenshots (SAVE_SCREENSHOTS=1): docs/screenshots/sampling-publicity-*.png.
"""

import re

import pytest

from .conftest import DESKTOP, MOBILE, login, save_screenshot
from .test_list_filters import check_list

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(demo_accounts):
    from apps.accounts.models import Township
    from apps.sampling.publicity.demo import seed_demo
    from tests.factories.enterprises import EnterpriseFactory

    EnterpriseFactory.create_batch(8, township=Township.objects.get(code="xiashi"))
    seed_demo()
    return demo_accounts


def _fits(probe, width):
    assert probe.scroll_width() <= width, f"horizontal scrolling: {probe.scroll_width()} > {width}"


def test_a_citizen_votes_once_on_a_phone(new_page, demo):
    from apps.sampling.models import VoteTopic

    topic = VoteTopic.objects.get(title="小龙虾重金属（镉）")
    before = topic.vote_count
    probe = new_page(MOBILE)
    page = probe.page
    page.goto(probe.url("/public/sampling/votes/"))
    _fits(probe, MOBILE["width"])
    save_screenshot(probe, "sampling-publicity-votes-390.png")
    card = page.locator(f"#topic-{topic.pk}")
    with page.expect_navigation():
        card.locator("button[type=submit]").click()
    assert "投票成功" in page.locator(".app-messages").inner_text()
    card = page.locator(f"#topic-{topic.pk}")
    assert card.locator(f'[data-testid="count-{topic.pk}"]').inner_text().startswith(str(before + 1))
    assert "您已投票" in card.inner_text() and card.locator("button").count() == 0
    save_screenshot(probe, "sampling-publicity-voted-390.png")
    # the same browser posting again (an old tab): a friendly refusal, nothing counted
    page.go_back()
    page.goto(probe.url("/public/sampling/votes/"))
    topic.refresh_from_db()
    assert topic.vote_count == before + 1
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["hn_voter"]["httpOnly"] and cookies["hn_voter"]["sameSite"] == "Lax"
    probe.assert_clean()


def test_the_vote_page_and_results_on_the_desktop(new_page, demo):
    probe = new_page(DESKTOP)
    page = probe.page
    page.goto(probe.url("/public/sampling/votes/"))
    assert "已列入抽检计划" in page.inner_text("main") and "快检" in page.inner_text("#adopted-topics ~ ul")
    save_screenshot(probe, "sampling-publicity-votes-1366.png")
    page.goto(probe.url("/public/sampling/results/"))
    assert "韭菜（散装）" in page.inner_text("#public-sampling-results")
    save_screenshot(probe, "sampling-publicity-results-1366.png")
    page.click("text=韭菜（散装）")
    assert "立案调查" in page.inner_text("#public-result")
    save_screenshot(probe, "sampling-publicity-result-1366.png")
    mobile = new_page(MOBILE)
    mobile.page.goto(page.url)
    _fits(mobile, MOBILE["width"])
    save_screenshot(mobile, "sampling-publicity-result-390.png")
    mobile.page.goto(mobile.url("/public/sampling/results/"))
    _fits(mobile, MOBILE["width"])
    save_screenshot(mobile, "sampling-publicity-results-390.png")
    probe.assert_clean()
    mobile.assert_clean()


@pytest.mark.parametrize("viewport", [DESKTOP, MOBILE], ids=["1366", "390"])
def test_city_staff_pages(new_page, demo, viewport):
    from apps.sampling.models import Sample, VoteTopic

    width = viewport["width"]
    probe = new_page(viewport)
    page = probe.page
    login(probe, "shiju")
    page.goto(probe.url("/sampling/topics/"))
    _fits(probe, width)
    save_screenshot(probe, f"sampling-publicity-topics-{width}.png")
    closed = VoteTopic.objects.get(title="散装熟食菌落总数")
    page.goto(probe.url(f"/sampling/topics/{closed.pk}/adopt/"))
    assert "确认列入计划" in page.inner_text("main")
    _fits(probe, width)
    save_screenshot(probe, f"sampling-publicity-adopt-confirm-{width}.png")
    adopted = VoteTopic.objects.get(status="adopted")
    page.goto(probe.url(f"/sampling/topics/{adopted.pk}/"))
    save_screenshot(probe, f"sampling-publicity-topic-{width}.png")
    page.goto(probe.url("/sampling/publications/"))
    _fits(probe, width)
    assert re.search(r"\d", page.inner_text('[data-testid="count-overdue"]'))
    save_screenshot(probe, f"sampling-publicity-publications-{width}.png")
    pending = Sample.objects.filter(published_at__isnull=True, is_quick_test=False).order_by("publish_due").last()
    page.goto(probe.url(f"/sampling/publications/{pending.pk}/publish/"))
    assert "确认公开" in page.inner_text("main")
    save_screenshot(probe, f"sampling-publicity-publish-confirm-{width}.png")
    quick = Sample.objects.get(is_quick_test=True)
    page.goto(probe.url(f"/sampling/quick-tests/{quick.pk}/"))
    assert "异议期至" in page.inner_text("main")
    _fits(probe, width)
    save_screenshot(probe, f"sampling-publicity-quick-test-{width}.png")
    probe.assert_clean()


def test_the_publication_list_filters_like_a_browser_submits_them(new_page, demo):
    from apps.sampling.models import Sample

    probe = new_page(DESKTOP)
    login(probe, "shiju")
    total = Sample.objects.filter(is_quick_test=False, concluded_at__isnull=False).count()
    published = Sample.objects.filter(published_at__isnull=False).count()
    check_list(
        probe,
        "/sampling/publications/",
        lambda page: page.select_option("#p-status", "published"),
        total,
        published,
    )
    check_list(
        probe,
        "/sampling/topics/",
        lambda page: page.select_option("#t-status", "adopted"),
        6,
        1,
    )
