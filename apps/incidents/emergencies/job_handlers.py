"""Job handlers of incidents/emergencies (imported by apps/incidents/job_handlers.py, which the job registry discovers).

* ``incidents.incident_export`` — a large export of the incident list. Its payload holds the list's filters only;
  it rebuilds the actor from the job's creator and is idempotent."""

from django.urls import reverse

from apps.common.job_registry import job_handler
from apps.common.jobs import filtered_export_job

EXPORT_JOB_KIND = "incidents.incident_export"


@job_handler(EXPORT_JOB_KIND, label="导出食品安全事件")
def incident_export_job(job, progress) -> dict:
    from .exports import export_file_path, incident_export

    return filtered_export_job(
        job,
        progress,
        path=export_file_path(job.pk),
        title="食品安全事件",
        url=reverse("incidents:incident_export_download", args=[job.pk]),
        build=lambda actor, params: incident_export(actor=actor, params=params),
    )
