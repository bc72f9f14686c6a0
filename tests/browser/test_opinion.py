"""舆情 in a real browser: city staff on a phone (390 px) record an event, confirm the suggested registry business,
assess, record an action, respond and close — no horizontal scrolling, no console errors (CSP: no inline JS). The
pages at 1366 and 390 px on the demo data, and the list's untouched filter form. Screenshots (SAVE_SCREENSHOTS=1):
docs/screenshots/opinion-*.png."""

import pytest

from .conftest import DESKTOP, MOBILE, login, save_screenshot
from .test_list_filters import check_list

pytestmark = pytest.mark.browser


def _fits(probe, width):
    assert probe.scroll_width() <= width, f"horizontal scrolling: {probe.scroll_width()} > {width}"


@pytest.fixture
def demo(demo_accounts):
    from apps.accounts.models import Township
    from apps.incidents.opinion.demo import seed_demo
    from tests.inspections.factories import make_enterprise

    xiashi = Township.objects.get(code="xiashi")
    make_enterprise(xiashi, name="海宁老街面馆", business_address="硖石街道西山路 18 号")
    seed_demo()
    return demo_accounts


def test_record_to_close_at_390(new_page, demo):
    from apps.accounts.models import Township
    from apps.incidents.models import OpinionEvent

    probe = new_page(MOBILE)
    page = probe.page
    login(probe, "shiju")
    page.goto(probe.url("/incidents/opinion/new/"))
    _fits(probe, MOBILE["width"])
    save_screenshot(probe, "opinion-form-390.png")
    page.fill("#id_title", "网传面馆后厨卫生差")
    page.select_option("#id_source", "online")
    page.fill("#id_source_detail", "https://bbs.example.cn/t/42")
    page.fill("#id_content", "网友称海宁老街面馆后厨脏乱，配有照片。")
    page.fill("#id_address", "硖石街道西山路18号")
    page.select_option("#id_township", str(Township.objects.get(code="xiashi").pk))
    with page.expect_navigation():
        page.click("#opinion-form button[type=submit]")
    event = OpinionEvent.objects.get(title="网传面馆后厨卫生差")
    assert page.url.endswith(f"/incidents/opinion/{event.pk}/")
    suggestion = page.locator("#suggestion-list li", has_text="海宁老街面馆")
    assert "地址一致" in suggestion.inner_text()
    _fits(probe, MOBILE["width"])
    save_screenshot(probe, "opinion-detail-new-390.png")
    with page.expect_navigation():
        suggestion.locator("button[type=submit]").click()
    assert "海宁老街面馆" in page.locator("#linked-list").inner_text()
    page.select_option("#id_assess-heat", "4")
    page.select_option("#id_assess-risk", "high")
    with page.expect_navigation():
        page.click("form[action$='/assess/'] button[type=submit]")
    page.fill("#id_action-text", "通知硖石街道现场核查")
    with page.expect_navigation():
        page.click("form[action$='/actions/'] button[type=submit]")
    assert "通知硖石街道现场核查" in page.locator("#action-table").inner_text()
    # a response dated before the discovery: a Chinese refusal, nothing lost
    page.fill("#id_respond-responded_at", "2020-01-01T08:00")
    page.fill("#id_respond-response_text", "已发布核查情况")
    page.click("form[action$='/respond/'] button[type=submit]")
    page.wait_for_selector("#step-error")
    assert "回应时间不能早于发现时间" in page.locator("#step-error").inner_text()
    assert page.locator("#id_respond-response_text").input_value() == "已发布核查情况"
    assert probe.console_errors == ["Failed to load resource: the server responded with a status of 400 (Bad Request)"]
    probe.console_errors.clear()  # that 400 was the refusal asked for
    page.fill("#id_respond-responded_at", "")
    with page.expect_navigation():
        page.click("form[action$='/respond/'] button[type=submit]")
    assert page.locator("#clock-state").inner_text() == "按时回应"
    page.fill("#id_close-closing_summary", "现场核查属实，已责令整改，舆情平息。")
    with page.expect_navigation():
        page.click("form[action$='/close/'] button[type=submit]")
    assert page.locator("#status-badge").inner_text() == "已关闭"
    _fits(probe, MOBILE["width"])
    save_screenshot(probe, "opinion-detail-closed-390.png")
    probe.assert_clean()


@pytest.mark.parametrize("viewport,suffix", [(DESKTOP, "1366"), (MOBILE, "390")])
def test_pages_on_the_demo_data(new_page, demo, viewport, suffix):
    from apps.incidents.models import OpinionEvent
    from apps.incidents.opinion import services

    probe = new_page(viewport)
    page = probe.page
    login(probe, "shiju")
    page.goto(probe.url("/incidents/opinion/"))
    assert page.locator("#opinion-table tbody tr").count() == 4
    _fits(probe, viewport["width"])
    save_screenshot(probe, f"opinion-list-{suffix}.png")
    handling = OpinionEvent.objects.get(status="handling")
    page.goto(probe.url(f"/incidents/opinion/{handling.pk}/"))
    assert page.locator("#clock-state").inner_text() == "已超期未回应"
    _fits(probe, viewport["width"])
    save_screenshot(probe, f"opinion-detail-{suffix}.png")
    pending = OpinionEvent.objects.get(status="pending")  # names the registry business of its township
    page.goto(probe.url(f"/incidents/opinion/{pending.pk}/"))
    assert "海宁老街面馆" in page.locator("#suggestion-list").inner_text()
    _fits(probe, viewport["width"])
    save_screenshot(probe, f"opinion-detail-suggestions-{suffix}.png")
    from apps.accounts.models import User
    from apps.enterprises.models import Enterprise

    shop = Enterprise.objects.get(name="海宁老街面馆")
    services.enterprise_link(actor=User.objects.get(username="shiju"), event_id=pending.pk, enterprise_id=shop.pk)
    page.goto(probe.url(f"/incidents/opinion/{pending.pk}/spawn-inspection/"))
    _fits(probe, viewport["width"])
    save_screenshot(probe, f"opinion-spawn-inspection-{suffix}.png")
    probe.assert_clean()


def test_opinion_list_filters(new_page, demo):
    probe = new_page(DESKTOP)
    login(probe, "shiju")
    check_list(probe, "/incidents/opinion/", lambda page: page.select_option("#id_response", "pending"), 4, 2)
