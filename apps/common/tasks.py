"""Thin Celery wrappers (STYLE.md §3.4): primitive ids in, one service call, small JSON out."""

from celery import shared_task
from django.db import close_old_connections


@shared_task(name="common.run_job", acks_late=True, bind=True)
def run_job_task(self, job_id: str) -> str:
    from .jobs import job_run

    if not self.request.is_eager:
        # In a worker: drop a connection the database closed meanwhile (Celery's Django fixup does the same
        # around each task). Never when eager: inside a transaction this would close the caller's connection.
        close_old_connections()
    return job_run(job_id)


@shared_task(name="common.jobs_sweep")
def jobs_sweep_task() -> int:
    from .jobs import jobs_sweep

    return jobs_sweep()


@shared_task(name="common.audit_verify")
def audit_verify_task() -> dict:
    """Nightly chain verification (a broken chain is logged at CRITICAL by audit_verify)."""
    from .audit import audit_verify

    report = audit_verify()
    return {
        "ok": report.ok,
        "checked": report.checked,
        "first_broken_seq": report.first_broken_seq,
        "head_seq": report.head_seq,
        "head_hash": report.head_hash,
    }


@shared_task(name="common.idempotency_purge")
def idempotency_purge_task() -> int:
    from .api.idempotency import idempotency_records_purge

    return idempotency_records_purge()
