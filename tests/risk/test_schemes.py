"""Schemes as data: the reference fixtures load through the data migration, validate, and revise into versions."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from apps.common.exceptions import Conflict, ValidationFailed
from apps.common.models import AuditEvent
from apps.risk import engine, services
from apps.risk.choices import SchemeStatus
from apps.risk.models import RiskScheme
from apps.risk.schemes_io import fixture_data, scheme_dump, scheme_validate

pytestmark = pytest.mark.django_db


def test_reference_schemes_are_loaded_by_migration(cfda, samr):
    assert (cfda.static_max, cfda.dynamic_max, cfda.credit_max) == (40, 60, 0)
    assert cfda.status == SchemeStatus.ACTIVE and cfda.effective_from == dt.date(2016, 12, 1)
    bands = {b.grade: (b.score_max, b.min_inspections, b.max_inspections, b.period_years) for b in cfda.bands.all()}
    assert bands == {
        "A": (Decimal(30), 1, None, 1),
        "B": (Decimal(45), 1, 2, 1),
        "C": (Decimal(60), 2, 3, 1),
        "D": (None, 3, 4, 1),
    }
    assert (samr.static_max, samr.dynamic_max, samr.credit_max) == (40, 40, 20)
    assert samr.status == SchemeStatus.DRAFT
    sbands = {b.grade: (b.min_inspections, b.period_years) for b in samr.bands.all()}
    assert sbands == {"A": (1, 2), "B": (1, 1), "C": (2, 1), "D": (3, 1)}
    assert set(samr.static_tables.values_list("sector", flat=True)) == {"production"}


def test_fixture_data_is_valid_and_dump_round_trips(cfda):
    codes = {
        "business_type_codes": set(
            __import__("apps.enterprises.models", fromlist=["BusinessType"]).BusinessType.objects.values_list(
                "code", flat=True
            )
        )
    }
    for data in fixture_data():
        assert scheme_validate(data, **codes) == {}
    dumped = scheme_dump(cfda)
    assert scheme_validate(dumped, **codes) == {}
    # every production category P01..P31 has a tier; 就高不就低 options are explicit in the dump
    prod = next(t for t in dumped["static_tables"] if t["sector"] == "production")
    cat = next(f for f in prod["factors"] if f["basis"] == "food_category")
    assert {o["key"] for o in cat["options"]} == {f"P{i:02d}" for i in range(1, 32)}
    assert {o["tier"]: o["points"] for o in cat["options"]} == {"Ⅰ": 4, "Ⅱ": 8, "Ⅲ": 14, "Ⅳ": 20}


@pytest.mark.parametrize(
    "mutate, section",
    [
        (lambda d: d["bands"].pop(), "bands"),
        (lambda d: d["bands"][1].update(score_max=20), "bands"),
        (lambda d: d["dynamic_items"][0].update(max_points=11), "dynamic_items"),
        (lambda d: d["static_tables"][0]["factors"][0].update(max_points=21), "static_tables"),
        (lambda d: d["adjustment_rules"][0].update(event_type="nonsense"), "adjustment_rules"),
        (lambda d: d.update(credit_max=20), "credit"),
    ],
)
def test_validation_catches_inconsistent_schemes(cfda, mutate, section):
    data = scheme_dump(cfda)
    mutate(data)
    assert section in scheme_validate(data)


def test_revise_creates_new_version_and_old_grades_keep_theirs(city_staff, cfda, enterprise_factory, township_a):
    ent = enterprise_factory(township_a)
    old = services.assessment_recompute(enterprise_id=ent.pk, actor=city_staff, on=dt.date(2025, 3, 1))
    assert old.scheme_id == cfda.pk

    bands = scheme_dump(cfda)["bands"]
    bands[0]["score_max"] = 20  # stricter A
    draft = services.scheme_revise(
        scheme_id=cfda.pk, effective_from=dt.date(2026, 1, 1), actor=city_staff, changes={"bands": bands}
    )
    assert (draft.code, draft.version, draft.status, draft.revised_from_id) == ("cfda-2016", 2, "draft", cfda.pk)
    assert draft.static_tables.count() == cfda.static_tables.count()
    # a draft is not in force
    assert services.scheme_in_force(sector="catering", on=dt.date(2026, 6, 1)).pk == cfda.pk
    with pytest.raises(Conflict):  # only one draft per code
        services.scheme_revise(scheme_id=cfda.pk, effective_from=dt.date(2026, 1, 1), actor=city_staff)

    services.scheme_activate(scheme_id=draft.pk, actor=city_staff)
    cfda.refresh_from_db()
    assert cfda.status == SchemeStatus.RETIRED and cfda.effective_to == dt.date(2026, 1, 1)
    assert services.scheme_in_force(sector="catering", on=dt.date(2025, 12, 31)).pk == cfda.pk
    assert services.scheme_in_force(sector="catering", on=dt.date(2026, 1, 1)).pk == draft.pk

    old.refresh_from_db()
    assert old.scheme_id == cfda.pk
    assert services.regrade_check(old)["ok"]
    new = services.assessment_recompute(enterprise_id=ent.pk, actor=city_staff, on=dt.date(2026, 3, 1))
    assert new.scheme_id == draft.pk
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"risk.scheme.revise", "risk.scheme.activate", "risk.scheme.retire"} <= actions


def test_published_scheme_cannot_be_edited_and_draft_edits_are_validated(city_staff, cfda, samr):
    with pytest.raises(Conflict):
        services.scheme_update_draft(scheme_id=cfda.pk, data={"name": "改名"}, actor=city_staff)
    with pytest.raises(ValidationFailed):
        services.scheme_update_draft(scheme_id=samr.pk, data={"dynamic_max": 50}, actor=city_staff)
    services.scheme_update_draft(scheme_id=samr.pk, data={"name": "生产企业风险分级（试行）"}, actor=city_staff)
    samr.refresh_from_db()
    assert samr.name == "生产企业风险分级（试行）"


def test_activation_date_must_follow_previous_version(city_staff, cfda):
    draft = services.scheme_revise(scheme_id=cfda.pk, effective_from=dt.date(2015, 1, 1), actor=city_staff)
    with pytest.raises(Conflict):
        services.scheme_activate(scheme_id=draft.pk, actor=city_staff)


def test_scheme_writes_need_permission(staff_a, cfda, samr):
    with pytest.raises(PermissionDenied):
        services.scheme_revise(scheme_id=cfda.pk, effective_from=dt.date(2027, 1, 1), actor=staff_a)
    with pytest.raises(PermissionDenied):
        services.scheme_activate(scheme_id=samr.pk, actor=staff_a)


def test_rules_load_reads_the_whole_scheme(cfda, django_assert_max_num_queries):
    with django_assert_max_num_queries(7):
        rules = engine.rules_load(cfda)
    assert rules.sectors == {"production", "sales", "catering"}
    assert sum(it.max_points for it in rules.items["catering"]) == 60
    assert [b.grade for b in rules.bands] == ["A", "B", "C", "D"]
    assert RiskScheme.objects.count() == 2
