"""检查结果按时公示率 (apps/inspections/fieldwork/measures.py): publications in two townships, hand-computed,
scoping, the publication list's rows as the actor, query count."""

import datetime as dt
import itertools

import pytest
import time_machine
from django.utils import timezone

from apps.accounts.models import Township
from apps.inspections.choices import PublicationStatus
from apps.inspections.models import InspectionResult, Publication
from tests.inspections.factories import make_enterprise, make_task

from .helpers import assert_rows, queries, run, triple

pytestmark = pytest.mark.django_db
TZ = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 7, 1, 10, tzinfo=TZ)
AS_OF = NOW.date()
CODE = "inspections.publication_on_time"
_n = itertools.count(1)


def publication(township, due, *, published=None, status=None):
    task = make_task(make_enterprise(township))
    result = InspectionResult.objects.create(
        task=task, status="final", outcome="pass", finalised_at=timezone.now(), content_hash="0" * 64
    )
    if published:
        status = PublicationStatus.PUBLISHED
    return Publication.objects.create(
        result=result,
        due_by=due,
        status=status or PublicationStatus.PENDING,
        published_at=dt.datetime.combine(published, dt.time(10), tzinfo=TZ) if published else None,
        withdrawn_at=timezone.now() if status == PublicationStatus.WITHDRAWN else None,
    )


@pytest.fixture
def world(township_a, township_b):
    d = dt.date
    publication(township_a, d(2026, 6, 10), published=d(2026, 6, 5))  # p1 on time
    publication(township_a, d(2026, 6, 10), published=d(2026, 6, 12))  # p2 published late
    publication(township_a, d(2026, 6, 20))  # p3 still unpublished past its due date: late
    publication(township_a, d(2026, 7, 10), published=d(2026, 6, 28))  # p4 due later: not counted yet
    publication(township_a, d(2026, 6, 15), status=PublicationStatus.WITHDRAWN)  # p5 withdrawn: not counted
    publication(township_a, d(2025, 12, 20), published=d(2025, 12, 1))  # p6 last year's
    publication(township_b, d(2026, 6, 30), published=d(2026, 6, 30))  # p7 on its due date: on time
    publication(township_b, d(2026, 7, 1))  # p8 due today: not late yet, not counted


# due before 1 July 2026, not withdrawn: A p1 p2 p3 → on time p1 = 1/3; B p7 → 1/1; city 2/4
EXPECTED = {"a": (1, 3, "33.33"), "b": (1, 1, "100.00"), None: (2, 4, "50.00")}


def test_city_figures_and_their_links(world, township_a, township_b, city_staff, client):
    with time_machine.travel(NOW, tick=False):
        out = run(CODE, city_staff, [township_a.pk, township_b.pk], as_of=AS_OF)
        for name, key in {"a": township_a.pk, "b": township_b.pk, None: None}.items():
            assert triple(out[key]) == EXPECTED[name], name
            assert_rows(client, city_staff, out[key].url, out[key].numerator)


def test_a_township_actor_counts_only_its_township(world, township_a, township_b, staff_a, client):
    with time_machine.travel(NOW, tick=False):
        out = run(CODE, staff_a, [township_a.pk, township_b.pk], as_of=AS_OF)
        assert triple(out[township_a.pk]) == EXPECTED["a"]
        assert triple(out[None]) == EXPECTED["a"]
        assert out[township_b.pk].numerator == 0
        assert_rows(client, staff_a, out[None].url, 1)


def test_the_late_filter_lists_the_rest_of_the_counted_rows(world, township_a, city_staff, client):
    with time_machine.travel(NOW, tick=False):
        url = f"/inspections/publications/?township={township_a.pk}&due_by__gte=2026-01-01&due_by__lte=2026-06-30"
        assert_rows(client, city_staff, url + "&timeliness=late", 2)  # p2, p3
        assert_rows(client, city_staff, url + "&timeliness=on_time", 1)  # p1
        client.force_login(city_staff)
        assert client.get(url + "&timeliness=soon").status_code < 500


def test_queries_do_not_grow_with_townships_or_rows(world, township_a, township_b, city_staff):
    ids = [township_a.pk, township_b.pk]
    with time_machine.travel(NOW, tick=False):
        two = queries(lambda: run(CODE, city_staff, ids, as_of=AS_OF))
        more = list(Township.objects.exclude(pk__in=ids).order_by("order")[:4])
        for t in more:
            publication(t, dt.date(2026, 6, 1), published=dt.date(2026, 5, 30))
        six = queries(lambda: run(CODE, city_staff, [*ids, *(t.pk for t in more)], as_of=AS_OF))
    assert two == six
