"""End to end with a REAL Celery worker process against Redis and PostgreSQL (issue #2 point 6).

The test process publishes through the broker (not eagerly); the worker is a separate process on its own queue,
pointed at the test database; the job must reach "done" with progress 100 within 60 s.
"""

import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection, transaction

from apps.common.jobs import job_create
from apps.common.models import Job, JobStatus

pytestmark = [pytest.mark.redis, pytest.mark.postgres]

BASE_DIR = Path(settings.BASE_DIR)
TIMEOUT = 60


def _test_database_url() -> str:
    """DATABASE_URL of the database this test runs on (pytest-django's test_<name>, per xdist worker)."""
    s = connection.settings_dict
    auth = quote(s["USER"] or "", safe="")
    if s.get("PASSWORD"):
        auth += ":" + quote(s["PASSWORD"], safe="")
    host = s.get("HOST") or "127.0.0.1"
    port = s.get("PORT") or 5432
    return f"postgres://{auth}@{host}:{port}/{quote(s['NAME'], safe='')}"


@pytest.fixture
def broker_queue():
    """Publish through the real broker onto a queue of our own, restoring the Celery app afterwards."""
    from haining_foodsafety.celery import app

    queue = f"hn-test-{uuid.uuid4().hex[:12]}"
    saved = {k: app.conf[k] for k in ("task_always_eager", "broker_url", "task_routes")}

    def reset_pools():  # forget cached broker pools/routes so the new broker URL and routes take effect
        app._pool = None
        app.amqp._producer_pool = None
        app.amqp.__dict__.pop("router", None)
        app.amqp.flush_routes()

    app.conf.task_always_eager = False
    app.conf.broker_url = os.environ["REDIS_URL"]
    app.conf.task_routes = {"common.run_job": {"queue": queue}}
    reset_pools()
    try:
        yield queue
    finally:
        for key, value in saved.items():
            app.conf[key] = value
        reset_pools()
        import redis

        client = redis.Redis.from_url(os.environ["REDIS_URL"])
        client.delete(queue, f"_kombu.binding.{queue}")
        client.close()


@pytest.fixture
def worker(broker_queue, transactional_db):
    log = tempfile.NamedTemporaryFile(prefix="hn-worker-", suffix=".log", delete=False)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "haining_foodsafety.settings.test"),
        "DATABASE_URL": _test_database_url(),
        "REDIS_URL": os.environ["REDIS_URL"],
        "PYTHONUNBUFFERED": "1",
    }
    celery_bin = Path(sys.executable).with_name("celery")
    cmd = [
        str(celery_bin),
        "-A",
        "haining_foodsafety",
        "worker",
        "--pool=solo",
        "-l",
        "warning",
        "-Q",
        broker_queue,
        "-n",
        f"{broker_queue}@%h",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
    proc = subprocess.Popen(cmd, cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)
    proc.log_path = log.name
    try:
        yield proc
    finally:
        proc.terminate()  # warm shutdown, by PID
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()
        os.unlink(log.name)


def _worker_log(proc) -> str:
    return Path(proc.log_path).read_text(errors="replace")[-3000:]


def test_real_worker_runs_a_job_end_to_end(worker, django_user_model):
    actor = django_user_model.objects.create_user(username="worker_test", password="x-Test#2026-pass")
    with transaction.atomic():
        job = job_create(
            kind="common.selftest", payload={"steps": 4, "delay": 0.5}, actor=actor, title="自检（真实队列）"
        )
        assert Job.objects.get(pk=job.pk).published_at is None  # nothing leaves before commit
    # Committed: published to Redis. Nothing runs in this process (not eager).
    seen = set()
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        row = Job.objects.values("status", "progress", "message").get(pk=job.pk)
        seen.add(row["progress"])
        if row["status"] in (JobStatus.DONE, JobStatus.FAILED):
            break
        assert worker.poll() is None, f"worker exited with {worker.returncode}:\n{_worker_log(worker)}"
        time.sleep(0.1)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, (
        f"job not done within {TIMEOUT} s: {job.status} {job.progress}% {job.error}\n{_worker_log(worker)}"
    )
    assert job.progress == 100 and job.message == "自检第 4/4 步"
    assert job.result["ok"] is True and job.result["steps"] == 4
    assert job.result["pid"] == worker.pid != os.getpid()  # ran in the worker process (solo pool)
    assert job.attempts == 1 and job.published_at is not None
    assert any(0 < p < 100 for p in seen), seen  # progress was visible while it ran
