"""Jobs outbox (issue #2 point 6; SECURITY.md "Faults and recovery", FLT-08), run eagerly in-process."""

import datetime as dt
import os
from collections import Counter
from unittest import mock

import pytest
from django.utils import timezone

from apps.common.exceptions import DomainError
from apps.common.job_registry import job_handler, registered_kinds
from apps.common.jobs import job_claim, job_create, job_publish, job_run, jobs_sweep
from apps.common.models import AuditEvent, Job, JobStatus
from apps.common.tasks import run_job_task

pytestmark = pytest.mark.django_db

CALLS: Counter = Counter()
SEEN_PROGRESS: list = []


@job_handler("test.steps")
def steps_handler(job, progress):
    CALLS[job.pk] += 1
    progress(30, "正在读取数据")
    SEEN_PROGRESS.append(Job.objects.values_list("progress", "message").get(pk=job.pk))
    progress(80, "正在生成文件")
    SEEN_PROGRESS.append(Job.objects.values_list("progress", "message").get(pk=job.pk))
    return {"rows": job.payload.get("rows", 0)}


@job_handler("test.domain_error")
def domain_error_handler(job, progress):
    CALLS[job.pk] += 1
    raise DomainError("所选企业已注销，无法生成报告", fields={"enterprise": ["已注销"]})


@job_handler("test.crash")
def crash_handler(job, progress):
    CALLS[job.pk] += 1
    raise RuntimeError("boom")


@pytest.fixture(autouse=True)
def _reset(settings):
    CALLS.clear()
    SEEN_PROGRESS.clear()
    settings.JOB_MAX_ATTEMPTS = 3
    settings.JOB_PENDING_GRACE_SECONDS = 120
    settings.JOB_LEASE_SECONDS = 600


@pytest.fixture
def actor(django_user_model):
    return django_user_model.objects.create_user(username="zhao", password="x-Test#2026-pass")


def later(seconds):
    return timezone.now() + dt.timedelta(seconds=seconds)


def create(kind, actor=None, capture=None, **kw):
    with capture(execute=True) as callbacks:
        job = job_create(kind=kind, actor=actor, title="测试任务", **kw)
    assert len(callbacks) == 1  # published on commit, exactly once
    job.refresh_from_db()
    return job


# ------------------------------------------------------------------------------------------------ happy path
def test_job_runs_on_commit_and_records_progress(actor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = job_create(kind="test.steps", payload={"rows": 12}, actor=actor, title="导出")
        assert Job.objects.get(pk=job.pk).status == JobStatus.PENDING  # nothing runs before commit
    assert CALLS[job.pk] == 0 and len(callbacks) == 1
    callbacks[0]()  # the commit
    job.refresh_from_db()
    assert SEEN_PROGRESS == [(30, "正在读取数据"), (80, "正在生成文件")]
    assert job.status == JobStatus.DONE
    assert (job.progress, job.message) == (100, "正在生成文件")
    assert job.result == {"rows": 12}
    assert job.attempts == 1 and job.finished_at and job.published_at and job.lease_until is None
    assert job.created_by == actor
    actions = list(AuditEvent.objects.filter(object_id=str(job.pk)).order_by("seq").values_list("action", flat=True))
    assert actions == ["job.create", "job.done"]


def test_selftest_handler_reports_progress_steps(django_capture_on_commit_callbacks):
    assert "common.selftest" in registered_kinds()
    job = create("common.selftest", payload={"steps": 3, "delay": 0}, capture=django_capture_on_commit_callbacks)
    assert (job.status, job.progress, job.result) == (JobStatus.DONE, 100, {"steps": 3, "ok": True, "pid": os.getpid()})
    assert job.message == "自检第 3/3 步"


# ------------------------------------------------------------------------------------------------ idempotency
def test_second_delivery_of_a_finished_job_changes_nothing(django_capture_on_commit_callbacks):
    job = create("test.steps", capture=django_capture_on_commit_callbacks)
    assert job.status == JobStatus.DONE and CALLS[job.pk] == 1
    audit_count = AuditEvent.objects.count()
    snapshot = Job.objects.filter(pk=job.pk).values().get()

    assert run_job_task.delay(str(job.pk)).get() == JobStatus.DONE  # redelivered message
    assert job_run(job.pk) == JobStatus.DONE

    assert CALLS[job.pk] == 1
    assert Job.objects.filter(pk=job.pk).values().get() == snapshot
    assert AuditEvent.objects.count() == audit_count


def test_delivery_while_another_worker_holds_the_lease_is_ignored(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        job = job_create(kind="test.steps")
    assert job_claim(job.pk) is not None  # worker 1 is running it
    assert job_run(job.pk) == JobStatus.RUNNING  # worker 2 gets a duplicate message
    assert CALLS[job.pk] == 0
    assert Job.objects.get(pk=job.pk).attempts == 1


def test_dedupe_key_returns_the_existing_job(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = job_create(kind="test.steps", dedupe_key="report:2026-11")
        second = job_create(kind="test.steps", dedupe_key="report:2026-11")
    assert first.pk == second.pk and Job.objects.count() == 1 and len(callbacks) == 1


def test_unknown_kind_is_refused_at_creation():
    with pytest.raises(ValueError):
        job_create(kind="no.such.kind")
    assert Job.objects.count() == 0


# ------------------------------------------------------------------------------------------------ sweeper
def test_sweeper_republishes_a_job_whose_lease_expired(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        job = job_create(kind="test.steps")
    job_claim(job.pk)  # a worker took it ... and died (no progress, no finish)
    assert jobs_sweep() == 0  # lease still valid: left alone
    Job.objects.filter(pk=job.pk).update(lease_until=timezone.now() - dt.timedelta(seconds=1))

    assert jobs_sweep() == 1
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.attempts == 2 and CALLS[job.pk] == 1
    assert jobs_sweep(now=later(10_000)) == 0  # finished jobs are never re-published


def test_sweeper_republishes_a_pending_job_older_than_the_grace_period(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):  # the commit hook never ran (e.g. broker down)
        job = job_create(kind="test.steps")
    assert jobs_sweep(now=later(60)) == 0  # within the 120 s grace period
    assert Job.objects.get(pk=job.pk).status == JobStatus.PENDING
    assert jobs_sweep(now=later(121)) == 1
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and CALLS[job.pk] == 1


def test_sweeper_republishes_a_published_job_that_nobody_picked_up(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        job = job_create(kind="test.steps")
    with mock.patch.object(run_job_task, "delay"):  # the message got lost in the broker
        job_publish(str(job.pk))
    assert Job.objects.get(pk=job.pk).published_at is not None
    assert jobs_sweep(now=later(60)) == 0
    assert jobs_sweep(now=later(121)) == 1
    assert Job.objects.get(pk=job.pk).status == JobStatus.DONE


def test_publish_failure_with_a_real_broker_leaves_the_job_for_the_sweeper(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        job = job_create(kind="test.steps")
    app = run_job_task.app
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        with mock.patch.object(run_job_task, "delay", side_effect=ConnectionError("redis down")):
            job_publish(str(job.pk))  # does not raise: the business request must not fail
    finally:
        app.conf.task_always_eager = eager
    assert Job.objects.get(pk=job.pk).status == JobStatus.PENDING
    assert jobs_sweep(now=later(121)) == 1


# ------------------------------------------------------------------------------------------------ failures
def test_domain_error_fails_the_job_with_its_message_and_is_not_retried(django_capture_on_commit_callbacks):
    job = create("test.domain_error", capture=django_capture_on_commit_callbacks)
    assert job.status == JobStatus.FAILED
    assert job.error == "所选企业已注销，无法生成报告"
    assert job.result == {"enterprise": ["已注销"]}
    assert jobs_sweep(now=later(10_000)) == 0
    assert job_run(job.pk) == JobStatus.FAILED
    assert CALLS[job.pk] == 1 and Job.objects.get(pk=job.pk).attempts == 1
    assert AuditEvent.objects.filter(object_id=str(job.pk), action="job.failed", outcome="failure").count() == 1


def test_unexpected_error_is_retried_then_parked_after_max_attempts(django_capture_on_commit_callbacks):
    job = create("test.crash", capture=django_capture_on_commit_callbacks)
    assert (job.status, job.attempts) == (JobStatus.PENDING, 1)
    assert "第 1 次执行出错" in job.error and "boom" not in job.error  # no exception text in the UI

    assert jobs_sweep(now=later(60)) == 0  # back-off: not before the grace period
    assert jobs_sweep(now=later(121)) == 1
    assert Job.objects.get(pk=job.pk).attempts == 2
    assert jobs_sweep(now=later(121)) == 1
    job.refresh_from_db()
    assert (job.status, job.attempts, CALLS[job.pk]) == (JobStatus.FAILED, 3, 3)
    assert "已停止重试" in job.error
    assert jobs_sweep(now=later(10_000)) == 0 and CALLS[job.pk] == 3


def test_poison_job_that_kills_its_worker_is_parked_after_max_attempts(django_capture_on_commit_callbacks):
    """FLT-08: every delivery dies mid-task (no finish, lease expires); the DB counter parks it as failed."""
    with django_capture_on_commit_callbacks(execute=False):
        job = job_create(kind="test.steps")
    for attempt in (1, 2, 3):
        claimed = job_claim(job.pk)  # delivered ... and the process is killed
        assert claimed is not None and claimed.attempts == attempt
        Job.objects.filter(pk=job.pk).update(lease_until=timezone.now() - dt.timedelta(seconds=1))

    assert jobs_sweep() == 0  # not re-published: parked
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.attempts == 3 and job.finished_at
    assert job.error.startswith("已尝试 3 次仍未完成")
    assert CALLS[job.pk] == 0
    assert AuditEvent.objects.filter(object_id=str(job.pk), action="job.failed").count() == 1
    assert job_run(job.pk) == JobStatus.FAILED  # a late redelivery (reject_on_worker_lost) changes nothing


def test_redelivery_after_max_attempts_parks_the_job():
    job = Job.objects.create(kind="test.steps", attempts=3)  # e.g. redelivered by the broker after 3 crashes
    assert job_run(job.pk) == JobStatus.FAILED
    assert CALLS[job.pk] == 0


def test_unknown_kind_in_the_table_fails_with_a_chinese_message():
    job = Job.objects.create(kind="retired.kind")
    assert job_run(job.pk) == JobStatus.FAILED
    assert Job.objects.get(pk=job.pk).error == "未知的任务类型：retired.kind"


def test_progress_from_a_stale_attempt_is_ignored(django_capture_on_commit_callbacks):
    from apps.common.jobs import _progress_fn

    with django_capture_on_commit_callbacks(execute=False):
        job = job_create(kind="test.steps")
    job_claim(job.pk)
    Job.objects.filter(pk=job.pk).update(lease_until=timezone.now() - dt.timedelta(seconds=1))
    job_claim(job.pk)  # attempt 2 took over
    _progress_fn(job.pk, 1)(90, "旧进程")
    _progress_fn(job.pk, 2)(20, "新进程")
    assert Job.objects.values_list("progress", "message").get(pk=job.pk) == (20, "新进程")


def test_run_of_a_missing_job_is_harmless():
    assert job_run("00000000-0000-0000-0000-000000000000") == "missing"


# ------------------------------------------------------------------------------------------------ beat wiring
def test_beat_schedule_names_registered_tasks(settings):
    from haining_foodsafety.celery import app

    app.loader.import_default_modules()
    assert settings.CELERY_BEAT_SCHEDULE
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["task"] in app.tasks, f"beat entry {name!r} names unregistered task {entry['task']!r}"
    assert {"common.jobs_sweep", "common.audit_verify", "common.run_job"} <= set(app.tasks)
