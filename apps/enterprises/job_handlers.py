"""Job handlers of the enterprise registry (discovered by apps.common.job_registry in every process that runs jobs).

* ``enterprises.import_check`` / ``enterprises.import`` — a large dry run / a commit of a stored upload
  (bodies in ``imports.service``: they share its upload and record helpers);
* ``enterprises.export`` — a large Excel export. It rebuilds the actor from the job's creator, so the export has
  exactly that user's scope (STYLE.md §3.6), writes the workbook under MEDIA_ROOT/exports/ (not served directly;
  downloaded through an owner-checked view) and is idempotent: a redelivered job whose file exists returns the same
  result without exporting again.
"""

from django.urls import reverse

from apps.common.job_registry import job_handler
from apps.common.jobs import filtered_export_job

from .imports import CHECK_JOB_KIND, JOB_KIND
from .imports.service import enterprise_import_check_job, enterprise_import_job


@job_handler(CHECK_JOB_KIND, label="检查对象导入预检")
def import_check_job(job, progress) -> dict:
    return enterprise_import_check_job(job, progress)


@job_handler(JOB_KIND, label="检查对象导入")
def import_job(job, progress) -> dict:
    return enterprise_import_job(job, progress)


EXPORT_JOB_KIND = "enterprises.export"


@job_handler(EXPORT_JOB_KIND, label="导出检查对象名录")
def enterprise_export_job(job, progress) -> dict:
    from .exports import export_file_path
    from .services import enterprise_export

    return filtered_export_job(
        job,
        progress,
        path=export_file_path(job.pk),
        title="检查对象名录",
        url=reverse("enterprises:export_download", args=[job.pk]),
        build=lambda actor, params: enterprise_export(actor=actor, params=params, audit_extra={"job": str(job.pk)}),
    )
