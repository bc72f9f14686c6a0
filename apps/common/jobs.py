"""Jobs: the outbox of SECURITY.md "Faults and recovery".

A ``Job`` row is written in the same transaction as the business action and published to Celery on commit.
``job_run`` executes it idempotently: under a row lock it refuses a job that is finished or leased by another
worker, so a second delivery changes nothing. The handler reports progress (0–100 and a message).
``jobs_sweep`` (Celery beat, every minute) re-publishes jobs that stayed pending too long or whose lease ran out.

Register work with ``@job_handler("kind")``; the handler gets ``(job, progress)`` and returns a JSON-able dict.
"""

import datetime as dt
import logging
import traceback
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .audit import audit_record
from .exceptions import DomainError
from .models import Job, JobStatus

log = logging.getLogger(__name__)

ProgressFn = Callable[[int, str], None]
_HANDLERS: dict[str, Callable[[Job, ProgressFn], dict]] = {}


def job_handler(kind: str):
    def register(fn):
        _HANDLERS[kind] = fn
        return fn

    return register


def registered_kinds() -> list[str]:
    return sorted(_HANDLERS)


def job_create(
    *, kind: str, payload: dict | None = None, actor=None, title: str = "", dedupe_key: str | None = None
) -> Job:
    """Write the job row (and an audit event) in the caller's transaction; publish after commit.

    With ``dedupe_key``, a second call returns the existing job instead of creating another.
    """
    with transaction.atomic():
        if dedupe_key:
            existing = Job.objects.filter(dedupe_key=dedupe_key).first()
            if existing:
                return existing
        job = Job.objects.create(
            kind=kind,
            title=title,
            payload=payload or {},
            created_by=actor if actor is not None and actor.is_authenticated else None,
            dedupe_key=dedupe_key,
        )
        audit_record("job.create", obj=job, actor=actor, extra={"kind": kind, "payload": payload or {}})
        job_id = str(job.pk)
        transaction.on_commit(lambda: job_publish(job_id))
    return job


def job_publish(job_id: str) -> None:
    """Hand the job to Celery (eager mode runs it right here)."""
    from .tasks import run_job_task

    Job.objects.filter(pk=job_id, status=JobStatus.PENDING).update(published_at=timezone.now())
    try:
        run_job_task.delay(job_id)
    except Exception:  # broker down: the row stays pending and the sweeper re-publishes it
        if settings.CELERY_TASK_ALWAYS_EAGER:
            raise
        log.exception("job %s could not be published; the sweeper will retry", job_id)


def _progress_fn(job_id) -> ProgressFn:
    def progress(percent: int, message: str = "") -> None:
        percent = max(0, min(100, int(percent)))
        lease = timezone.now() + dt.timedelta(seconds=settings.JOB_LEASE_SECONDS)
        Job.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(
            progress=percent, message=message[:500], lease_until=lease, updated_at=timezone.now()
        )

    return progress


def job_claim(job_id) -> Job | None:
    """Mark the job running under a lock; None if it is finished, unknown, or leased by another worker."""
    now = timezone.now()
    with transaction.atomic():
        job = Job.objects.select_for_update(skip_locked=True).filter(pk=job_id).first()
        if job is None or job.is_finished:
            return None
        if job.status == JobStatus.RUNNING and job.lease_until and job.lease_until > now:
            return None
        if job.attempts >= settings.JOB_MAX_ATTEMPTS:
            job.status = JobStatus.FAILED
            job.error = f"已尝试 {job.attempts} 次仍未完成，已停止重试"
            job.finished_at = now
            job.save(update_fields=["status", "error", "finished_at", "updated_at"])
            audit_record("job.failed", obj=job, outcome="failure", extra={"error": job.error})
            return None
        job.status = JobStatus.RUNNING
        job.attempts += 1
        job.started_at = job.started_at or now
        job.lease_until = now + dt.timedelta(seconds=settings.JOB_LEASE_SECONDS)
        job.save(update_fields=["status", "attempts", "started_at", "lease_until", "updated_at"])
    return job


def job_run(job_id) -> str:
    """Execute a job once; a second delivery of a finished or running job is a no-op. Returns the final status."""
    job = job_claim(job_id)
    if job is None:
        current = Job.objects.filter(pk=job_id).values_list("status", flat=True).first()
        return current or "missing"
    handler = _HANDLERS.get(job.kind)
    try:
        if handler is None:
            raise DomainError(f"未知的任务类型：{job.kind}")
        result = handler(job, _progress_fn(job.pk)) or {}
    except DomainError as exc:
        _finish(job.pk, JobStatus.FAILED, error=exc.message, result=getattr(exc, "fields", {}) or {})
        return JobStatus.FAILED
    except Exception as exc:  # unexpected: record it, keep the traceback out of the UI
        log.exception("job %s (%s) failed", job.pk, job.kind)
        _finish(job.pk, JobStatus.FAILED, error=f"执行出错：{exc.__class__.__name__}", detail=traceback.format_exc())
        if settings.CELERY_TASK_ALWAYS_EAGER and getattr(settings, "JOBS_RAISE_IN_EAGER", False):
            raise
        return JobStatus.FAILED
    _finish(job.pk, JobStatus.DONE, result=result)
    return JobStatus.DONE


def _finish(job_id, status: str, *, result: dict | None = None, error: str = "", detail: str = "") -> None:
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job_id)
        if job.is_finished:
            return
        job.status = status
        job.finished_at = timezone.now()
        job.lease_until = None
        job.result = result or {}
        job.error = error
        if status == JobStatus.DONE:
            job.progress = 100
            job.message = job.message or "完成"
        job.save()
        audit_record(
            f"job.{status}",
            obj=job,
            outcome="success" if status == JobStatus.DONE else "failure",
            extra={"error": error, "detail": detail[-2000:]} if error else {"result": result or {}},
        )


def jobs_sweep(*, now=None) -> int:
    """Re-publish jobs pending past the grace period or running past their lease. Returns how many."""
    now = now or timezone.now()
    grace = now - dt.timedelta(seconds=settings.JOB_PENDING_GRACE_SECONDS)
    stuck_pending = Job.objects.filter(status=JobStatus.PENDING).filter(
        published_at__isnull=True, created_at__lt=grace
    ) | Job.objects.filter(status=JobStatus.PENDING, published_at__lt=grace)
    expired = Job.objects.filter(status=JobStatus.RUNNING, lease_until__lt=now)
    ids = [str(pk) for pk in stuck_pending.values_list("pk", flat=True)] + [
        str(pk) for pk in expired.values_list("pk", flat=True)
    ]
    for job_id in ids:
        job_publish(job_id)
    return len(ids)
