"""靶向抽检建议 and 风险会商 in a real browser: the untouched filter forms answer like no filter, ticking suggestions →
preview → confirm creates the plan lines, a meeting is recorded through its preview, and no page scrolls sideways at
390 px. Screenshots (SAVE_SCREENSHOTS=1): docs/screenshots/sampling-targeting-*.png at 1366 and 390 px."""

import datetime as dt

import pytest
from django.utils import timezone

from apps.sampling.choices import LineOrigin
from apps.sampling.models import ConsultationMeeting, PlanLine
from tests.sampling.targeting.conftest import catalogue, grades, make_enterprise, make_sample  # noqa: F401

from .conftest import MOBILE, save_screenshot
from .test_list_filters import check_list, signed_in

pytestmark = pytest.mark.browser

NAMES = ["海宁市硖石老街面馆", "海宁市潮乡小吃店", "海宁市钱塘人家饭店", "海宁市许村镇中心小学食堂", "海宁市金潮烧烤店"]


@pytest.fixture
def world(township_a, township_b, catalogue, grades):  # noqa: F811
    from apps.enterprises.models import BusinessType, FoodCategory
    from apps.sampling.models import ConsultationDecision, SuggestionWeights
    from apps.sampling.targeting import services
    from tests.factories.sampling import PlanLineFactory, SamplingPlanFactory

    today = timezone.localdate()
    ents = []
    for i, name in enumerate(NAMES):
        ent = make_enterprise(township_a if i < 3 else township_b, name=name)
        ents.append(ent)
    grades[ents[0].pk], grades[ents[1].pk], grades[ents[2].pk], grades[ents[3].pk] = "D", "B", "A", "C"
    make_sample(ents[0], catalogue["catering_sub"], today - dt.timedelta(days=95), "unqualified")
    make_sample(ents[0], catalogue["catering"], today - dt.timedelta(days=400), "unqualified")
    make_sample(ents[2], catalogue["catering"], today - dt.timedelta(days=12))
    shop = make_enterprise(
        township_a, name="海宁市万家生鲜超市", business_type=BusinessType.objects.get(code="food_sales")
    )
    shop.food_categories.set([FoodCategory.objects.get(code="S06")])
    plan = SamplingPlanFactory(year=today.year, name=f"{today.year}年食品安全监督抽检计划", status="approved")
    SuggestionWeights.objects.create(effective_from=dt.date(today.year, 1, 1), note="年初确定")
    line = PlanLineFactory(plan=plan, township=township_a, category=catalogue["catering"], month=9, batches=20)
    meeting = ConsultationMeeting.objects.create(
        held_on=today - dt.timedelta(days=20),
        title="第三季度食品安全风险会商",
        participants="市市场监管局、市卫健局、硖石街道食安办、许村镇食安办",
        summary="通报第三季度抽检不合格情况，研究第四季度靶向抽检重点。",
    )
    ConsultationDecision.objects.create(
        meeting=meeting, text="硖石街道餐饮食品加抽 5 批", plan_line=line, change={"batches": [15, 20]}
    )
    assert services  # the pages write through the services (tested in tests/sampling/targeting)
    return {"ents": ents, "plan": plan, "line": line, "meeting": meeting, "today": today}


def test_suggestion_list_filters_and_accept_flow(new_page, city_staff, world, township_a):
    probe = signed_in(new_page, city_staff)
    check_list(
        probe, "/sampling/suggestions/", lambda page: page.select_option("#id_township", str(township_a.pk)), 6, 4
    )
    probe.page.goto(probe.url("/sampling/suggestions/"))
    first = probe.page.locator("tbody tr").first
    assert "海宁市硖石老街面馆" in first.inner_text() and "D 级" in first.inner_text()
    save_screenshot(probe, "sampling-targeting-suggestions-1366.png")
    probe.page.locator("input[name=pick]").nth(0).check()
    probe.page.locator("input[name=pick]").nth(1).check()
    with probe.page.expect_navigation():
        probe.page.click("text=预览所选建议")
    assert "确认将 2 条靶向建议列入" in probe.page.content()
    probe.page.select_option("#id_month", "11")
    save_screenshot(probe, "sampling-targeting-accept-1366.png")
    with probe.page.expect_navigation():
        probe.page.click("button[name=confirm_submit]")
    assert "已将 2 条靶向建议列入" in probe.page.content()
    assert PlanLine.objects.filter(origin=LineOrigin.SUGGESTION, month=11).count() == 2
    probe.assert_clean()


def test_pages_at_phone_width(new_page, city_staff, world):
    probe = signed_in(new_page, city_staff, viewport=MOBILE)
    for path, name in (
        ("/sampling/suggestions/", "suggestions"),
        ("/sampling/suggestions/weights/", "weights"),
        ("/sampling/consultations/", "meetings"),
        (f"/sampling/consultations/{world['meeting'].pk}/", "meeting-detail"),
        ("/sampling/consultations/new/", "meeting-form"),
        ("/sampling/suggestions/weights/new/", "weights-form"),
    ):
        probe.page.goto(probe.url(path))
        assert probe.scroll_width() <= MOBILE["width"], f"{path} scrolls sideways at 390 px"
        save_screenshot(probe, f"sampling-targeting-{name}-390.png")
    probe.page.goto(probe.url("/sampling/suggestions/"))
    probe.page.locator("input[name=pick]").first.check()
    with probe.page.expect_navigation():
        probe.page.click("text=预览所选建议")
    assert probe.scroll_width() <= MOBILE["width"]
    save_screenshot(probe, "sampling-targeting-accept-390.png")
    probe.assert_clean()


def test_meeting_recorded_through_its_preview(new_page, city_staff, world, township_b, catalogue):  # noqa: F811
    probe = signed_in(new_page, city_staff)
    check_list(probe, "/sampling/consultations/", lambda page: page.fill("#id_q", "第三季度"), 1, 1)
    probe.page.goto(probe.url("/sampling/consultations/"))
    save_screenshot(probe, "sampling-targeting-meetings-1366.png")
    probe.page.goto(probe.url("/sampling/consultations/new/"))
    page = probe.page
    page.fill("#id_title", "第四季度食品安全风险会商")
    page.fill("#id_participants", "市市场监管局、各镇街食安办")
    page.fill("#id_summary", "网红糕点投诉增多，许村镇加抽糕点；硖石餐饮食品提前抽样。")
    page.fill("#id_decisions-0-text", "许村镇加抽糕点 4 批")
    page.select_option("#id_decisions-0-kind", "add")
    page.select_option("#id_decisions-0-plan", str(world["plan"].pk))
    page.select_option("#id_decisions-0-township", str(township_b.pk))
    page.select_option("#id_decisions-0-category", str(catalogue["pastry"].pk))
    page.select_option("#id_decisions-0-month", "12")
    page.fill("#id_decisions-0-batches", "4")
    page.fill("#id_decisions-1-text", "硖石餐饮食品提前到 10 月")
    page.select_option("#id_decisions-1-kind", "change")
    page.fill("#id_decisions-1-line", str(world["line"].pk))
    page.select_option("#id_decisions-1-month", "10")
    save_screenshot(probe, "sampling-targeting-meeting-form-1366.png")
    with page.expect_navigation():
        page.click("text=预览")
    assert "确认保存会商记录" in page.content() and "调整前" in page.content()
    save_screenshot(probe, "sampling-targeting-meeting-preview-1366.png")
    with page.expect_navigation():
        page.click("button[name=confirm_submit]")
    assert "会商记录已保存（2 项决定）" in page.content()
    save_screenshot(probe, "sampling-targeting-meeting-detail-1366.png")
    world["line"].refresh_from_db()
    assert world["line"].month == 10
    assert ConsultationMeeting.objects.count() == 2
    probe.page.goto(probe.url("/sampling/suggestions/weights/"))
    save_screenshot(probe, "sampling-targeting-weights-1366.png")
    probe.page.goto(probe.url("/sampling/suggestions/weights/new/"))
    probe.page.fill("#id_effective_from", (world["today"] + dt.timedelta(days=25)).isoformat())
    probe.page.fill("#id_grade", "40")
    probe.page.fill("#id_complaints", "0")
    with probe.page.expect_navigation():
        probe.page.click("text=预览")
    save_screenshot(probe, "sampling-targeting-weights-preview-1366.png")
    probe.assert_clean()
