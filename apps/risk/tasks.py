"""Celery entry points of the risk app (thin: primitive arguments, one service call)."""

from celery import shared_task
from django.utils import timezone


@shared_task(name="risk.regrade_yearly")
def regrade_yearly_task(year: int | None = None) -> str:
    """Beat, 1 January: queue the yearly regrade as a job (one per year even if beat fires twice)."""
    from apps.common.jobs import job_create

    year = int(year or timezone.localdate().year)
    job = job_create(
        kind="risk.regrade",
        payload={"year": year},
        title=f"{year} 年度风险等级评定（定时）",
        dedupe_key=f"risk.regrade:{year}:beat",
    )
    return str(job.pk)


@shared_task(name="risk.coverage_refresh_nightly")
def coverage_refresh_nightly_task() -> str:
    """Beat, every night at 00:10: recompute every enterprise's coverage state as a job (one per day)."""
    from apps.common.jobs import job_create

    today = timezone.localdate()
    job = job_create(
        kind="risk.coverage_refresh",
        payload={"day": today.isoformat()},
        title=f"覆盖欠账状态重算（{today:%Y-%m-%d}，定时）",
        dedupe_key=f"risk.coverage_refresh:{today.isoformat()}",
    )
    return str(job.pk)
