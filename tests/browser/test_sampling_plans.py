"""The sampling plan pages in a real browser (issue 10 points 2–3): the quota overview and a township's page draw
their ECharts charts from the JSON block (no inline JS, no console error), the tables stack at 390 px without a
horizontal scroll, plan generation and approval go through preview and confirm. Screenshots (SAVE_SCREENSHOTS=1):
docs/screenshots/sampling-plans-*.png at 1366 and 390 px."""

import datetime as dt
import random

import pytest

from .conftest import DESKTOP, MOBILE, save_screenshot
from .test_list_filters import check_list, signed_in

pytestmark = pytest.mark.browser
YEAR = dt.date.today().year


@pytest.fixture
def quota_world(reference, city_staff, township_a):
    from apps.accounts.models import Township
    from apps.enterprises.models import BusinessType
    from apps.sampling.choices import LineSource, SamplingPurpose
    from apps.sampling.models import Sample
    from apps.sampling.plans import services
    from tests.factories.enterprises import EnterpriseFactory
    from tests.factories.sampling import SampleFactory, SamplingCategoryFactory, SamplingTaskFactory

    names = [("肉及肉制品", 5), ("蔬菜及其制品", 4), ("粮食加工品", 3), ("饮料", 2), ("餐饮食品", 4), ("水产品", 5)]
    roots = [
        SamplingCategoryFactory(code=f"S{i:02d}", name=name, level=1, hazard=h, order=i)
        for i, (name, h) in enumerate(names, start=1)
    ]
    services.config_defaults_ensure(years=[YEAR], actor=None)
    task = SamplingTaskFactory(plan_line__category=roots[0], plan_line__plan__year=YEAR - 7)
    rng = random.Random(7)
    types = list(BusinessType.objects.filter(parent__isnull=True).order_by("order")[:6])
    rows = []
    last_month = dt.date.today().month
    for township in Township.objects.order_by("order"):
        ents = [EnterpriseFactory(township=township, business_type=types[i % len(types)]) for i in range(5)]
        n = 120 if township == township_a else rng.randrange(20, 90)
        for k in range(n):
            month = 1 + k % last_month
            ent = ents[k % (4 if township == township_a else 5)]
            r = rng.random()
            purpose = SamplingPurpose.MONITORING if r < 0.2 else SamplingPurpose.SUPERVISORY
            on = dt.date(YEAR, month, 1 + rng.randrange(27))
            rows.append(
                SampleFactory.build(
                    task=task,
                    number=f"DC{YEAR % 100}330481B{len(rows):07d}",
                    purpose=purpose,
                    source=[LineSource.ROUTINE, LineSource.TARGETED, LineSource.VOTE][k % 3 if k % 5 else 0],
                    category=roots[k % 5],  # 水产品 stays uncovered
                    enterprise=ent,
                    township=township,
                    site_name=ent.name,
                    sampled_on=on,
                    production_date=on - dt.timedelta(days=2),
                    is_quick_test=k % 17 == 0,
                )
            )
    Sample.objects.bulk_create(rows)
    plan = services.plan_generate(actor=city_staff, year=YEAR)
    services.plan_approve(actor=city_staff, plan_id=plan.pk)
    draft = services.plan_generate(actor=city_staff, year=YEAR, purpose=SamplingPurpose.MONITORING)
    return {"plan": plan, "draft": draft}


def _no_horizontal_scroll(probe, width):
    assert probe.scroll_width() <= width, f"page is {probe.scroll_width()} px wide at {width} px"


def test_quota_pages(new_page, city_staff, staff_a, quota_world, township_a):
    desktop = signed_in(new_page, city_staff, DESKTOP)
    page = desktop.page
    page.goto(desktop.url(f"/sampling/quotas/?year={YEAR}"))
    assert "全市概览" in page.locator("h1").inner_text()
    page.wait_for_selector("#quota-chart svg")  # ECharts drew the overview from the JSON block
    assert "估算" in page.locator("main").inner_text()
    _no_horizontal_scroll(desktop, DESKTOP["width"])
    desktop.assert_clean()
    save_screenshot(desktop, "sampling-plans-quota-overview-desktop.png")

    page.goto(desktop.url(f"/sampling/quotas/?year={YEAR}&township={township_a.pk}"))
    page.wait_for_selector("#quota-chart svg")
    assert "硖石街道" in page.locator("h1").inner_text()
    desktop.assert_clean()
    save_screenshot(desktop, "sampling-plans-quota-township-desktop.png")

    mobile = signed_in(new_page, staff_a, MOBILE)
    mobile.page.goto(mobile.url(f"/sampling/quotas/?year={YEAR}"))  # township staff land on their own township
    mobile.page.wait_for_selector("#quota-chart svg")
    _no_horizontal_scroll(mobile, MOBILE["width"])
    row = mobile.page.locator("table.table-stack tbody tr").first
    assert row.locator("td[data-label=食品抽检已完成]").is_visible()
    assert row.locator("td[data-label=风险监测累计]").is_visible()  # every column stays, as a labelled line
    mobile.assert_clean()
    save_screenshot(mobile, "sampling-plans-quota-township-mobile.png")

    overview = signed_in(new_page, city_staff, MOBILE)
    overview.page.goto(overview.url(f"/sampling/quotas/?year={YEAR}"))
    overview.page.wait_for_selector("#quota-chart svg")
    _no_horizontal_scroll(overview, MOBILE["width"])
    overview.assert_clean()
    save_screenshot(overview, "sampling-plans-quota-overview-mobile.png")


def test_plan_pages(new_page, city_staff, quota_world):
    from apps.sampling.models import SamplingPlan

    plan, draft = quota_world["plan"], quota_world["draft"]
    desktop = signed_in(new_page, city_staff, DESKTOP)
    page = desktop.page
    page.goto(desktop.url("/sampling/plans/"))
    save_screenshot(desktop, "sampling-plans-list-desktop.png")
    page.goto(desktop.url(f"/sampling/plans/{plan.pk}/"))
    assert "已下达" in page.locator("h1").inner_text()
    save_screenshot(desktop, "sampling-plans-detail-desktop.png")

    page.goto(desktop.url(f"/sampling/plans/{draft.pk}/approve/"))
    assert page.locator(".confirm-box").is_visible()
    save_screenshot(desktop, "sampling-plans-approve-desktop.png")
    with page.expect_navigation():
        page.locator(".confirm-box button[type=submit]").click()
    assert SamplingPlan.objects.get(pk=draft.pk).status == "approved"

    page.goto(desktop.url(f"/sampling/plans/generate/?year={YEAR + 1}&purpose=supervisory&weighting=hazard"))
    assert page.locator(".confirm-box").is_visible()
    save_screenshot(desktop, "sampling-plans-generate-desktop.png")
    with page.expect_navigation():
        page.locator(".confirm-box button[type=submit]").click()
    assert SamplingPlan.objects.filter(year=YEAR + 1, status="draft").exists()

    page.goto(desktop.url("/sampling/quota-rates/"))
    save_screenshot(desktop, "sampling-plans-rates-desktop.png")
    page.goto(desktop.url("/sampling/quota-rates/new/"))
    page.fill("#id_food_rate", "-1")
    page.fill("#id_routine_share", "70")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    text = page.locator("main").inner_text()
    assert "应在 0–100 之间" in text and "三项来源占比之和应为 100%" in text
    save_screenshot(desktop, "sampling-plans-rate-form-errors-desktop.png")
    # bad input answers 400 (the form with its messages): the browser logs exactly that document's status
    assert desktop.console_errors == [
        "Failed to load resource: the server responded with a status of 400 (Bad Request)"
    ]
    desktop.console_errors.clear()
    desktop.assert_clean()

    mobile = signed_in(new_page, city_staff, MOBILE)
    for path, shot in (
        (f"/sampling/plans/{plan.pk}/", "sampling-plans-detail-mobile.png"),
        ("/sampling/quota-rates/", "sampling-plans-rates-mobile.png"),
        (f"/sampling/plans/{draft.pk}/", "sampling-plans-approved-mobile.png"),
    ):
        mobile.page.goto(mobile.url(path))
        _no_horizontal_scroll(mobile, MOBILE["width"])
        save_screenshot(mobile, shot)
    mobile.assert_clean()


def test_line_list_filters(new_page, city_staff, quota_world, township_a):
    from apps.sampling.models import PlanLine

    probe = signed_in(new_page, city_staff)
    total = PlanLine.objects.count()
    mine = PlanLine.objects.filter(township=township_a).count()
    check_list(
        probe, "/sampling/plan-lines/", lambda page: page.select_option("#f-township", str(township_a.pk)), total, mine
    )
    save_screenshot(probe, "sampling-plans-lines-desktop.png")
    plans = signed_in(new_page, city_staff)
    from apps.sampling.models import SamplingPlan

    check_list(
        plans,
        "/sampling/plans/",
        lambda page: page.select_option("#id_purpose", "monitoring"),
        SamplingPlan.objects.count(),
        SamplingPlan.objects.filter(purpose="monitoring").count(),
    )
