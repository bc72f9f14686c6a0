"""Celery entry points of the dashboard (thin: beat tasks only create jobs)."""

from celery import shared_task


@shared_task(name="dashboard.report_monthly")
def report_monthly_task() -> str:
    """Beat, the 1st of each month at 06:30: the past month's report as a job (one per month)."""
    from .reports import monthly_report_create

    return str(monthly_report_create().pk)


@shared_task(name="dashboard.report_annual")
def report_annual_task() -> str:
    """Beat, 1 January at 06:45: the past year's report as a job (one per year)."""
    from .reports import annual_report_create

    return str(annual_report_create().pk)
