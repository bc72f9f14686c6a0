"""Job handlers of incidents/drills (imported by apps/incidents/job_handlers.py, which the job registry discovers).

* ``incidents.drill_export`` — a large export of the drill list; its payload holds the list's filters only; it
  rebuilds the actor from the job's creator and is idempotent.
* ``incidents.plan_export`` — the same for the emergency-plan list."""

from django.urls import reverse

from apps.common.job_registry import job_handler
from apps.common.jobs import filtered_export_job

EXPORT_JOB_KIND = "incidents.drill_export"
PLAN_EXPORT_JOB_KIND = "incidents.plan_export"


@job_handler(EXPORT_JOB_KIND, label="导出应急演练")
def drill_export_job(job, progress) -> dict:
    from .exports import drill_export, export_file_path

    return filtered_export_job(
        job,
        progress,
        path=export_file_path(job.pk),
        title="应急演练",
        url=reverse("incidents:drill_export_download", args=[job.pk]),
        build=lambda actor, params: drill_export(actor=actor, params=params),
    )


@job_handler(PLAN_EXPORT_JOB_KIND, label="导出应急预案")
def plan_export_job(job, progress) -> dict:
    from .exports import plan_export, plan_export_file_path

    return filtered_export_job(
        job,
        progress,
        path=plan_export_file_path(job.pk),
        title="应急预案",
        url=reverse("incidents:plan_export_download", args=[job.pk]),
        build=lambda actor, params: plan_export(actor=actor, params=params),
    )
