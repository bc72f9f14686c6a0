"""The 一公开 portal on a 390 px phone, no login (Playwright + Debian Chromium, marker ``browser``): the demo's
published round → the index shows the sections → search a business by name → its published result → VERIFIED;
the logo leads back to the portal; the verifier downloads. No page scrolls sideways or logs a console error.

Screenshots of these pages (docs/screenshots/public-*.png) were taken on the `make run` demo database.
"""

import pytest

from .conftest import MOBILE

pytestmark = pytest.mark.browser


@pytest.fixture
def published_round(demo_accounts, settings):
    from apps.accounts.models import Township
    from apps.inspections.demo import demo_inspectors_seed
    from apps.inspections.demo_published import demo_published_seed
    from apps.inspections.models import InspectionResult
    from tests.inspections.factories import make_enterprise

    demo_inspectors_seed()
    xiashi = Township.objects.get(code="xiashi")
    for _ in range(8):
        make_enterprise(xiashi, business_type="catering")
    assert demo_published_seed()["published"] > 0
    return InspectionResult.objects.select_related("task__enterprise").order_by("pk").first()


def test_citizen_finds_a_published_result_on_a_phone(new_page, published_round):
    probe = new_page(MOBILE)
    page = probe.page
    name = published_round.task.enterprise.name

    page.goto(probe.url("/public/"))
    assert page.locator("#portal-section-inspection-results").is_visible()
    assert page.locator("#portal-section-draws").is_visible()
    assert probe.scroll_width() <= MOBILE["width"]

    page.fill("#lookup-q", name)
    with page.expect_navigation():
        page.click(".lookup-form button[type=submit]")
    card = page.locator(".lookup-card").filter(has_text=name)
    assert card.count() == 1
    assert probe.scroll_width() <= MOBILE["width"]

    with page.expect_navigation():
        card.locator(".lookup-records a").first.click()
    assert "VERIFIED" in page.locator("#result-verification").inner_text()
    assert probe.scroll_width() <= MOBILE["width"]

    with page.expect_navigation():
        page.click("#public-brand")
    assert page.url == probe.url("/public/")

    with page.expect_download() as download:
        page.click("#verifier-download")
    assert download.value.suggested_filename == "verify_draw.py"
    probe.assert_clean()


def test_unknown_and_overlong_searches_answer_in_chinese(new_page, published_round):
    probe = new_page(MOBILE)
    page = probe.page
    page.goto(probe.url("/public/enterprises/"))
    page.fill("#lookup-q", "不存在的企业名称")
    with page.expect_navigation():
        page.click(".lookup-form button[type=submit]")
    assert "没有找到" in page.locator("#lookup-empty").inner_text()
    page.fill("#lookup-q", "美" * 300)
    with page.expect_navigation():
        page.click(".lookup-form button[type=submit]")
    assert "查询词最多 100 个字" in page.locator("#lookup-q-error").inner_text()
    assert probe.scroll_width() <= MOBILE["width"]
