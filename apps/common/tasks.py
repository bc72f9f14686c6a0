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
    """Nightly chain verification, and the chain against the daily anchors (a break is logged at CRITICAL)."""
    import logging

    from .audit import audit_verify, audit_verify_anchors

    report = audit_verify()
    anchors = audit_verify_anchors()
    if not anchors.ok:
        logging.getLogger("apps.common.audit").critical("audit chain differs from its anchors: %s", anchors.problems)
    return {
        "ok": report.ok and anchors.ok,
        "checked": report.checked,
        "first_broken_seq": report.first_broken_seq,
        "head_seq": report.head_seq,
        "head_hash": report.head_hash,
        "anchors_checked": anchors.checked,
        "anchor_problems": anchors.problems[:20],
    }


@shared_task(name="common.audit_anchor")
def audit_anchor_task() -> str:
    """Daily: the chain head, signed, to AUDIT_ANCHOR_DIR outside the database (AUD-06)."""
    from .audit import audit_anchor_write

    return str(audit_anchor_write())


@shared_task(name="common.idempotency_purge")
def idempotency_purge_task() -> int:
    from .api.idempotency import idempotency_records_purge

    return idempotency_records_purge()
