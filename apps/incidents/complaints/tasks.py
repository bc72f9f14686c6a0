"""Celery entry points of incidents/complaints (thin; imported by apps/incidents/tasks.py, which Celery's
autodiscovery finds)."""

from celery import shared_task
from django.utils import timezone


@shared_task(name="incidents.reporter_identity_purge_daily")
def reporter_identity_purge_daily_task() -> str:
    """Beat, every night: queue the PII-05 identity purge of the day as a job (one per day even if beat fires twice)."""
    from apps.common.jobs import job_create

    from .job_handlers import PURGE_JOB_KIND

    today = timezone.localdate()
    job = job_create(
        kind=PURGE_JOB_KIND,
        payload={"day": today.isoformat()},
        title=f"按保存期限删除举报人身份（{today:%Y-%m-%d}，定时）",
        dedupe_key=f"{PURGE_JOB_KIND}:{today.isoformat()}",
    )
    return str(job.pk)
