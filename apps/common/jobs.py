"""Jobs: the outbox of SECURITY.md "Faults and recovery".

A ``Job`` row is written in the same transaction as the business action and published to Celery on commit.
``job_run`` executes it idempotently: under a row lock it refuses a job that is finished or leased by another
worker, so a second delivery changes nothing. The handler reports progress (0–100 and a message).
``jobs_sweep`` (Celery beat, every minute) re-publishes jobs that stayed pending too long or whose lease ran out,
and parks a job as failed once it has used ``JOB_MAX_ATTEMPTS`` deliveries (a poison job, FLT-08).

Register work with ``@job_handler("kind", label="中文名称")`` (``apps/common/job_registry.py``) in
``apps/<app>/job_handlers.py``, discovered in every process that runs jobs. The handler gets ``(job, progress)`` and
returns a JSON-able dict. Its effects must be idempotent (protect them with a unique key such as ``job_id``): after
a crash or an expired lease the job runs again.

Failures: a ``DomainError`` fails the job at once with its (Chinese) message — retrying would not help. Any other
exception is treated as transient: the job goes back to pending and the sweeper re-publishes it after
``JOB_PENDING_GRACE_SECONDS``, until ``JOB_MAX_ATTEMPTS`` is reached.
"""

import datetime as dt
import logging
import traceback

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from .audit import audit_record, to_jsonable
from .exceptions import DomainError
from .job_registry import ProgressFn, handler_for
from .models import Job, JobStatus

log = logging.getLogger(__name__)


def job_creator(job: Job, message: str):
    """The job's creator, as whom a handler acts (so it has exactly that user's scope); a creator since deleted or
    deactivated fails the job with ``message`` (a DomainError: retrying would not help)."""
    actor = job.created_by
    if actor is None or not actor.is_active:
        raise DomainError(message)
    return actor


def filtered_export_job(job: Job, progress: ProgressFn, *, path, title: str, url: str, build) -> dict:
    """The body of every "export a filtered list" job: the payload holds the list's ``filters`` (a dict of lists, as
    the page's query string); ``build(actor, params)`` returns ``(xlsx bytes, row count)`` as the page's own export
    does. Acts as the job's creator; idempotent (a redelivered job whose file exists returns its first result); the
    file is written under a temporary name and renamed, so a half-written file is never served."""
    import os

    from django.http import QueryDict

    actor = job_creator(job, "导出任务的发起人不存在或已停用")
    if path.exists() and job.result.get("rows") is not None:
        return job.result
    params = QueryDict(mutable=True)
    for key, values in (job.payload.get("filters") or {}).items():
        params.setlist(key, [str(v) for v in (values if isinstance(values, list) else [values])])
    progress(10, "正在生成 Excel 文件")
    content, count = build(actor, params)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    tmp.write_bytes(content)
    os.replace(tmp, path)
    filename = f"{title}_{timezone.localtime(job.created_at):%Y%m%d_%H%M}.xlsx"
    return {"summary": f"导出完成：共 {count:,} 条", "rows": count, "filename": filename, "next_url": url}


def job_create(
    *, kind: str, payload: dict | None = None, actor=None, title: str = "", dedupe_key: str | None = None
) -> Job:
    """Write the job row (and an audit event) in the caller's transaction; publish after commit.

    With ``dedupe_key``, a second call returns the existing job instead of creating another.
    """
    if handler_for(kind) is None:
        raise ValueError(f"unknown job kind {kind!r}; register it with @job_handler")
    payload = to_jsonable(payload or {})
    with transaction.atomic():
        if dedupe_key:
            existing = Job.objects.filter(dedupe_key=dedupe_key).first()
            if existing:
                return existing
        try:
            with transaction.atomic():
                job = Job.objects.create(
                    kind=kind,
                    title=title,
                    payload=payload,
                    created_by=actor if actor is not None and actor.is_authenticated else None,
                    dedupe_key=dedupe_key,
                )
        except IntegrityError:
            if not dedupe_key:
                raise
            return Job.objects.get(dedupe_key=dedupe_key)  # a concurrent caller won the race
        audit_record("job.create", obj=job, actor=actor, extra={"kind": kind, "payload": payload})
        job_id = str(job.pk)
        transaction.on_commit(lambda: job_publish(job_id))
    return job


def job_publish(job_id: str) -> None:
    """Hand the job to Celery (eager mode runs it right here)."""
    from .tasks import run_job_task

    Job.objects.filter(pk=job_id, status=JobStatus.PENDING).update(published_at=timezone.now())
    try:
        run_job_task.delay(str(job_id))
    except Exception:  # broker down: the row stays pending and the sweeper re-publishes it
        if run_job_task.app.conf.task_always_eager:
            raise
        log.exception("job %s could not be published; the sweeper will retry", job_id)


def _progress_fn(job_id, attempt: int) -> ProgressFn:
    """Progress reporter bound to one attempt: a stale worker whose lease was taken over cannot overwrite it."""

    def progress(percent: int, message: str = "") -> None:
        percent = max(0, min(100, int(percent)))
        now = timezone.now()
        Job.objects.filter(pk=job_id, status=JobStatus.RUNNING, attempts=attempt).update(
            progress=percent,
            message=str(message)[:500],
            lease_until=now + dt.timedelta(seconds=settings.JOB_LEASE_SECONDS),
            updated_at=now,
        )

    return progress


def _park(job: Job, now) -> None:
    """Give up on a job that used all its deliveries (called with the row locked)."""
    job.status = JobStatus.FAILED
    job.error = f"已尝试 {job.attempts} 次仍未完成，已停止重试，请联系系统管理员"
    job.finished_at = now
    job.lease_until = None
    job.save(update_fields=["status", "error", "finished_at", "lease_until", "updated_at"])
    audit_record("job.failed", obj=job, outcome="failure", extra={"error": job.error, "attempts": job.attempts})
    log.error("job %s (%s) parked as failed after %s attempts", job.pk, job.kind, job.attempts)


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
            _park(job, now)
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
    handler = handler_for(job.kind)
    try:
        if handler is None:
            raise DomainError(f"未知的任务类型：{job.kind}")
        result = to_jsonable(handler(job, _progress_fn(job.pk, job.attempts)) or {})
    except DomainError as exc:
        _finish(job.pk, job.attempts, JobStatus.FAILED, error=exc.message, result=to_jsonable(exc.fields))
        return JobStatus.FAILED
    except Exception as exc:  # unexpected: record it, keep the traceback out of the UI, retry later
        log.exception("job %s (%s) failed on attempt %s", job.pk, job.kind, job.attempts)
        status = _error(job.pk, job.attempts, exc, traceback.format_exc())
        if run_job_task_is_eager() and getattr(settings, "JOBS_RAISE_IN_EAGER", False):
            raise
        return status
    _finish(job.pk, job.attempts, JobStatus.DONE, result=result)
    return JobStatus.DONE


def run_job_task_is_eager() -> bool:
    from .tasks import run_job_task

    return bool(run_job_task.app.conf.task_always_eager)


def _finish(job_id, attempt: int, status: str, *, result: dict | None = None, error: str = "") -> None:
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job_id)
        if job.is_finished:
            return  # another delivery finished it first: keep its outcome
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
            extra={"error": error, "attempt": attempt} if error else {"result": result or {}, "attempt": attempt},
        )


def _error(job_id, attempt: int, exc: Exception, detail: str) -> str:
    """An unexpected exception: back to pending for the sweeper, or failed when the attempts are used up."""
    now = timezone.now()
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job_id)
        if job.is_finished or job.attempts != attempt:
            return job.status  # finished or taken over by a newer attempt meanwhile
        job.lease_until = None
        if job.attempts >= settings.JOB_MAX_ATTEMPTS:
            job.status = JobStatus.FAILED
            job.finished_at = now
            job.error = f"执行出错（{exc.__class__.__name__}），已尝试 {job.attempts} 次，已停止重试"
        else:
            job.status = JobStatus.PENDING
            job.published_at = now  # the sweeper re-publishes it after the grace period (a simple back-off)
            job.error = f"第 {job.attempts} 次执行出错（{exc.__class__.__name__}），稍后自动重试"
        job.save()
        audit_record(
            "job.failed" if job.status == JobStatus.FAILED else "job.error",
            obj=job,
            outcome="failure",
            extra={"error": job.error, "attempt": attempt, "detail": detail[-2000:]},
        )
    return job.status


def jobs_sweep(*, now=None) -> int:
    """Re-publish jobs pending past the grace period or running past their lease; park exhausted ones.

    Returns how many jobs were re-published."""
    now = now or timezone.now()
    grace = now - dt.timedelta(seconds=settings.JOB_PENDING_GRACE_SECONDS)
    stuck_pending = Job.objects.filter(status=JobStatus.PENDING, published_at__isnull=True, created_at__lt=grace)
    stale_pending = Job.objects.filter(status=JobStatus.PENDING, published_at__lt=grace)
    expired = Job.objects.filter(status=JobStatus.RUNNING, lease_until__lt=now)
    candidates = list((stuck_pending | stale_pending | expired).values_list("pk", "attempts"))
    republish = []
    for pk, attempts in candidates:
        if attempts >= settings.JOB_MAX_ATTEMPTS:
            with transaction.atomic():
                job = Job.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
                stuck = job is not None and (
                    job.status == JobStatus.PENDING
                    or (job.status == JobStatus.RUNNING and job.lease_until and job.lease_until < now)
                )
                if stuck and job.attempts >= settings.JOB_MAX_ATTEMPTS:
                    _park(job, now)
            continue
        republish.append(str(pk))
    for job_id in republish:
        job_publish(job_id)
    if republish:
        log.warning("jobs_sweep re-published %s job(s)", len(republish))
    return len(republish)
