"""Thin Celery wrappers (STYLE.md §3.4)."""

from celery import shared_task
from django.db import close_old_connections


@shared_task(name="inspections.draws_run_due")
def draws_run_due_task() -> list[str]:
    """Every minute: draw the committed plans whose published draw time has come."""
    from .draws.services import draws_run_due

    close_old_connections()
    return draws_run_due()


@shared_task(name="inspections.publications_publish_due")
def publications_publish_due_task() -> int:
    """Every hour: publish (一公开) the finalised results whose enterprise objection window has ended."""
    from .fieldwork.services.publications import publications_publish_due

    close_old_connections()
    return len(publications_publish_due())


@shared_task(name="inspections.evidence_verify")
def evidence_verify_task() -> dict:
    """Nightly: re-check the content hash, seal and file digests of every finalised inspection record."""
    from .fieldwork.services.results import evidence_verify

    close_old_connections()
    report = evidence_verify()
    return {"checked": report["checked"], "broken_count": report["broken_count"]}


@shared_task(name="inspections.draw_digest")
def draw_digest_task() -> str:
    """Nightly: the signed digest of yesterday's draw commitments and the audit chain head (AUD-06)."""
    import datetime as dt

    from django.utils import timezone

    from .draws.digest import write_digest

    close_old_connections()
    path, _written = write_digest(timezone.localdate() - dt.timedelta(days=1))
    return str(path)
