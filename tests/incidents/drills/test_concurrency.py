"""Version numbers under concurrency (PostgreSQL only: SQLite serialises writers and ignores SELECT … FOR UPDATE).
Threads with their own connections, released together by a barrier, each issue a different draft of one plan:
every number is distinct and 1..N without a gap."""

import datetime as dt
import threading

import pytest
from django.db import connections

from apps.incidents.drills import services
from apps.incidents.models import PlanVersion

from .helpers import make_plan

THREADS = 8


def _run(n, fn):
    barrier = threading.Barrier(n)
    results, errors = [], []
    lock = threading.Lock()

    def worker(i):
        try:
            barrier.wait(timeout=60)
            try:
                value = fn(i)
            finally:
                connections.close_all()
            with lock:
                results.append(value)
        except BaseException as exc:  # noqa: BLE001 - reported below
            with lock:
                errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results, errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_issues_get_distinct_gap_free_numbers(reference, city_staff):
    plan = make_plan(city_staff)
    # THREADS drafts of one plan, made directly (the upload service keeps one draft per plan at a time)
    ids = [
        PlanVersion.objects.create(
            plan=plan,
            issued_on=dt.date(2020, 1, 1),
            summary=f"稿 {i}",
            document=f"emergency-plans/{plan.pk}/x{i}.pdf",
            content_type="application/pdf",
            size=10,
            sha256="0" * 64,
        ).pk
        for i in range(THREADS)
    ]

    def issue(i):
        return services.plan_version_issue(actor=city_staff, version_id=ids[i]).number

    numbers, errors = _run(THREADS, issue)
    assert not errors, errors[:3]
    assert sorted(numbers) == list(range(1, THREADS + 1))
    assert sorted(PlanVersion.objects.filter(plan=plan).values_list("number", flat=True)) == list(range(1, THREADS + 1))
