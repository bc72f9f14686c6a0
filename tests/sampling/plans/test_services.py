"""Plan services (issue 10 point 2): rates with bounds, generation from the quota split, approval through the status
table with permission and audit, line writes; bad input is a Chinese error naming the field and writes nothing."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from apps.common.exceptions import InvalidTransition, OutOfScope, ValidationFailed
from apps.common.models import AuditEvent
from apps.sampling.choices import LineOrigin, LineSource, PlanStatus, SamplingPurpose
from apps.sampling.models import PlanLine, QuotaRate, SamplingPlan
from apps.sampling.plans import services
from tests.conftest import make_user
from tests.factories.sampling import PlanLineFactory, SamplingPlanFactory

from .conftest import YEAR

pytestmark = pytest.mark.django_db


def _events(action):
    return list(AuditEvent.objects.filter(action=action))


def _nothing_written(before_lines, before_events):
    assert PlanLine.objects.count() == before_lines
    assert AuditEvent.objects.count() == before_events


# ------------------------------------------------------------------------------------------------ defaults
def test_the_data_migration_loaded_this_and_next_years_rates(reference):
    from apps.sampling.models import SamplingDeadlines, SuggestionWeights
    from apps.sampling.plans.defaults import default_years

    years = default_years()
    for year in years:
        rate = QuotaRate.objects.get(year=year)
        assert (rate.food_rate, rate.monitoring_rate) == (4.5, 1)
        assert (rate.routine_share, rate.targeted_share, rate.vote_share) == (60, 30, 10)
        assert "待确认" in rate.note
    assert SuggestionWeights.objects.count() == 1 and SamplingDeadlines.objects.count() == 1


def test_config_defaults_ensure_is_idempotent_and_never_overwrites(reference, city_staff):
    QuotaRate.objects.filter(year=2030).delete()
    first = services.config_defaults_ensure(years=[2030], actor=city_staff)
    assert first["quota_rates"] == [2030]
    QuotaRate.objects.filter(year=2030).update(food_rate="5.00")
    again = services.config_defaults_ensure(years=[2030], actor=city_staff)
    assert again["quota_rates"] == [] and QuotaRate.objects.get(year=2030).food_rate == 5
    assert len(_events("sampling.config_defaults_load")) == 1


# ------------------------------------------------------------------------------------------------ rates
RATE = {"food_rate": "4.8", "monitoring_rate": "1.2", "routine_share": 50, "targeted_share": 40, "vote_share": 10}


def test_rate_create_and_update_are_audited(reference, city_staff):
    rate = services.quota_rate_create(actor=city_staff, year=2040, **RATE)
    assert rate.effective_from == dt.date(2040, 1, 1) and str(rate.food_rate) == "4.80"
    services.quota_rate_update(actor=city_staff, rate_id=rate.pk, **{**RATE, "food_rate": "5"})
    (event,) = _events("sampling.quota_rate_update")
    assert event.changes["food_rate"] == ["4.80", "5.00"]
    assert len(_events("sampling.quota_rate_create")) == 1


@pytest.mark.parametrize(
    "changes,field,text",
    [
        ({"food_rate": "-1"}, "food_rate", "0–100"),
        ({"food_rate": "100.01"}, "food_rate", "0–100"),
        ({"food_rate": "abc"}, "food_rate", "数字"),
        ({"food_rate": "NaN"}, "food_rate", "数字"),
        ({"food_rate": "4.555"}, "food_rate", "两位小数"),
        ({"food_rate": "1e400"}, "food_rate", "0–100"),
        ({"monitoring_rate": ""}, "monitoring_rate", "数字"),
        ({"routine_share": 101}, "routine_share", "0–100"),
        ({"routine_share": 70}, "routine_share", "100%"),
        ({"vote_share": "x"}, "vote_share", "整数"),
        ({"effective_from": "2041-01-01"}, "effective_from", "生效日期"),
        ({"effective_from": "1/1/2040"}, "effective_from", "YYYY-MM-DD"),
    ],
)
def test_rate_bounds(reference, city_staff, changes, field, text):
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationFailed) as err:
        services.quota_rate_create(actor=city_staff, year=2040, **{**RATE, **changes})
    assert field in err.value.fields and text in err.value.fields[field][0]
    assert not QuotaRate.objects.filter(year=2040).exists() and AuditEvent.objects.count() == before


def test_rate_year_bounds_and_uniqueness(reference, city_staff):
    for year in (1999, 2101, "x"):
        with pytest.raises(ValidationFailed) as err:
            services.quota_rate_create(actor=city_staff, year=year, **RATE)
        assert "year" in err.value.fields
    services.quota_rate_create(actor=city_staff, year=2040, **RATE)
    with pytest.raises(ValidationFailed) as err:
        services.quota_rate_create(actor=city_staff, year=2040, **RATE)
    assert "已有" in err.value.fields["year"][0]


def test_rates_need_the_permission(staff_a, leader):
    for actor in (staff_a, leader, None):
        with pytest.raises(PermissionDenied):
            services.quota_rate_create(actor=actor, year=2040, **RATE)


# ------------------------------------------------------------------------------------------------ generation
def test_generate_splits_every_township_quota(city_staff, categories, rates):
    plan = services.plan_generate(actor=city_staff, year=YEAR)
    assert plan.status == PlanStatus.DRAFT and plan.purpose == SamplingPurpose.SUPERVISORY
    assert plan.name == "2026年食品安全监督抽检计划"
    lines = PlanLine.objects.filter(plan=plan)
    assert {line.origin for line in lines} == {LineOrigin.QUOTA}
    by_township = {}
    for line in lines:
        by_township[line.township.code] = by_township.get(line.township.code, 0) + line.batches
    assert by_township["xiashi"] == 576 and by_township["huangwan"] == 213
    assert sum(by_township.values()) == 4962  # the 12 townships' own quotas (2022 populations)
    xiashi = lines.filter(township__code="xiashi")
    assert (
        sum(x.batches for x in xiashi if x.source == LineSource.VOTE) == 57
    )  # 576 × 10 % = 57.6, but the leftovers go to .8 (靶向) and the earlier .6 (自评)
    # the sub-category (熟肉制品) gets nothing of its own: the split is over 大类
    assert not lines.filter(category=categories["cooked"]).exists()
    (event,) = _events("sampling.plan_generate")
    assert event.extra["lines"] == lines.count() and event.extra["batches"] == 4962
    assert "估算" in plan.note


def test_monitoring_plan_has_one_source(city_staff, categories, rates):
    plan = services.plan_generate(actor=city_staff, year=YEAR, purpose=SamplingPurpose.MONITORING, weighting="even")
    lines = PlanLine.objects.filter(plan=plan)
    assert {line.source for line in lines} == {LineSource.ROUTINE}
    assert sum(line.batches for line in lines) == sum([128, 154, 98, 82, 144, 134, 67, 62, 62, 57, 72, 48])


def test_regenerating_a_draft_replaces_only_its_quota_lines(city_staff, categories, rates, township_a):
    plan = services.plan_generate(actor=city_staff, year=YEAR)
    manual = services.line_create(
        actor=city_staff, plan_id=plan.pk, township=township_a.pk, category=categories["veg"].pk, month=5, batches=3
    )
    hazard_split = sorted(
        PlanLine.objects.filter(plan=plan, origin=LineOrigin.QUOTA).values_list("category_id", "batches")
    )
    services.plan_generate(actor=city_staff, year=YEAR, weighting="even")
    assert PlanLine.objects.filter(pk=manual.pk).exists()
    assert SamplingPlan.objects.filter(year=YEAR).count() == 1
    even_split = sorted(
        PlanLine.objects.filter(plan=plan, origin=LineOrigin.QUOTA).values_list("category_id", "batches")
    )
    assert even_split != hazard_split
    assert sum(line.batches for line in PlanLine.objects.filter(plan=plan, origin=LineOrigin.QUOTA)) == 4962


def test_generation_needs_categories_and_rates(city_staff, no_categories):
    with pytest.raises(ValidationFailed) as err:
        services.plan_generate(actor=city_staff, year=YEAR)
    assert "大类" in err.value.message
    assert not SamplingPlan.objects.exists()


def test_generation_of_an_issued_plan_is_refused(city_staff, categories, rates):
    plan = services.plan_generate(actor=city_staff, year=YEAR)
    services.plan_approve(actor=city_staff, plan_id=plan.pk)
    with pytest.raises(InvalidTransition):
        services.plan_generate(actor=city_staff, year=YEAR)


def test_generation_needs_the_permission(staff_a, leader, categories, rates):
    for actor in (staff_a, leader):
        with pytest.raises(PermissionDenied):
            services.plan_generate(actor=actor, year=YEAR)


# ------------------------------------------------------------------------------------------------ approval
def test_approve_follows_the_status_table_and_is_audited(city_staff, categories, rates):
    plan = services.plan_generate(actor=city_staff, year=YEAR)
    before = PlanLine.objects.filter(plan=plan).values_list("updated_at", flat=True).first()
    plan = services.plan_approve(actor=city_staff, plan_id=plan.pk)
    assert plan.status == PlanStatus.APPROVED and plan.approved_at is not None
    assert PlanLine.objects.filter(plan=plan).values_list("updated_at", flat=True).first() > before  # feed sees it
    (event,) = _events("sampling.plan_approve")
    assert event.changes == {"status": ["draft", "approved"]} and event.extra["batches"] == 4962
    with pytest.raises(InvalidTransition):
        services.plan_approve(actor=city_staff, plan_id=plan.pk)
    services.plan_close(actor=city_staff, plan_id=plan.pk)
    with pytest.raises(InvalidTransition):
        services.plan_close(actor=city_staff, plan_id=plan.pk)
    assert SamplingPlan.objects.get(pk=plan.pk).status == PlanStatus.CLOSED


def test_approve_needs_the_permission_and_lines(city_staff, staff_a, leader, reference):
    plan = services.plan_create(actor=city_staff, year=YEAR, purpose=SamplingPurpose.EVALUATIVE)
    for actor in (staff_a, leader):
        with pytest.raises(PermissionDenied):
            services.plan_approve(actor=actor, plan_id=plan.pk)
    with pytest.raises(ValidationFailed):
        services.plan_approve(actor=city_staff, plan_id=plan.pk)
    assert SamplingPlan.objects.get(pk=plan.pk).status == PlanStatus.DRAFT
    with pytest.raises(OutOfScope):
        services.plan_approve(actor=city_staff, plan_id=999999)


def test_approve_after_a_change_since_the_preview_is_refused(city_staff, categories, rates):
    from apps.common.exceptions import Conflict

    plan = services.plan_generate(actor=city_staff, year=YEAR)
    with pytest.raises(Conflict):
        services.plan_approve(actor=city_staff, plan_id=plan.pk, version_at="2000-01-01T00:00:00+00:00")
    assert SamplingPlan.objects.get(pk=plan.pk).status == PlanStatus.DRAFT


# ------------------------------------------------------------------------------------------------ lines
@pytest.fixture
def draft(city_staff, reference):
    return services.plan_create(actor=city_staff, year=YEAR, purpose=SamplingPurpose.EVALUATIVE)


def test_line_create_update_delete(city_staff, draft, categories, township_a):
    line = services.line_create(
        actor=city_staff,
        plan_id=draft.pk,
        township=township_a.pk,
        category=categories["cooked"].pk,
        month=3,
        batches=4,
        source=LineSource.TARGETED,
    )
    assert (line.month, line.batches, line.origin) == (3, 4, LineOrigin.MANUAL)
    services.line_update(actor=city_staff, line_id=line.pk, batches=6)
    assert PlanLine.objects.get(pk=line.pk).batches == 6
    (event,) = _events("sampling.line_update")
    assert event.changes["batches"] == [4, 6]
    services.line_delete(actor=city_staff, line_id=line.pk)
    assert not PlanLine.objects.filter(pk=line.pk).exists()
    assert _events("sampling.line_delete")[0].changes["before"]["batches"] == 6


@pytest.mark.parametrize(
    "changes,field",
    [
        ({"month": 13}, "month"),
        ({"month": 0}, "month"),
        ({"month": "三月"}, "month"),
        ({"batches": 0}, "batches"),
        ({"batches": -5}, "batches"),
        ({"batches": 100001}, "batches"),
        ({"batches": ""}, "batches"),
        ({"source": "lottery"}, "source"),
        ({"category": 999999}, "category"),
        ({"township": 999999}, "township"),
        ({"enterprise": 999999}, "enterprise"),
        ({"business_type": 999999}, "business_type"),
        ({"note": "长" * 201}, "note"),
        ({"status": "approved"}, "status"),
    ],
)
def test_line_bad_input_names_the_field_and_writes_nothing(city_staff, draft, categories, township_a, changes, field):
    data = {"township": township_a.pk, "category": categories["veg"].pk, "month": 3, "batches": 2, **changes}
    lines, events = PlanLine.objects.count(), AuditEvent.objects.count()
    with pytest.raises(ValidationFailed) as err:
        services.line_create(actor=city_staff, plan_id=draft.pk, **data)
    assert field in err.value.fields
    assert any("\u4e00" <= ch <= "\u9fff" for ch in err.value.fields[field][0])
    _nothing_written(lines, events)


def test_a_line_for_a_township_the_user_cannot_see(draft, categories, township_a, township_b):
    from django.contrib.auth.models import Permission

    planner = make_user("planner_a", "township_staff", [township_a])
    planner.user_permissions.add(Permission.objects.get(codename="add_planline"))
    planner = type(planner).objects.get(pk=planner.pk)
    lines, events = PlanLine.objects.count(), AuditEvent.objects.count()
    with pytest.raises(ValidationFailed) as err:
        services.line_create(
            actor=planner, plan_id=draft.pk, township=township_b.pk, category=categories["veg"].pk, month=3, batches=1
        )
    assert err.value.fields["township"] == ["镇街不存在或不在您的管辖范围内"]
    _nothing_written(lines, events)
    services.line_create(
        actor=planner, plan_id=draft.pk, township=township_a.pk, category=categories["veg"].pk, month=3, batches=1
    )


def test_an_enterprise_must_be_in_the_line_township(city_staff, draft, categories, township_a, township_b):
    from tests.factories.enterprises import EnterpriseFactory

    elsewhere = EnterpriseFactory(township=township_b)
    with pytest.raises(ValidationFailed) as err:
        services.line_create(
            actor=city_staff,
            plan_id=draft.pk,
            township=township_a.pk,
            category=categories["veg"].pk,
            month=3,
            batches=1,
            enterprise=elsewhere.pk,
        )
    assert "enterprise" in err.value.fields


def test_issued_plan_lines_only_change_through_the_other_sources(city_staff, categories, township_a):
    line = PlanLineFactory(township=township_a, category=categories["veg"], plan__status=PlanStatus.APPROVED)
    base = {"township": township_a.pk, "category": categories["veg"].pk, "month": 4, "batches": 2}
    with pytest.raises(InvalidTransition):
        services.line_create(actor=city_staff, plan_id=line.plan_id, **base)
    added = services.line_create(
        actor=city_staff, plan_id=line.plan_id, origin=LineOrigin.SUGGESTION, origin_ref="suggestion:1", **base
    )
    assert added.origin == LineOrigin.SUGGESTION
    with pytest.raises(InvalidTransition):
        services.line_update(actor=city_staff, line_id=line.pk, batches=9)
    services.line_update(actor=city_staff, line_id=line.pk, batches=9, origin_ref="consultation-decision:7")
    changed = PlanLine.objects.get(pk=line.pk)
    assert (changed.batches, changed.origin, changed.origin_ref) == (
        9,
        LineOrigin.CONSULTATION,
        "consultation-decision:7",
    )
    with pytest.raises(InvalidTransition):
        services.line_delete(actor=city_staff, line_id=line.pk)
    SamplingPlan.objects.filter(pk=line.plan_id).update(status=PlanStatus.CLOSED)
    with pytest.raises(InvalidTransition):
        services.line_create(actor=city_staff, plan_id=line.plan_id, origin=LineOrigin.VOTE, **base)


def test_line_writes_of_another_township_are_not_found(city_staff, categories, township_b):
    from django.contrib.auth.models import Permission

    line = PlanLineFactory(township=township_b, category=categories["veg"], plan=SamplingPlanFactory(status="draft"))
    staff = make_user("planner_b", "township_staff", [])
    staff.townships.set([line.township.__class__.objects.get(code="xiashi")])
    staff.user_permissions.add(*Permission.objects.filter(codename__in=["change_planline", "delete_planline"]))
    staff = type(staff).objects.get(pk=staff.pk)
    with pytest.raises(OutOfScope):
        services.line_update(actor=staff, line_id=line.pk, batches=2)
    with pytest.raises(OutOfScope):
        services.line_delete(actor=staff, line_id=line.pk)


def test_line_writes_need_the_permissions(leader, staff_a, draft, categories, township_a):
    for actor in (leader, staff_a):
        with pytest.raises(PermissionDenied):
            services.line_create(
                actor=actor, plan_id=draft.pk, township=township_a.pk, category=categories["veg"].pk, month=1, batches=1
            )
