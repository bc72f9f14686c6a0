"""Job handlers of sampling/publicity (imported by apps/sampling/job_handlers.py, which the job registry discovers).

* ``sampling.published_export`` — a large credit-file export of published results. It rebuilds the actor from the
  job's creator (the export has exactly that user's scope), writes the workbook under MEDIA_ROOT/exports/ (downloaded
  through an owner-checked view) and is idempotent: a redelivered job whose file exists returns the same result.
"""

from django.urls import reverse

from apps.common.job_registry import job_handler
from apps.common.jobs import filtered_export_job

EXPORT_JOB_KIND = "sampling.published_export"


@job_handler(EXPORT_JOB_KIND, label="导出抽检公开结果（信用档案）")
def published_export_job(job, progress) -> dict:
    from .exports import export_file_path
    from .services.publications import published_export

    return filtered_export_job(
        job,
        progress,
        path=export_file_path(job.pk),
        title="抽检公开结果_信用档案",
        url=reverse("sampling:publication_export_download", args=[job.pk]),
        build=lambda actor, params: published_export(actor=actor, params=params),
    )
