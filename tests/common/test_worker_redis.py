"""End to end with a REAL Celery worker process against Redis and PostgreSQL (issue #2 point 6).

The test process publishes through the broker (not eagerly); the worker is a separate process on its own queue,
pointed at the test database; the job must reach "done" with progress 100 within 60 s.
"""

import os
import time

import pytest
from django.db import transaction

from apps.common.jobs import job_create
from apps.common.models import Job, JobStatus
from tests.helpers.worker import broker_queue, start_worker, stop_worker, worker_log

pytestmark = [pytest.mark.redis, pytest.mark.postgres]

TIMEOUT = 60


@pytest.fixture
def worker(transactional_db):
    with broker_queue() as queue:
        proc = start_worker(queue)
        try:
            yield proc
        finally:
            stop_worker(proc)


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
        assert worker.poll() is None, f"worker exited with {worker.returncode}:\n{worker_log(worker)}"
        time.sleep(0.1)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, (
        f"job not done within {TIMEOUT} s: {job.status} {job.progress}% {job.error}\n{worker_log(worker)}"
    )
    assert job.progress == 100 and job.message == "自检第 4/4 步"
    assert job.result["ok"] is True and job.result["steps"] == 4
    assert job.result["pid"] == worker.pid != os.getpid()  # ran in the worker process (solo pool)
    assert job.attempts == 1 and job.published_at is not None
    assert any(0 < p < 100 for p in seen), seen  # progress was visible while it ran
