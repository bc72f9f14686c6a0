"""Job handlers of incidents/complaints (imported by apps/incidents/job_handlers.py, which the job registry discovers).

* ``incidents.complaint_export`` — a large export of the complaint list. Its payload holds the list's filters only
  (never an identity); it rebuilds the actor from the job's creator and is idempotent."""

import os

from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from apps.common.job_registry import job_handler
from apps.common.jobs import job_creator

EXPORT_JOB_KIND = "incidents.complaint_export"


@job_handler(EXPORT_JOB_KIND, label="导出投诉举报")
def complaint_export_job(job, progress) -> dict:
    from .exports import complaint_export, export_file_path

    actor = job_creator(job, "导出任务的发起人不存在或已停用")
    path = export_file_path(job.pk)
    filename = f"投诉举报_{timezone.localtime(job.created_at):%Y%m%d_%H%M}.xlsx"
    url = reverse("incidents:complaint_export_download", args=[job.pk])
    if path.exists() and job.result.get("rows") is not None:
        return job.result
    params = QueryDict(mutable=True)
    for key, values in (job.payload.get("filters") or {}).items():
        params.setlist(key, [str(v) for v in (values if isinstance(values, list) else [values])])
    progress(10, "正在生成 Excel 文件")
    content, count = complaint_export(actor=actor, params=params)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    tmp.write_bytes(content)
    os.replace(tmp, path)
    return {"summary": f"导出完成：共 {count:,} 条", "rows": count, "filename": filename, "next_url": url}
