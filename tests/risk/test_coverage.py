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


# ---------------------------------------------------------------------------- the maintained state (issue 8.14)
def test_maintained_state_agrees_with_the_reference_computation(
    city_staff, samr, enterprise_factory, township_a, township_b, fake_inspections
):
    services.scheme_activate(scheme_id=samr.pk, actor=city_staff, effective_from=dt.date(2024, 1, 1))
    setups = [
        (township_a, ("catering", ["C01"], "small"), dt.date(2016, 1, 1), "D", [(dt.date(2024, 11, 1), True)]),
        (township_a, ("catering", ["C01"], "small"), dt.date(2018, 1, 1), "A", [(dt.date(2023, 7, 1), True)]),
        (township_b, ("small_restaurant", ["C01"], "micro"), dt.date(2025, 7, 31), None, []),
        (township_b, ("food_production", ["P14"], "small"), dt.date(2020, 1, 1), "A", [(dt.date(2024, 5, 1), True)]),
        (township_a, ("food_sales", ["S01"], "small"), dt.date(2024, 3, 1), "C", [(dt.date(2025, 2, 1), False)]),
        (township_b, ("catering", ["C01"], "small"), dt.date(2025, 9, 1), None, []),
    ]
    for township, attrs, reg, grade, done in setups:
        ent = enterprise_factory(township, *attrs)
        registered(ent, reg)
        if grade:
            make_graded(ent, city_staff, grade)
        for day, full in done:
            fake_inspections.add(ent, day, full=full)
    coverage.coverage_refresh(today=TODAY)
    reference = {r.enterprise_id: r for r in coverage.coverage_rows(Enterprise.objects.all(), today=TODAY)}
    from_state = {r.enterprise_id: r for r in coverage.coverage_debt(actor=city_staff, today=TODAY)}
    overdue = {eid for eid, r in reference.items() if r.is_overdue}
    assert set(from_state) == overdue and len(overdue) >= 3
    for eid in overdue:
        assert (from_state[eid].overdue_days, from_state[eid].reasons) == (
            reference[eid].overdue_days,
            reference[eid].reasons,
        )
    counts = coverage.coverage_debt_counts(city_staff, today=TODAY)
    assert sum(c["overdue"] for c in counts) == len(overdue) == coverage.coverage_overdue_count(city_staff, TODAY)
    assert sum(c["enterprises"] for c in counts) == len(reference)
    assert sum(c["required"] for c in counts) == sum(r.required for r in reference.values())
    # the reason filter and min_days are part of the one query
    floor_only = coverage.coverage_debt_qs(actor=city_staff, today=TODAY, reason="floor")
    assert {s.enterprise_id for s in floor_only} == {
        eid for eid in overdue if any(x["code"] == "floor" for x in reference[eid].reasons)
    }
    far = coverage.coverage_debt_qs(actor=city_staff, today=TODAY, min_days=200)
    assert {s.enterprise_id for s in far} == {eid for eid in overdue if reference[eid].overdue_days >= 200}


def test_state_follows_saves_of_the_enterprise_and_its_licences(city_staff, enterprise_factory, township_a):
    from apps.enterprises.models import Licence
    from apps.risk.models import CoverageState

    ent = enterprise_factory(township_a)
    state = CoverageState.objects.get(pk=ent.pk)  # post_save of the enterprise
    assert state.township_id == township_a.pk and state.grade == ""
    Licence.objects.create(enterprise=ent, kind="JY", number="JY13304810000001", issued_on=dt.date(2025, 1, 3))
    assert CoverageState.objects.get(pk=ent.pk).registered_on == dt.date(2025, 1, 3)
    services.assessment_recompute(enterprise_id=ent.pk, actor=city_staff)
    assert CoverageState.objects.get(pk=ent.pk).grade != ""  # a new current grade → new frequency
    ent.status, ent.deactivated_at = "cancelled", timezone.now()
    ent.save()
    assert not CoverageState.objects.filter(pk=ent.pk).exists()  # only operating enterprises owe inspections


def test_buckets_follow_single_changes_like_a_full_rebuild(city_staff, enterprise_factory, township_a, township_b):
    from apps.risk.models import CoverageBucket

    def buckets():
        return sorted(
            CoverageBucket.objects.values_list("township_id", "grade", "next_due", "enterprises", "required", "done")
        )

    ents = [enterprise_factory(township_a) for _ in range(3)] + [enterprise_factory(township_b)]
    services.assessment_recompute(enterprise_id=ents[0].pk, actor=city_staff)  # grade changes: bucket moves
    ents[1].township = township_b  # moves township: both townships' buckets change
    ents[1].save()
    ents[2].status, ents[2].deactivated_at = "suspended", timezone.now()  # leaves the state
    ents[2].save()
    incremental = buckets()
    coverage.coverage_refresh()  # full refresh: every bucket re-summed from scratch
    assert incremental == buckets()
    assert sum(b[3] for b in incremental) == 3
