"""Browser walk of the risk pages (Playwright + Debian Chromium, marker ``browser``): the overview chart renders from
its json_script data without CSP errors, the enterprise risk card shows grade, factor scores, history and events,
an event is recorded through the form, and a manual override goes through two people. Desktop and 390 px.

SAVE_SCREENSHOTS=1 writes docs/screenshots/risk-*.png.
"""

import datetime as dt

import pytest

from .conftest import DESKTOP, MOBILE, login, save_screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def risk_data(demo_accounts):
    import importlib

    from django.apps import apps as registry

    from apps.accounts.models import Township, User
    from apps.enterprises.models import BusinessType
    from apps.risk import services
    from tests.factories.enterprises import EnterpriseFactory
    from tests.risk.conftest import make_enterprise

    # A transactional test before this one may have flushed the rows the data migrations load.
    if not BusinessType.objects.exists():
        importlib.import_module("apps.enterprises.migrations.0002_reference_business_types").load(registry, None)
    services.reference_schemes_load()
    xiashi = Township.objects.get(code="xiashi")
    city = User.objects.get(username="shiju")
    school = make_enterprise(xiashi, "school_canteen", ["C01", "C02"], "medium", name="海宁市硖石中学食堂")
    for i, township in enumerate(Township.objects.order_by("order")[:6]):
        for j in range(3 + i):
            EnterpriseFactory(township=township, name=f"海宁市演示餐饮店{i}{j}")
    services.regrade_year(year=dt.date.today().year, actor=city)
    services.onsite_evaluation_submit(
        enterprise_id=school.pk,
        item_scores={"c_staff": 3, "c_materials": 5, "c_processing": 8.5, "c_management": 2},
        evaluated_on=dt.date.today(),
        actor=city,
    )
    services.credit_class_set(
        enterprise_id=school.pk, credit_class="B", source="国家企业信用信息公示系统", as_of=dt.date.today(), actor=city
    )
    return school


def test_risk_card_walk(new_page, risk_data):
    from apps.risk.models import RiskScheme

    school = risk_data
    desktop = new_page(DESKTOP)
    login(desktop, "zhenjie")  # township staff of 硖石街道
    page = desktop.page

    page.goto(desktop.url("/risk/"))
    assert page.locator("h1").first.inner_text() == "风险分级"
    page.wait_for_selector("#risk-chart svg")  # ECharts drew the chart from the json_script data (no inline JS)
    assert desktop.scroll_width() <= DESKTOP["width"]
    save_screenshot(desktop, "risk-overview-desktop.png")

    page.goto(desktop.url(f"/risk/enterprises/{school.pk}/"))
    assert "海宁市硖石中学食堂" in page.locator("h1").inner_text()
    badge = page.locator(".grade-badge-lg")
    grade_before = badge.inner_text().strip()
    assert grade_before in "ABCD"
    factors = page.locator("#factors-title + .table-card tbody tr")
    assert factors.count() == 8  # 4 static factors + 4 dynamic items of the catering table
    assert page.get_by_text("业态与供餐对象").count() == 1
    assert page.locator("#history-title + .table-card tbody tr").count() == 2  # yearly + on-site

    # record an event through the form
    page.locator("#events summary", has_text="登记风险事件").click()
    page.select_option("#id_event_type", "failed_sample")
    page.fill("#id_occurred_on", dt.date.today().isoformat())
    page.fill("#id_description", "省级监督抽检：凉拌菜菌落总数不合格")
    with page.expect_navigation():
        page.click("#events form button[type=submit]")
    assert page.locator(".alert-success").count() == 1
    assert page.locator("#events .list-group-item", has_text="国家或省级监督抽检不合格").count() == 1

    # propose a manual override; the proposer cannot approve it
    target = "A" if grade_before != "A" else "B"
    page.select_option("#id_to_grade", target)
    page.fill("#id_reason", "整改到位并通过复查，申请调整等级")
    with page.expect_navigation():
        page.click("#override form button[type=submit]")
    assert "待审批" in page.locator("#override").inner_text()
    assert page.locator("#override button[value=approve]").count() == 0
    save_screenshot(desktop, "risk-card-desktop.png")
    desktop.assert_clean()

    # a city officer approves it
    approver = new_page(DESKTOP)
    login(approver, "shiju")
    approver.page.goto(approver.url(f"/risk/enterprises/{school.pk}/"))
    with approver.page.expect_navigation():
        approver.page.click("#override button[value=approve]")
    assert approver.page.locator(".grade-badge-lg").inner_text().strip() == target
    scheme = RiskScheme.objects.get(code="cfda-2016", version=1)
    approver.page.goto(approver.url(f"/risk/schemes/{scheme.pk}/"))
    assert approver.page.locator("h1").first.inner_text().startswith("食品生产经营风险分级管理办法")
    save_screenshot(approver, "risk-scheme-desktop.png")
    approver.page.goto(approver.url("/risk/coverage/"))
    save_screenshot(approver, "risk-coverage-desktop.png")
    approver.assert_clean()

    # 390 px: no horizontal scrolling on the card, the overview and the coverage list
    mobile = new_page(MOBILE)
    login(mobile, "zhenjie")
    for path, shot in (
        (f"/risk/enterprises/{school.pk}/", "risk-card-mobile.png"),
        ("/risk/", "risk-overview-mobile.png"),
        ("/risk/coverage/", "risk-coverage-mobile.png"),
    ):
        mobile.page.goto(mobile.url(path))
        if path == "/risk/":
            mobile.page.wait_for_selector("#risk-chart svg")
        assert mobile.scroll_width() <= MOBILE["width"], path
        save_screenshot(mobile, shot)
    mobile.assert_clean()
