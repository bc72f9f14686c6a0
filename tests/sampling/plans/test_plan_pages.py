"""Plan pages: rates per year, generation with preview and confirm, the plan and its lines, approval's preview and
confirm, line forms submitted as a browser does (empty fields included), bad input a 400 beside the field."""

import pytest

from apps.common.models import AuditEvent
from apps.sampling.choices import LineOrigin, PlanStatus, SamplingPurpose
from apps.sampling.models import PlanLine, QuotaRate, SamplingPlan
from apps.sampling.plans import services
from tests.factories.sampling import PlanLineFactory, SamplingPlanFactory
from tests.helpers.queries import assert_constant_queries

from .conftest import YEAR

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, city_staff):
    client.force_login(city_staff)
    return client


RATE_FORM = {
    "year": "2041",
    "food_rate": "4.5",
    "monitoring_rate": "1",
    "routine_share": "60",
    "targeted_share": "30",
    "vote_share": "10",
    "effective_from": "",
    "note": "",
}


# ------------------------------------------------------------------------------------------------ rates
def test_rate_list_shows_quotas_and_estimates(staff, rates):
    response = staff.get("/sampling/quota-rates/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "4,962" in html and "估算" in html and "待确认" in html


def test_rate_create_as_a_browser_submits(staff, reference):
    response = staff.post("/sampling/quota-rates/new/", RATE_FORM)
    assert response.status_code == 302
    rate = QuotaRate.objects.get(year=2041)
    assert rate.effective_from.isoformat() == "2041-01-01" and rate.note == ""


@pytest.mark.parametrize(
    "changes,field",
    [
        ({"food_rate": "-1"}, "food_rate"),
        ({"food_rate": "101"}, "food_rate"),
        ({"monitoring_rate": "abc"}, "monitoring_rate"),
        ({"routine_share": "70"}, "routine_share"),
        ({"vote_share": ""}, "vote_share"),
        ({"year": "1999"}, "year"),
        ({"effective_from": "2042-02-01"}, "effective_from"),
    ],
)
def test_rate_bad_input(staff, reference, changes, field):
    before = AuditEvent.objects.count()
    response = staff.post("/sampling/quota-rates/new/", {**RATE_FORM, **changes})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors and any("\u4e00" <= ch <= "\u9fff" for ch in errors[field][0])
    assert not QuotaRate.objects.filter(year=2041).exists() and AuditEvent.objects.count() == before


def test_rate_update_keeps_the_year(staff, rates):
    response = staff.post(f"/sampling/quota-rates/{rates.pk}/edit/", {**RATE_FORM, "year": "2099", "food_rate": "5"})
    assert response.status_code == 302
    rates.refresh_from_db()
    assert rates.year == YEAR and rates.food_rate == 5


def test_rates_are_city_staff_only(client, staff_a, leader, rates):
    for user in (staff_a, leader):
        client.force_login(user)
        assert client.get("/sampling/quota-rates/").status_code == 403
        assert client.post("/sampling/quota-rates/new/", RATE_FORM).status_code == 403


# ------------------------------------------------------------------------------------------------ generation
def test_generate_preview_then_confirm(staff, categories, rates):
    params = {"year": str(YEAR), "purpose": "supervisory", "weighting": "hazard"}
    preview = staff.get("/sampling/plans/generate/", params)
    assert preview.status_code == 200
    confirm = preview.context["confirm"]
    assert not confirm.blockers and "4962 批次" in confirm.consequences[0]
    assert not SamplingPlan.objects.exists()  # a preview writes nothing
    unconfirmed = staff.post("/sampling/plans/generate/", params)
    assert unconfirmed.status_code == 302 and not SamplingPlan.objects.exists()
    done = staff.post("/sampling/plans/generate/", {**params, "confirm": "yes"})
    plan = SamplingPlan.objects.get()
    assert done.status_code == 302 and done["Location"] == f"/sampling/plans/{plan.pk}/"
    assert PlanLine.objects.filter(plan=plan, origin=LineOrigin.QUOTA).count() > 0


def test_generate_blocked_without_categories(staff, no_categories, rates):
    preview = staff.get("/sampling/plans/generate/", {"year": YEAR, "purpose": "supervisory", "weighting": "hazard"})
    assert any("大类" in b for b in preview.context["confirm"].blockers)
    response = staff.post(
        "/sampling/plans/generate/", {"year": YEAR, "purpose": "supervisory", "weighting": "hazard", "confirm": "yes"}
    )
    assert response.status_code == 400 and not SamplingPlan.objects.exists()


@pytest.mark.parametrize(
    "params,field", [({"year": "abc"}, "year"), ({"purpose": "x"}, "purpose"), ({"weighting": "x"}, "weighting")]
)
def test_generate_bad_input(staff, categories, rates, params, field):
    data = {"year": YEAR, "purpose": "supervisory", "weighting": "hazard", **params}
    assert staff.get("/sampling/plans/generate/", data).status_code == 400
    response = staff.post("/sampling/plans/generate/", {**data, "confirm": "yes"})
    assert response.status_code == 400 and field in response.context["form"].errors
    assert not SamplingPlan.objects.exists()


# ------------------------------------------------------------------------------------------------ plan and approval
@pytest.fixture
def plan(city_staff, categories, rates):
    return services.plan_generate(actor=city_staff, year=YEAR)


def test_plan_detail_and_lines(staff, plan, township_a):
    response = staff.get(f"/sampling/plans/{plan.pk}/")
    assert response.status_code == 200
    summary = {row["township"]: row for row in response.context["summary"]}
    assert summary["硖石街道"]["batches"] == 576 and summary["硖石街道"]["sources"]["vote"] == 57
    filtered = staff.get(f"/sampling/plans/{plan.pk}/", {"township": township_a.pk, "month": "", "source": "vote"})
    assert {line.source for line in filtered.context["page"]} == {"vote"}
    assert all(line.plan_id == plan.pk for line in filtered.context["page"])


def test_approve_preview_and_confirm(staff, plan):
    preview = staff.get(f"/sampling/plans/{plan.pk}/approve/")
    assert preview.status_code == 200
    assert preview.context["preview"]["batches"] == 4962 and not preview.context["confirm"].blockers
    assert SamplingPlan.objects.get(pk=plan.pk).status == PlanStatus.DRAFT
    version = preview.context["confirm"].hidden["version"]
    assert staff.post(f"/sampling/plans/{plan.pk}/approve/", {"version": version}).status_code == 302
    assert SamplingPlan.objects.get(pk=plan.pk).status == PlanStatus.DRAFT  # no confirm=yes: back to the preview
    done = staff.post(f"/sampling/plans/{plan.pk}/approve/", {"version": version, "confirm": "yes"})
    assert done.status_code == 302 and SamplingPlan.objects.get(pk=plan.pk).status == PlanStatus.APPROVED
    assert AuditEvent.objects.filter(action="sampling.plan_approve").count() == 1
    again = staff.get(f"/sampling/plans/{plan.pk}/approve/")
    assert again.context["confirm"].blockers
    twice = staff.post(f"/sampling/plans/{plan.pk}/approve/", {"version": version, "confirm": "yes"})
    assert twice.status_code == 409


def test_approve_with_a_stale_preview_is_refused(staff, plan, city_staff, township_a, categories):
    version = staff.get(f"/sampling/plans/{plan.pk}/approve/").context["confirm"].hidden["version"]
    from django.utils import timezone

    SamplingPlan.objects.filter(pk=plan.pk).update(note="改过", updated_at=timezone.now())  # changed after the preview
    response = staff.post(f"/sampling/plans/{plan.pk}/approve/", {"version": version, "confirm": "yes"})
    assert response.status_code == 409 and SamplingPlan.objects.get(pk=plan.pk).status == PlanStatus.DRAFT


def test_approve_needs_the_permission(client, staff_a, leader, plan):
    for user in (staff_a, leader):
        client.force_login(user)
        assert client.get(f"/sampling/plans/{plan.pk}/approve/").status_code == 403
        assert client.post(f"/sampling/plans/{plan.pk}/approve/", {"confirm": "yes"}).status_code == 403
    assert SamplingPlan.objects.get(pk=plan.pk).status == PlanStatus.DRAFT


def test_close_preview_and_confirm(staff, plan, city_staff):
    services.plan_approve(actor=city_staff, plan_id=plan.pk)
    assert staff.get(f"/sampling/plans/{plan.pk}/close/").status_code == 200
    staff.post(f"/sampling/plans/{plan.pk}/close/", {"confirm": "yes"})
    assert SamplingPlan.objects.get(pk=plan.pk).status == PlanStatus.CLOSED


def test_township_staff_see_the_plan_with_their_lines_only(client, staff_a, plan, township_a):
    client.force_login(staff_a)
    response = client.get(f"/sampling/plans/{plan.pk}/")
    assert response.status_code == 200
    assert [row["township"] for row in response.context["summary"]] == ["硖石街道"]
    assert {line.township_id for line in response.context["page"]} == {township_a.pk}
    assert not response.context["can_approve"] and not response.context["can_add"]


def test_missing_plan_is_404(staff, reference):
    assert staff.get("/sampling/plans/999999/").status_code == 404
    assert staff.get("/sampling/plans/999999/approve/").status_code == 404


# ------------------------------------------------------------------------------------------------ line forms
@pytest.fixture
def draft(city_staff, reference):
    return services.plan_create(actor=city_staff, year=YEAR, purpose=SamplingPurpose.EVALUATIVE)


def _line_form(in_township, of_category, **changes):
    return {
        "township": str(in_township.pk),
        "category": str(of_category.pk),
        "month": "5",
        "source": "routine",
        "batches": "3",
        "business_type": "",
        "note": "",
        **changes,
    }


def test_line_create_update_delete_pages(staff, draft, township_a, categories):
    response = staff.post(f"/sampling/plans/{draft.pk}/lines/new/", _line_form(township_a, categories["veg"]))
    assert response.status_code == 302
    line = PlanLine.objects.get(plan=draft)
    assert (line.month, line.batches, line.business_type_id, line.note) == (5, 3, None, "")
    assert staff.get(f"/sampling/plan-lines/{line.pk}/edit/").status_code == 200
    response = staff.post(
        f"/sampling/plan-lines/{line.pk}/edit/", _line_form(township_a, categories["veg"], batches="8")
    )
    assert response.status_code == 302 and PlanLine.objects.get(pk=line.pk).batches == 8
    assert staff.get(f"/sampling/plan-lines/{line.pk}/delete/").status_code == 200
    assert PlanLine.objects.filter(pk=line.pk).exists()  # the GET is the preview
    staff.post(f"/sampling/plan-lines/{line.pk}/delete/", {"confirm": "yes"})
    assert not PlanLine.objects.filter(pk=line.pk).exists()


@pytest.mark.parametrize(
    "changes,field,text",
    [
        ({"month": "13"}, "month", "月份应为 1–12"),
        ({"month": "0"}, "month", "月份应为 1–12"),
        ({"month": ""}, "month", "请填写月份"),
        ({"batches": "0"}, "batches", "批次至少为 1"),
        ({"batches": "1.5"}, "batches", "批次应为整数"),
        ({"category": "999999"}, "category", "抽检分类不存在"),
        ({"source": "x"}, "source", "来源无效"),
    ],
)
def test_line_bad_input(staff, draft, township_a, categories, changes, field, text):
    before = AuditEvent.objects.count()
    response = staff.post(
        f"/sampling/plans/{draft.pk}/lines/new/", _line_form(township_a, categories["veg"], **changes)
    )
    assert response.status_code == 400
    assert text in response.context["form"].errors[field][0]
    assert text in response.content.decode()
    assert not PlanLine.objects.filter(plan=draft).exists() and AuditEvent.objects.count() == before


def test_a_line_for_a_township_the_user_cannot_see_by_page(client, draft, township_a, township_b, categories):
    from django.contrib.auth.models import Permission

    from tests.conftest import make_user

    planner = make_user("planner_page", "township_staff", [township_a])
    planner.user_permissions.add(Permission.objects.get(codename="add_planline"))
    client.force_login(planner)
    response = client.post(f"/sampling/plans/{draft.pk}/lines/new/", _line_form(township_b, categories["veg"]))
    assert response.status_code == 400
    assert response.context["form"].errors["township"] == ["镇街不存在或不在您的管辖范围内"]
    assert not PlanLine.objects.filter(plan=draft).exists()


def test_issued_plan_lines_cannot_be_edited_by_page(staff, township_a, categories):
    line = PlanLineFactory(township=township_a, category=categories["veg"])  # an approved plan's line
    response = staff.post(
        f"/sampling/plan-lines/{line.pk}/edit/", _line_form(township_a, categories["veg"], batches="9")
    )
    assert response.status_code == 400 and "已下达" in response.content.decode()
    assert PlanLine.objects.get(pk=line.pk).batches == 5
    response = staff.post(f"/sampling/plan-lines/{line.pk}/delete/", {"confirm": "yes"})
    assert response.status_code == 409 and PlanLine.objects.filter(pk=line.pk).exists()


# ------------------------------------------------------------------------------------------------ list pages
def test_plan_and_line_lists_have_constant_queries(staff, staff_a, client, township_a, categories):
    def add_plans(n):
        for _ in range(n):
            plan = SamplingPlanFactory(name=f"计划{SamplingPlan.objects.count() + 1}")
            PlanLineFactory(plan=plan, township=township_a, category=categories["veg"])

    assert_constant_queries(lambda: staff.get("/sampling/plans/"), add_plans)

    def add_lines(n):
        for _ in range(n):
            PlanLineFactory(township=township_a, category=categories["meat"])

    assert_constant_queries(lambda: staff.get("/sampling/plan-lines/"), add_lines)
    client.force_login(staff_a)
    assert_constant_queries(lambda: client.get("/sampling/plan-lines/"), add_lines)


def test_line_list_filters_as_a_browser_sends_them(staff, township_a, township_b, categories):
    PlanLineFactory(township=township_a, category=categories["cooked"], month=2)
    PlanLineFactory(township=township_b, category=categories["veg"], month=2)
    empty = {
        "year": "",
        "township": "",
        "month": "",
        "category": "",
        "source": "",
        "purpose": "",
        "status": "",
        "origin": "",
    }
    assert staff.get("/sampling/plan-lines/", empty).context["page"].paginator.count == 2
    meat = staff.get("/sampling/plan-lines/", {**empty, "category": categories["meat"].pk})
    assert meat.context["page"].paginator.count == 1  # a 大类 includes its sub-categories
    bad = staff.get("/sampling/plan-lines/", {**empty, "month": "13"})
    assert bad.context["filter_errors"] and bad.context["page"].paginator.count == 0


def test_rate_list_has_constant_queries(staff, city_staff):
    years = iter(range(2060, 2090))

    def add(n):
        for _ in range(n):
            services.quota_rate_create(
                actor=city_staff, year=next(years), **{k: v for k, v in RATE_FORM.items() if k != "year"}
            )

    assert_constant_queries(lambda: staff.get("/sampling/quota-rates/"), add)
