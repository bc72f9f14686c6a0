"""Faults survived, with REAL processes (SECURITY.md §1.10, FLT-01, FLT-03, FLT-04; issue 13 point 9).

Each test starts its own Celery worker (tests/helpers/worker.py) on its own queue against the test database, and is
bounded in wall time (``hard_timeout``). Only processes started here are signalled, by PID. FLT-08 (a poison job
parked after 3 deliveries) is tested eagerly in tests/common/test_jobs.py.
"""

import datetime as dt
import os
import signal
import socket
import subprocess
import time
from collections import Counter

import psycopg2
import pytest
import redis
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection, transaction
from django.db.models import Count
from django.test.utils import override_settings
from django.utils import timezone

from apps.common.jobs import job_create, jobs_sweep
from apps.common.models import AuditEvent, Job, JobStatus
from tests.helpers.worker import (
    broker_queue,
    child_pids,
    hard_timeout,
    start_worker,
    stop_worker,
    worker_log,
)

pytestmark = [pytest.mark.redis, pytest.mark.postgres]

SELFTEST = "common.selftest"
LEASE = 3  # seconds: the workers here hold a short lease, so a killed child's job is swept back quickly


def _actor(django_user_model):
    return django_user_model.objects.create_user(username="fault_drill", password="x-Test#2026-pass")


def _create_jobs(actor, n: int, *, delay: float) -> list[str]:
    with transaction.atomic():  # published on commit, as a business action would
        jobs = [job_create(kind=SELFTEST, payload={"steps": 1, "delay": delay}, actor=actor) for _ in range(n)]
    return [str(j.pk) for j in jobs]


def _done_count(ids) -> int:
    return Job.objects.filter(pk__in=ids, status=JobStatus.DONE).count()


def _assert_each_done_exactly_once(ids) -> dict:
    """0 lost (every job done) and 0 duplicated (one ``job.done`` effect per job). Returns attempts per job."""
    rows = dict(Job.objects.filter(pk__in=ids).values_list("pk", "status"))
    not_done = {str(k): v for k, v in rows.items() if v != JobStatus.DONE}
    assert len(rows) == len(ids) and not not_done, f"lost or unfinished: {len(not_done)} {list(not_done.items())[:5]}"
    effects = dict(
        AuditEvent.objects.filter(action="job.done", object_id__in=ids)
        .values("object_id")
        .annotate(n=Count("id"))
        .values_list("object_id", "n")
    )
    assert set(effects) == set(ids), f"{len(set(ids) - set(effects))} job(s) without their effect"
    duplicated = {k: n for k, n in effects.items() if n != 1}
    assert not duplicated, f"effects recorded more than once: {duplicated}"
    return {str(k): a for k, a in Job.objects.filter(pk__in=ids).values_list("pk", "attempts")}


def _sweep_until_done(ids, deadline: float, worker, *, client=None, queue=None, shift: int = 0) -> None:
    """Wait for the jobs; once the broker queue is empty, run the sweeper (as beat does every minute)."""
    while _done_count(ids) < len(ids):
        assert time.monotonic() < deadline, f"{len(ids) - _done_count(ids)} job(s) unfinished\n{worker_log(worker)}"
        assert worker.poll() is None, f"worker exited with {worker.returncode}:\n{worker_log(worker)}"
        if client is None or client.llen(queue) == 0:
            jobs_sweep(now=timezone.now() + dt.timedelta(seconds=shift))
        time.sleep(1)


# ---------------------------------------------------------------- FLT-01: kill -9 a worker child mid-task

FLT01_JOBS = 1000


@pytest.mark.django_db(transaction=True)
def test_flt01_kill_a_worker_child_loses_and_duplicates_nothing(django_user_model):
    with hard_timeout(150), broker_queue() as queue:
        worker = start_worker(queue, pool="prefork", concurrency=3, env={"JOB_LEASE_SECONDS": str(LEASE)})
        client = redis.Redis.from_url(os.environ["REDIS_URL"])
        try:
            ids = _create_jobs(_actor(django_user_model), FLT01_JOBS, delay=0.005)
            started = time.monotonic()
            deadline = started + 120
            while _done_count(ids) < FLT01_JOBS * 0.3:
                assert time.monotonic() < deadline, f"no progress\n{worker_log(worker)}"
                assert worker.poll() is None, worker_log(worker)
                time.sleep(0.05)
            children = child_pids(worker.pid)
            assert len(children) == 3, children
            os.kill(children[0], signal.SIGKILL)  # one pool process of the worker we started
            _sweep_until_done(ids, deadline, worker, client=client, queue=queue)
            attempts = _assert_each_done_exactly_once(ids)
            rerun = {k: a for k, a in attempts.items() if a > 1}
            # Only what the killed child had in hand ran again (its lease expired, the sweeper re-published it);
            # every other job ran once: a redelivered message of a finished or leased job changes nothing.
            assert len(rerun) <= 3 and all(a == 2 for a in rerun.values()), rerun
            now_children = child_pids(worker.pid)
            assert len(now_children) == 3 and children[0] not in now_children, "the pool replaced the killed process"
            print(f"FLT-01: {FLT01_JOBS} jobs, 1 child killed, re-run {len(rerun)}, {time.monotonic() - started:.1f} s")
        finally:
            client.close()
            stop_worker(worker)


# ---------------------------------------------------------------- FLT-03: kill -9 the broker (our own Redis)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_redis(port: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port, socket_connect_timeout=0.5)
    for _ in range(50):
        try:
            if client.ping():
                return proc
        except redis.ConnectionError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("redis-server did not start")


def _kill(proc) -> None:
    if proc.poll() is None:
        proc.kill()  # SIGKILL, by PID
    proc.wait(timeout=10)


@pytest.mark.django_db(transaction=True)
def test_flt03_broker_killed_pages_answer_and_queued_work_completes_after(django_user_model, client):
    from haining_foodsafety.settings import base

    # The real stack (REDIS_URL set) tolerates cache failures: a dead Redis is a cache miss, not a 500.
    assert base.CACHES["default"]["OPTIONS"]["IGNORE_EXCEPTIONS"] is True
    port = _free_port()
    broker = f"redis://127.0.0.1:{port}/0"
    redis_proc = _start_redis(port)
    with hard_timeout(120), broker_queue(broker) as queue:
        worker = start_worker(queue, broker_url=broker, env={"JOB_LEASE_SECONDS": str(LEASE)})
        try:
            actor = _actor(django_user_model)
            first = _create_jobs(actor, 1, delay=0)
            _sweep_until_done(first, time.monotonic() + 60, worker)  # the worker is up and consuming
            queued = _create_jobs(actor, 30, delay=0.2)  # ~6 s of work on the solo pool, most of it still queued
            _kill(redis_proc)
            outage = {**base.CACHES["default"], "LOCATION": broker, "OPTIONS": {**base.CACHES["default"]["OPTIONS"]}}
            outage["OPTIONS"]["SOCKET_CONNECT_TIMEOUT"] = 1
            with override_settings(CACHES={"default": outage}):
                from django.core.cache import caches

                caches["default"].close()
                client.force_login(actor)
                t0 = time.monotonic()
                for url in ("/", "/accounts/login/"):
                    assert client.get(url).status_code in (200, 302), url
                during = _create_jobs(actor, 5, delay=0)  # publish fails: logged, the row stays for the sweeper
                assert time.monotonic() - t0 < 15, "a page or a publish hung on the dead broker"
            assert Job.objects.filter(pk__in=during, status=JobStatus.PENDING).count() == 5
            redis_proc = _start_redis(port)  # back on the same port, empty: every queued message was lost
            ids = first + queued + during
            _sweep_until_done(ids, time.monotonic() + 90, worker, shift=settings.JOB_PENDING_GRACE_SECONDS + 1)
            attempts = _assert_each_done_exactly_once(ids)
            assert max(attempts.values()) <= 2, Counter(attempts.values())
        finally:
            stop_worker(worker)
            _kill(redis_proc)


# ---------------------------------------------------------------- FLT-04: PostgreSQL connections dropped


def _terminate_backends(*, include_own: bool) -> int:
    """Simulate a PostgreSQL restart on the test database: end its backends (only ours and our worker's)."""
    s = connection.settings_dict
    dsn = dict(dbname=s["NAME"], user=s["USER"], host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432)
    if s.get("PASSWORD"):
        dsn["password"] = s["PASSWORD"]
    killer = psycopg2.connect(**dsn)
    killer.autocommit = True
    try:
        with killer.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                + ("" if include_own else " AND pid <> %s"),
                () if include_own else (connection.connection.get_backend_pid(),),
            )
            return len(cursor.fetchall())
    finally:
        killer.close()


def _wsgi_get(path: str) -> int:
    """A request through the real WSGI handler (request_started closes unusable connections; the test client
    disconnects that signal, so it cannot show this)."""
    status = []
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "HTTP_HOST": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": __import__("io").BytesIO(b""),
        "wsgi.errors": __import__("sys").stderr,
    }
    response = WSGIHandler()(environ, lambda s, h, *a: status.append(s))
    response.close()
    return int(status[0].split()[0])


@pytest.mark.django_db(transaction=True)
def test_flt04_web_request_after_postgres_dropped_the_connection():
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True and connection.settings_dict["CONN_MAX_AGE"] > 0
    with hard_timeout(30):
        assert _wsgi_get("/accounts/login/") == 200
        connection.ensure_connection()
        old_pid = connection.connection.get_backend_pid()
        assert _terminate_backends(include_own=True) >= 1
        assert _wsgi_get("/accounts/login/") == 200  # no stale-connection error: reconnected
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            assert cursor.fetchone()[0] != old_pid


@pytest.mark.django_db(transaction=True)
def test_flt04_worker_runs_jobs_after_postgres_dropped_its_connections(django_user_model):
    with hard_timeout(90), broker_queue() as queue:
        worker = start_worker(queue)
        try:
            actor = _actor(django_user_model)
            before = _create_jobs(actor, 2, delay=0)
            _sweep_until_done(before, time.monotonic() + 60, worker)
            # The worker holds no connection between tasks (Celery's Django fixup closes it after each task when
            # CELERY_DB_REUSE_MAX is unset), so this ends whatever it has open; the next tasks must still run.
            _terminate_backends(include_own=False)
            after = _create_jobs(actor, 5, delay=0)
            deadline = time.monotonic() + 30
            while _done_count(after) < 5:  # no sweeper: the worker itself must recover
                assert time.monotonic() < deadline, worker_log(worker)
                time.sleep(0.2)
            attempts = _assert_each_done_exactly_once(before + after)
            assert set(attempts.values()) == {1}, attempts
        finally:
            stop_worker(worker)
