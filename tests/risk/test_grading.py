"""Grading: static from attributes (就高不就低), dynamic from inspections / on-site forms, static-only conversion for
new businesses, credit component, and re-computation of every stored grade under its own scheme version."""

import datetime as dt
import random
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from apps.common.exceptions import OutOfScope, ValidationFailed
from apps.common.models import AuditEvent
from apps.risk import engine, services
from apps.risk.models import CreditClass, DynamicEvaluation, RiskAssessment, RiskEvent

pytestmark = pytest.mark.django_db
ON = dt.date(2025, 6, 1)


def static_of(a):
    return a.factor_scores["static"]


def test_static_score_takes_the_highest_risk_category(city_staff, enterprise_factory, township_a):
    hot = enterprise_factory(township_a, "catering", ["C01"], "small")
    mixed = enterprise_factory(township_a, "catering", ["C01", "C05", "C03"], "small")  # raw food is tier Ⅳ
    a1 = services.assessment_recompute(enterprise_id=hot.pk, actor=city_staff, on=ON)
    a2 = services.assessment_recompute(enterprise_id=mixed.pk, actor=city_staff, on=ON)
    assert static_of(a1) == {"category": 5, "format": 4, "scale": 2, "online": 0}
    assert static_of(a2)["category"] == 14
    assert a2.static_score == a1.static_score + 9


def test_consumer_group_scale_and_flags_count(city_staff, enterprise_factory, township_a):
    school = enterprise_factory(township_a, "school_canteen", ["C01", "C02"], "medium", online_catering=True)
    a = services.assessment_recompute(enterprise_id=school.pk, actor=city_staff, on=ON)
    assert static_of(a) == {"category": 10, "format": 16, "scale": 5, "online": 2}
    assert a.static_score == 33
    dairy = enterprise_factory(township_a, "food_production", ["P05", "P14"], "large", cold_chain=True)
    b = services.assessment_recompute(enterprise_id=dairy.pk, actor=city_staff, on=ON)
    assert static_of(b) == {"category": 20, "format": 2, "scale": 10, "cold_chain": 4}


def test_new_business_is_graded_from_static_alone(city_staff, enterprise_factory, township_a):
    ent = enterprise_factory(township_a, "small_restaurant", ["C01"], "micro")
    a = services.assessment_recompute(enterprise_id=ent.pk, actor=city_staff, on=ON)
    # static 5 + 3 + 1 + 0 = 9; CFDA 2016 converts proportionally: dynamic = 9 × 60/40 = 13.5
    assert a.basis == "static_only"
    assert (a.static_score, a.dynamic_score, a.total_score, a.grade) == (9, Decimal("13.5"), Decimal("22.5"), "A")
    assert a.inputs["dynamic"] is None and a.factor_scores["dynamic"] == {}


def test_inspection_hook_sets_dynamic_score_and_is_idempotent(inspector_a, enterprise_factory, township_a):
    ent = enterprise_factory(township_a, "catering", ["C01"], "small")
    scores = {"c_staff": 4, "c_materials": 6, "c_processing": 10.5, "c_management": 2}
    a = services.assessment_from_inspection(
        enterprise_id=ent.pk, item_scores=scores, inspected_on=ON, source_ref="INSP-1", actor=inspector_a
    )
    assert a.kind == "inspection" and a.basis == "dynamic" and a.source_ref == "INSP-1"
    assert a.factor_scores["dynamic"] == scores
    assert a.dynamic_score == Decimal("22.5")
    assert a.total_score == a.static_score + Decimal("22.5")
    assert a.is_current
    again = services.assessment_from_inspection(
        enterprise_id=ent.pk, item_scores={"c_staff": 12}, inspected_on=ON, source_ref="INSP-1", actor=inspector_a
    )
    assert again.pk == a.pk
    assert DynamicEvaluation.objects.filter(source_ref="INSP-1").count() == 1
    assert AuditEvent.objects.filter(action="risk.assessment.create", object_id=str(a.pk)).count() == 1


def test_inspection_hook_rejects_unknown_items_and_out_of_range(inspector_a, enterprise_factory, township_a):
    ent = enterprise_factory(township_a)
    with pytest.raises(ValidationFailed) as exc:
        services.assessment_from_inspection(
            enterprise_id=ent.pk, item_scores={"p_process": 3}, inspected_on=ON, source_ref="X1", actor=inspector_a
        )
    assert "p_process" in exc.value.fields
    with pytest.raises(ValidationFailed):
        services.assessment_from_inspection(
            enterprise_id=ent.pk, item_scores={"c_staff": 13}, inspected_on=ON, source_ref="X2", actor=inspector_a
        )
    assert not RiskAssessment.objects.exists()


def test_onsite_evaluation_is_scoped_and_needs_permission(staff_a, staff_b, leader, enterprise_factory, township_a):
    ent = enterprise_factory(township_a)
    items = {"c_staff": 1, "c_materials": 2, "c_processing": 3, "c_management": 0}
    with pytest.raises(OutOfScope):
        services.onsite_evaluation_submit(enterprise_id=ent.pk, item_scores=items, evaluated_on=ON, actor=staff_b)
    with pytest.raises(PermissionDenied):
        services.onsite_evaluation_submit(enterprise_id=ent.pk, item_scores=items, evaluated_on=ON, actor=leader)
    a = services.onsite_evaluation_submit(enterprise_id=ent.pk, item_scores=items, evaluated_on=ON, actor=staff_a)
    assert a.kind == "onsite" and a.dynamic_score == 6
    with pytest.raises(PermissionDenied):  # township staff evaluate on site but do not re-grade by hand
        services.assessment_recompute(enterprise_id=ent.pk, actor=staff_a, on=ON)


def test_recompute_uses_the_latest_dynamic_evaluation(staff_a, city_staff, enterprise_factory, township_a):
    ent = enterprise_factory(township_a)
    for day, pts in ((dt.date(2025, 1, 10), 9), (dt.date(2025, 4, 10), 2)):
        services.onsite_evaluation_submit(
            enterprise_id=ent.pk, item_scores={"c_staff": pts}, evaluated_on=day, actor=staff_a
        )
    a = services.assessment_recompute(enterprise_id=ent.pk, actor=city_staff, on=ON)
    assert a.factor_scores["dynamic"] == {"c_staff": 2, "c_materials": 0, "c_processing": 0, "c_management": 0}
    assert a.inputs["dynamic"]["evaluated_on"] == "2025-04-10"


def test_later_assessment_becomes_current_earlier_one_does_not(city_staff, inspector_a, enterprise_factory, township_a):
    ent = enterprise_factory(township_a)
    late = services.assessment_recompute(enterprise_id=ent.pk, actor=city_staff, on=dt.date(2025, 9, 1))
    early = services.assessment_from_inspection(
        enterprise_id=ent.pk, item_scores={"c_staff": 1}, inspected_on=dt.date(2025, 3, 1), source_ref="E", actor=None
    )
    late.refresh_from_db()
    assert late.is_current and not early.is_current
    assert RiskAssessment.objects.filter(enterprise=ent, is_current=True).count() == 1


def test_credit_component_of_the_2022_draft(city_staff, samr, enterprise_factory, township_a):
    services.scheme_activate(scheme_id=samr.pk, actor=city_staff, effective_from=dt.date(2024, 1, 1))
    ent = enterprise_factory(township_a, "food_production", ["P14"], "small")
    services.credit_class_set(
        enterprise_id=ent.pk,
        credit_class="D",
        source="国家企业信用信息公示系统",
        as_of=dt.date(2025, 1, 5),
        actor=city_staff,
    )
    a = services.assessment_recompute(enterprise_id=ent.pk, actor=city_staff, on=ON)
    assert a.scheme_id == samr.pk
    # static 4 + 2 + 3 = 9; dynamic converted 9 × 40/40 = 9; credit D = 20
    assert (a.static_score, a.dynamic_score, a.credit_score, a.total_score, a.grade) == (9, 9, 20, 38, "B")
    assert a.factor_scores["credit"] == {"class": "D", "points": 20}
    # catering is still graded under CFDA 2016 (the draft covers production only)
    cat = enterprise_factory(township_a)
    assert services.assessment_recompute(enterprise_id=cat.pk, actor=city_staff, on=ON).scheme.code == "cfda-2016"
    # without a credit class the scheme's default (B = 6) applies
    other = enterprise_factory(township_a, "food_production", ["P14"], "small")
    assert services.assessment_recompute(enterprise_id=other.pk, actor=city_staff, on=ON).credit_score == 6


# ---------------------------------------------------------------------------- re-computation under the stored version
BUSINESS = {
    "production": (["food_production", "health_food", "small_workshop"], [f"P{i:02d}" for i in range(1, 32)]),
    "sales": (["food_sales", "small_grocery", "food_stall"], [f"S{i:02d}" for i in range(1, 8)]),
    "catering": (
        ["catering", "small_restaurant", "online_catering", "canteen", "school_canteen", "meal_distribution",
         "central_kitchen", "rural_banquet_center"],
        [f"C{i:02d}" for i in range(1, 7)],
    ),
}  # fmt: skip
ITEMS = {
    "production": {"p_conditions": 10, "p_incoming": 12, "p_process": 20, "p_release": 10, "p_management": 8},
    "sales": {"s_conditions": 8, "s_process": 22, "s_storage": 16, "s_management": 14},
    "catering": {"c_staff": 12, "c_materials": 16, "c_processing": 22, "c_management": 10},
}
EVENT_TYPES = ["failed_sample", "deliberate_violation", "incident", "obstruction", "recall_failure",
               "bad_social_impact", "dishonesty_list", "certification", "clean_record"]  # fmt: skip


def random_enterprises(rng, township, n, enterprise_factory, scheme):
    made = []
    for i in range(n):
        sector = rng.choice(list(BUSINESS))
        types, cats = BUSINESS[sector]
        ent = enterprise_factory(
            township,
            rng.choice(types),
            rng.sample(cats, rng.randint(0, 3)),
            rng.choice(["micro", "small", "medium", "large"]),
            cold_chain=rng.random() < 0.3,
            online_catering=rng.random() < 0.3,
        )
        if rng.random() < 0.6:
            DynamicEvaluation.objects.create(
                enterprise=ent, scheme=scheme, source="onsite", evaluated_on=dt.date(2024, rng.randint(1, 12), 1),
                item_scores={k: round(rng.uniform(0, mx), 1) for k, mx in ITEMS[sector].items() if rng.random() < 0.9},
                total=0,
            )  # fmt: skip
        for _ in range(rng.choice([0, 0, 0, 1, 2, 3])):
            RiskEvent.objects.create(
                enterprise=ent, event_type=rng.choice(EVENT_TYPES), occurred_on=dt.date(rng.choice([2022, 2023, 2024]),
                rng.randint(1, 12), rng.randint(1, 28)), description=f"事件 {i}",
            )  # fmt: skip
        if rng.random() < 0.4:
            CreditClass.objects.create(
                enterprise=ent, credit_class=rng.choice("ABCD"), source="测试", as_of=dt.date(2024, 6, 1)
            )
        made.append(ent)
    return made


@pytest.mark.slow
def test_every_grade_recomputes_to_the_same_result(city_staff, cfda, samr, enterprise_factory, township_a):
    """A seeded loop over 240 random enterprises: grade them (yearly regrade and single), then regrade_check each."""
    rng = random.Random(20250101)
    ents = random_enterprises(rng, township_a, 240, enterprise_factory, cfda)
    counts = services.regrade_year(year=2025, actor=city_staff)
    assert counts["created"] == 240
    for ent in ents[:40]:
        services.assessment_recompute(enterprise_id=ent.pk, actor=city_staff, on=dt.date(2025, 2, 1))
    assessments = list(RiskAssessment.objects.select_related("scheme"))
    assert len(assessments) == 280
    grades = {a.grade for a in assessments}
    assert grades == {"A", "B", "C", "D"}, grades  # the sample covers every grade
    assert any(a.adjustments for a in assessments) and any(a.basis == "static_only" for a in assessments)
    for a in assessments:
        check = services.regrade_check(a)
        assert check["ok"], (a.pk, check["differences"])


def test_regrade_check_detects_a_tampered_grade(city_staff, enterprise_factory, township_a):
    ent = enterprise_factory(township_a)
    a = services.assessment_recompute(enterprise_id=ent.pk, actor=city_staff, on=ON)
    RiskAssessment.objects.filter(pk=a.pk).update(grade="D", total_score=99)
    a.refresh_from_db()
    check = services.regrade_check(a)
    assert not check["ok"] and set(check["differences"]) == {"grade", "total_score"}


def test_compute_is_pure_and_deterministic(cfda):
    rules = engine.rules_load(cfda)
    inputs = {
        "year": 2025,
        "enterprise": {"id": 1, "business_type": "canteen", "sector": "catering", "food_categories": ["C02"],
                       "scale": "large", "flags": {}},
        "dynamic": {"item_scores": {"c_staff": 3.3, "c_processing": 1.15}},
        "events": [{"id": 7, "type": "failed_sample", "date": "2024-05-01"}],
    }  # fmt: skip
    first = engine.compute(rules, inputs)
    assert first == engine.compute(rules, inputs)
    assert first["dynamic_score"] == Decimal("4.5")  # 3.3 + 1.2 (1.15 rounds half up to 1.2)
    assert first["static_score"] == 10 + 8 + 8 + 0
