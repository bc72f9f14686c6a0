"""Several years at once (apps/common/measures.py ``run_years``, ``batch``, ``shared``): the dashboard's one path.

Each registered measure gives, for several years in one call, exactly what it gives year by year; inside a batch a
source read by several measures is read once (the six registry measures: one GROUP BY and the evaluators' names)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.common import measures as registry
from apps.common.measures import batch, compute_years, measures, shared

from .test_enterprises import CODES as ENTERPRISE_CODES
from .test_enterprises import world  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


def _span(years: int = 3) -> dict:
    today = timezone.localdate()
    return {
        y: (today if y == today.year else dt.date(y, 12, 31)) for y in range(today.year - years + 1, today.year + 1)
    }


def test_several_years_at_once_equal_year_by_year(world, township_a, township_b, city_staff):  # noqa: F811
    ids = [township_a.pk, township_b.pk]
    span = _span()
    for m in measures():
        at_once = compute_years(m.code, city_staff, as_of=span, township_ids=ids)
        assert set(at_once) == set(span), m.code
        for year, day in span.items():
            one = registry.compute(m.code, city_staff, year=year, township_ids=ids, as_of=day)
            assert at_once[year] == one, (m.code, year)
        # the same again inside a batch (sources shared between measures)
        with batch(as_of=span):
            assert compute_years(m.code, city_staff, as_of=span, township_ids=ids) == at_once, m.code


def test_a_batch_reads_the_registry_once_for_its_six_measures_and_five_years(world, township_a, city_staff):  # noqa: F811
    span = _span(5)
    registry.compute(ENTERPRISE_CODES[0], city_staff, year=max(span), township_ids=[township_a.pk])  # warm caches
    with CaptureQueriesContext(connection) as alone:
        registry.compute(ENTERPRISE_CODES[0], city_staff, year=max(span), township_ids=[township_a.pk])
    with batch(as_of=span), CaptureQueriesContext(connection) as ctx:
        for code in ENTERPRISE_CODES:
            compute_years(code, city_staff, as_of={max(span): span[max(span)]}, township_ids=[township_a.pk])
            compute_years(code, city_staff, as_of={y: d for y, d in span.items() if y != max(span)}, township_ids=[])
    assert len(alone) == 1
    assert len(ctx) == 2  # the GROUP BY of every population (and each day's certificates), the evaluators' names


def test_shared_memoises_inside_a_batch_only():
    calls = []

    def load():
        calls.append(1)
        return len(calls)

    assert shared("k", load) == 1 and shared("k", load) == 2  # no batch: read every time
    with batch():
        assert shared("k", load) == 3 and shared("k", load) == 3
        with batch():  # nested: the same batch
            assert shared("k", load) == 3
    assert shared("k", load) == 4
