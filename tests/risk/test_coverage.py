"""Frequency and coverage debt: grade frequency (pro-rata), the Order 49 two-year floor, 三小一摊 first inspection;
inspections come from registered sources (none registered → nobody has inspections)."""

import datetime as dt

import pytest
from django.utils import timezone

from apps.enterprises.models import Enterprise
from apps.risk import coverage, services
from apps.risk.models import RiskAssessment

pytestmark = pytest.mark.django_db
TODAY = dt.date(2025, 9, 15)


def registered(ent, day):
    Enterprise.objects.filter(pk=ent.pk).update(created_at=timezone.make_aware(dt.datetime.combine(day, dt.time(9))))


def make_graded(ent, actor, grade):
    a = services.assessment_recompute(enterprise_id=ent.pk, actor=actor, on=dt.date(2025, 1, 1))
    RiskAssessment.objects.filter(pk=a.pk).update(grade=grade)  # frequency only reads the grade
    return a


def debt_of(actor, ent, today=TODAY):
    rows = {r.enterprise_id: r for r in coverage.coverage_rows(Enterprise.objects.visible_to(actor), today=today)}
    return rows[ent.pk]


def test_due_dates_are_spread_over_the_year():
    assert coverage.frequency_due_dates(2025, 1) == (dt.date(2025, 12, 31),)
    assert coverage.frequency_due_dates(2025, 3) == (dt.date(2025, 4, 30), dt.date(2025, 8, 31), dt.date(2025, 12, 31))
    assert coverage.frequency_due_dates(2025, 0) == ()


def test_grade_d_needs_three_inspections_pro_rata(city_staff, enterprise_factory, township_a, fake_inspections):
    ent = enterprise_factory(township_a)
    registered(ent, dt.date(2020, 1, 1))
    make_graded(ent, city_staff, "D")
    fake_inspections.add(ent, dt.date(2024, 11, 1))  # full inspection last year: the floor is satisfied
    row = debt_of(city_staff, ent)
    assert (row.required, row.done, row.frequency) == (3, 0, "每年 3–4 次")
    assert row.overdue_days == (TODAY - dt.date(2025, 4, 30)).days
    assert [r["code"] for r in row.reasons] == ["frequency"]
    fake_inspections.add(ent, dt.date(2025, 4, 20), full=False)
    row = debt_of(city_staff, ent)
    assert row.done == 1 and row.overdue_days == (TODAY - dt.date(2025, 8, 31)).days
    fake_inspections.add(ent, dt.date(2025, 8, 1), full=False)
    assert debt_of(city_staff, ent).overdue_days == 0


def test_order_49_floor_two_years_after_last_full_inspection(
    city_staff, enterprise_factory, township_a, fake_inspections
):
    ent = enterprise_factory(township_a)
    registered(ent, dt.date(2018, 1, 1))
    make_graded(ent, city_staff, "A")
    fake_inspections.add(ent, dt.date(2023, 7, 1))  # full
    fake_inspections.add(ent, dt.date(2024, 12, 1), full=False)  # partial: does not reset the floor
    row = debt_of(city_staff, ent)
    assert row.last_full == dt.date(2023, 7, 1)
    assert [(r["code"], r["due"]) for r in row.reasons] == [("floor", "2025-07-01")]
    assert row.overdue_days == (TODAY - dt.date(2025, 7, 1)).days


def test_without_any_source_nobody_has_inspections(city_staff, enterprise_factory, township_a, no_inspection_sources):
    assert coverage.registered_sources() == []
    old = enterprise_factory(township_a)
    registered(old, dt.date(2015, 1, 1))
    young = enterprise_factory(township_a)
    registered(young, dt.date(2024, 3, 1))
    row_old, row_young = debt_of(city_staff, old), debt_of(city_staff, young)
    assert row_old.reasons[0]["at_least"] and row_old.overdue_days == (TODAY - dt.date(2024, 12, 31)).days
    assert row_young.overdue_days == 0  # registered 2024-03-01: floor due 2026-03-01


def test_small_businesses_need_a_first_inspection_within_a_month(
    city_staff, enterprise_factory, township_a, fake_inspections
):
    shop = enterprise_factory(township_a, "small_restaurant", ["C01"], "micro")
    registered(shop, dt.date(2025, 7, 31))
    row = debt_of(city_staff, shop)
    assert [(r["code"], r["due"]) for r in row.reasons] == [("first", "2025-08-31")]
    fake_inspections.add(shop, dt.date(2025, 8, 20))
    assert debt_of(city_staff, shop).overdue_days == 0


def test_a_grade_once_every_two_years(city_staff, samr, enterprise_factory, township_a, fake_inspections):
    services.scheme_activate(scheme_id=samr.pk, actor=city_staff, effective_from=dt.date(2024, 1, 1))
    ent = enterprise_factory(township_a, "food_production", ["P14"], "small")
    registered(ent, dt.date(2020, 1, 1))
    make_graded(ent, city_staff, "A")
    fake_inspections.add(ent, dt.date(2024, 5, 1))
    row = debt_of(city_staff, ent)
    assert (row.required, row.frequency) == (0, "每 2 年至少 1 次")
    assert debt_of(city_staff, ent, today=dt.date(2026, 3, 1)).required == 1


def test_debt_list_and_counts_are_scoped_and_sorted(
    staff_a, city_staff, enterprise_factory, township_a, township_b, fake_inspections
):
    a1, a2 = enterprise_factory(township_a), enterprise_factory(township_a)
    b1 = enterprise_factory(township_b)
    for ent, day in ((a1, dt.date(2016, 1, 1)), (a2, dt.date(2022, 6, 1)), (b1, dt.date(2016, 1, 1))):
        registered(ent, day)
    fake_inspections.add(a2, dt.date(2023, 6, 1))
    coverage.coverage_refresh(today=TODAY)  # the dates above were set by UPDATE and a fake source: no hook ran
    rows = coverage.coverage_debt(actor=staff_a, today=TODAY)
    assert [r.enterprise_id for r in rows] == [a1.pk, a2.pk]  # a1 more overdue first; township B invisible
    counts = coverage.coverage_debt_counts(staff_a, today=TODAY)
    assert [(c["township"], c["enterprises"], c["overdue"]) for c in counts] == [("硖石街道", 2, 2)]
    city = {c["township"]: c["overdue"] for c in coverage.coverage_debt_counts(city_staff, today=TODAY)}
    assert city == {"硖石街道": 2, "许村镇": 1}
    assert fake_inspections.calls >= 3


def test_source_rows_may_be_dicts_and_datetimes(enterprise_factory, township_a, fake_inspections):
    ent = enterprise_factory(township_a)

    def source(ids, year):
        return {ent.pk: [{"date": "2025-02-03", "full_coverage": False}, {"date": timezone.now()}]}

    coverage.register_inspection_source(source)
    try:
        rows = coverage.completed_inspections([ent.pk], 2025)[ent.pk]
    finally:
        coverage.unregister_inspection_source(source)
    assert rows[0] == (dt.date(2025, 2, 3), False) and rows[1][1] is True
