"""The leadership dashboard (驾驶舱) in a real browser: 市领导 reaches it from the home page, the trend chart is drawn
(ECharts, vendored, no inline script: no CSP error in the console), no sideways scrolling at 1366 and 390 px, the
print view hides the year form; township staff on a phone land on their own township. Measures: the fake ones of
tests/dashboard/test_leadership.py (the live server runs in this process). Screenshots (SAVE_SCREENSHOTS=1):
docs/screenshots/leadership-*.png."""

import pytest

from apps.common import measures as registry
from apps.common.measures import COUNT, RATIO, Measure
from apps.enterprises.choices import EnterpriseStatus
from tests.dashboard.test_leadership import CENTRES, SUNSHINE, fake_count, fake_operating_share
from tests.inspections.factories import make_enterprise

from .conftest import DESKTOP, MOBILE, login, save_screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def dashboard_data(demo_accounts, monkeypatch):
    from apps.accounts.models import Township

    monkeypatch.setattr(registry, "_MEASURES", {})
    registry.register_measure(Measure(SUNSHINE, "网络餐饮阳光厨房覆盖率", "%", RATIO, fake_operating_share, order=1))
    registry.register_measure(Measure(CENTRES, "农村家宴中心", "个", COUNT, fake_count, order=2))
    for i, township in enumerate(Township.objects.filter(is_active=True).order_by("order")):
        for _ in range(1 + i % 3):
            make_enterprise(township, status=EnterpriseStatus.OPERATING)
        if i % 2:
            make_enterprise(township, status=EnterpriseStatus.CANCELLED)
    return demo_accounts


def _fits(probe, width):
    assert probe.scroll_width() <= width, f"horizontal scrolling: {probe.scroll_width()} > {width}: {probe.too_wide()}"


@pytest.mark.parametrize("viewport", [DESKTOP, MOBILE], ids=["1366", "390"])
def test_leader_dashboard(new_page, dashboard_data, viewport):
    probe = new_page(viewport)
    page = probe.page
    login(probe, "lingdao")
    with page.expect_navigation():
        page.click("a.quick-link[href='/dashboard/']")  # the quick link of the 市领导 home page
    assert page.locator("h1").inner_text() == "全市食品安全驾驶舱"
    page.wait_for_selector("#leadership-chart svg")  # ECharts drew the trend
    assert page.locator("table.lead-compare tbody tr").count() >= 12
    assert page.locator("table.lead-clocks tbody tr").count() >= 4
    _fits(probe, viewport["width"])
    save_screenshot(probe, f"leadership-city-{viewport['width']}.png")
    probe.assert_clean()
    # a township's view from the comparison table
    with page.expect_navigation():
        page.locator("table.lead-compare tbody tr a").first.click()
    assert "食品安全驾驶舱" in page.locator("h1").inner_text() and "全市" not in page.locator("h1").inner_text()
    page.wait_for_selector("#leadership-chart svg")
    _fits(probe, viewport["width"])
    save_screenshot(probe, f"leadership-township-{viewport['width']}.png")
    # printable: no year form, no menu
    page.emulate_media(media="print")
    assert not page.locator(".lead-year-form").is_visible()
    probe.assert_clean()


def test_township_staff_land_on_their_township_at_390(new_page, dashboard_data):
    probe = new_page(MOBILE)
    page = probe.page
    login(probe, "zhenjie")
    page.goto(probe.url("/dashboard/"))
    assert "/dashboard/townships/" in page.url
    assert page.locator("h1").inner_text().startswith("硖石")
    assert page.locator("table.lead-compare").count() == 0  # no other township on their page
    _fits(probe, MOBILE["width"])
    page.goto(probe.url("/dashboard/?year=abc"))
    assert "年份应为四位数字" in page.content()
    probe.console_errors.clear()  # the refused year is a 400 by design
    probe.assert_clean()
