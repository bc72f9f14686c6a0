"""Celery entry points of sampling/plans (thin: one service call; imported by apps/sampling/tasks.py, which Celery's
autodiscovery finds)."""

from celery import shared_task


@shared_task(name="sampling.quota_report_monthly")
def quota_report_monthly_task() -> str:
    """Beat, the 1st of each month at 06:00: queue the quota report of the year to the end of last month as a job
    (one per month even if beat fires twice)."""
    from .services import monthly_report_create

    return str(monthly_report_create().pk)
