"""Job handlers of incidents/complaints (imported by apps/incidents/job_handlers.py, which the job registry discovers).

* ``incidents.complaint_export`` — a large export of the complaint list. Its payload holds the list's filters only
  (never an identity); it rebuilds the actor from the job's creator and is idempotent.
* ``incidents.reporter_identity_purge`` — PII-05: delete the reporter identities past their retention (daily, queued
  by Celery beat through ``tasks.reporter_identity_purge_daily``). Payload ``{"day": "YYYY-MM-DD"}``; the result
  holds counts only. Idempotent: a second run finds nothing left to delete."""

import datetime as dt

from django.urls import reverse

from apps.common.job_registry import job_handler
from apps.common.jobs import filtered_export_job

EXPORT_JOB_KIND = "incidents.complaint_export"


@job_handler(EXPORT_JOB_KIND, label="导出投诉举报")
def complaint_export_job(job, progress) -> dict:
    from .exports import complaint_export, export_file_path

    return filtered_export_job(
        job,
        progress,
        path=export_file_path(job.pk),
        title="投诉举报",
        url=reverse("incidents:complaint_export_download", args=[job.pk]),
        build=lambda actor, params: complaint_export(actor=actor, params=params),
    )


PURGE_JOB_KIND = "incidents.reporter_identity_purge"


@job_handler(PURGE_JOB_KIND, label="按保存期限删除举报人身份")
def reporter_identity_purge_job(job, progress) -> dict:
    from .services import reporter_identities_purge

    day = job.payload.get("day")
    return reporter_identities_purge(actor=None, today=dt.date.fromisoformat(day) if day else None)
