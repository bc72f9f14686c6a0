"""CONC-01 / DRW-02: 100 concurrent draw requests for one plan + round → exactly one draw, 409 for the rest, 0 5xx.

PostgreSQL only (SQLite serialises writers and ignores SELECT … FOR UPDATE). Each thread has its own connection,
closed when it ends; all are released together by a barrier. The shared test server allows max_connections=100, so
the requests that cannot get a connection at once wait for one (as behind a connection pool) — at most
``max_connections - in use - 10`` of them hold a database connection at the same time.
"""

import threading

import pytest
from django.db import connection, connections
from rest_framework.test import APIClient

from apps.inspections.draws.services import plan_commit
from apps.inspections.models import Draw, DrawOutcome, DrawSelection, InspectionTask
from tests.inspections.draw_helpers import enter_public_value

REQUESTS = 100


def _connection_budget() -> int:
    with connection.cursor() as cur:
        cur.execute("SHOW max_connections")
        max_connections = int(cur.fetchone()[0])
        cur.execute("SELECT count(*) FROM pg_stat_activity")
        in_use = int(cur.fetchone()[0])
    return max(5, min(REQUESTS, max_connections - in_use - 10))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_hundred_concurrent_draw_requests_give_exactly_one_draw(world, city_staff):
    plan = world.plan(city_staff)
    plan_commit(actor=city_staff, plan_id=plan.pk)
    enter_public_value(actor=city_staff, plan_id=plan.pk)  # hrs-v2: the witnesses' values are in
    budget = threading.Semaphore(_connection_budget())
    barrier = threading.Barrier(REQUESTS)
    statuses: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker():
        try:
            client = APIClient()
            client.force_authenticate(city_staff)
            barrier.wait(timeout=60)
            with budget:
                try:
                    response = client.post(f"/api/v1/inspections/plans/{plan.pk}/draw/")
                finally:
                    connections.close_all()
            with lock:
                statuses.append(response.status_code)
        except BaseException as exc:  # noqa: BLE001 - reported below
            with lock:
                errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(REQUESTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not errors, errors[:3]
    assert len(statuses) == REQUESTS
    assert statuses.count(201) == 1
    assert statuses.count(409) == REQUESTS - 1
    assert not [s for s in statuses if s >= 500]
    assert Draw.objects.filter(plan=plan).count() == 1
    assert DrawOutcome.objects.filter(draw__plan=plan).count() == 1
    draw = Draw.objects.get(plan=plan)
    assert DrawSelection.objects.filter(draw=draw).count() == draw.outcome.selected_count == 10
    assert InspectionTask.objects.filter(plan=plan).count() == 10
