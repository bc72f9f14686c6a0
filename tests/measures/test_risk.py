"""Risk's measures (apps/risk/measures.py) on the maintained coverage state: frequency compliance and coverage
debt in two townships, hand-computed, scoping, the coverage page's rows as the actor, query count."""

import datetime as dt

import pytest
from django.utils import timezone

from apps.accounts.models import Township
from apps.risk.coverage import _buckets_rebuild
from apps.risk.models import CoverageState
from tests.factories.enterprises import EnterpriseFactory

from .helpers import assert_rows, queries, run, triple

pytestmark = pytest.mark.django_db


def state(township, *, required, frequency_due=None, floor_due=None):
    """One enterprise's coverage state today: ``next_due`` is the earliest due date (as coverage_rows sets it)."""
    today = timezone.localdate()
    floor_due = floor_due or today + dt.timedelta(days=200)
    dues = [d for d in (frequency_due, floor_due) if d]
    e = EnterpriseFactory(township=township)
    CoverageState.objects.filter(enterprise=e).delete()  # a save may have refreshed it already
    return CoverageState.objects.create(
        enterprise=e,
        township=township,
        year=today.year,
        grade="B",
        frequency="每年 1 次",
        required=required,
        done=0,
        registered_on=today - dt.timedelta(days=800),
        frequency_due=frequency_due,
        frequency_k=1 if frequency_due else 0,
        floor_due=floor_due,
        next_due=min(dues),
        computed_at=timezone.now(),
    )


@pytest.fixture
def world(township_a, township_b):
    t = timezone.localdate()
    days = dt.timedelta
    CoverageState.objects.all().delete()
    state(township_a, required=1)  # e1: this year's inspection done, nothing due: meets, not overdue
    state(township_a, required=2, frequency_due=t - days(10))  # e2: behind its frequency: overdue
    state(township_a, required=0, floor_due=t - days(5))  # e3: nothing due by grade (not in the rate), floor overdue
    state(township_a, required=3, frequency_due=t)  # e4: due today: not late yet, meets
    state(township_b, required=1, frequency_due=t - days(1))  # e5: behind since yesterday: overdue
    state(township_b, required=1, floor_due=t + days(30))  # e6: meets
    _buckets_rebuild()


# inspection coverage (required ≥ 1): A e1 e2 e4 → met e1 e4 = 2/3; B e5 e6 → 1/2; city 3/5.
# its link lists the ones behind (denominator − numerator): A e2, B e5, city 2.
# coverage debt (next_due before today): A e2 e3 = 2; B e5 = 1; city 3.
EXPECTED = {
    "risk.inspection_coverage": {"a": (2, 3, "66.67"), "b": (1, 2, "50.00"), None: (3, 5, "60.00")},
    "risk.coverage_debt": {"a": (2, None, "2"), "b": (1, None, "1"), None: (3, None, "3")},
}
LINK_ROWS = {"risk.inspection_coverage": {"a": 1, "b": 1, None: 2}}


@pytest.mark.parametrize("code", tuple(EXPECTED))
def test_city_figures_and_their_links(code, world, township_a, township_b, city_staff, client):
    out = run(code, city_staff, [township_a.pk, township_b.pk])
    for name, key in {"a": township_a.pk, "b": township_b.pk, None: None}.items():
        assert triple(out[key]) == EXPECTED[code][name], (code, name)
        rows = LINK_ROWS.get(code, {}).get(name, out[key].numerator)
        assert_rows(client, city_staff, out[key].url, rows)


@pytest.mark.parametrize("code", tuple(EXPECTED))
def test_a_township_actor_counts_only_its_township(code, world, township_a, township_b, staff_a, client):
    out = run(code, staff_a, [township_a.pk, township_b.pk])
    assert triple(out[township_a.pk]) == EXPECTED[code]["a"]
    assert triple(out[None]) == EXPECTED[code]["a"]
    assert out[township_b.pk].numerator == 0
    assert_rows(client, staff_a, out[None].url, LINK_ROWS.get(code, {}).get("a", out[None].numerator))


def test_an_earlier_day_counts_what_was_overdue_then(world, township_a, city_staff):
    # seven days ago only e2 (due ten days ago) was overdue in A; e3's floor fell due five days ago
    day = timezone.localdate() - dt.timedelta(days=7)
    if day.year != timezone.localdate().year:
        pytest.skip("the first week of January: the state is this year's")
    out = run("risk.coverage_debt", city_staff, [township_a.pk], as_of=day)
    assert out[township_a.pk].numerator == 1
    assert out[township_a.pk].note  # the link lists today's debt, and says so


@pytest.mark.parametrize("code", tuple(EXPECTED))
def test_another_year_is_not_invented(code, world, township_a, city_staff):
    year = timezone.localdate().year - 1
    out = run(code, city_staff, [township_a.pk], year=year, as_of=dt.date(year, 12, 31))
    assert out[township_a.pk].numerator is None and out[township_a.pk].value is None
    assert str(year) in out[None].note


@pytest.mark.parametrize("code", tuple(EXPECTED))
def test_queries_do_not_grow_with_townships_or_rows(code, world, township_a, township_b, city_staff):
    ids = [township_a.pk, township_b.pk]
    two = queries(lambda: run(code, city_staff, ids))
    more = list(Township.objects.exclude(pk__in=ids).order_by("order")[:4])
    for t in more:
        state(t, required=1, frequency_due=timezone.localdate() - dt.timedelta(days=3))
    six = queries(lambda: run(code, city_staff, [*ids, *(t.pk for t in more)]))
    assert two == six
