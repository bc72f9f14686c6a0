"""Job handlers of incidents/opinion (imported by apps/incidents/job_handlers.py, which the job registry discovers).

* ``incidents.opinion_export`` — a large export of the 舆情 list. Its payload holds the list's filters only; it
  rebuilds the actor from the job's creator and is idempotent (``apps.common.jobs.filtered_export_job``)."""

from django.urls import reverse

from apps.common.job_registry import job_handler
from apps.common.jobs import filtered_export_job

EXPORT_JOB_KIND = "incidents.opinion_export"


@job_handler(EXPORT_JOB_KIND, label="导出舆情事件")
def opinion_export_job(job, progress) -> dict:
    from .exports import export_file_path, opinion_export

    return filtered_export_job(
        job,
        progress,
        path=export_file_path(job.pk),
        title="舆情事件",
        url=reverse("incidents:opinion_export_download", args=[job.pk]),
        build=lambda actor, params: opinion_export(actor=actor, params=params),
    )
