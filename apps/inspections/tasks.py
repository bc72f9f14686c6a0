"""Thin Celery wrappers (STYLE.md §3.4)."""

from celery import shared_task
from django.db import close_old_connections


@shared_task(name="inspections.draws_run_due")
def draws_run_due_task() -> list[str]:
    """Every minute: draw the committed plans whose published draw time has come."""
    from .services import draws_run_due

    close_old_connections()
    return draws_run_due()
