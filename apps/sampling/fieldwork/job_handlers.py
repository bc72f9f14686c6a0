"""Job handlers of sampling/fieldwork (imported by apps/sampling/job_handlers.py, which the job registry discovers).

* ``sampling.sample_export`` — a large export of samples (the 抽样单 fields, national column order). It rebuilds the
  actor from the job's creator, so the export has exactly that user's scope, writes the workbook under
  MEDIA_ROOT/exports/ (downloaded through an owner-checked view) and is idempotent: a redelivered job whose file
  exists returns the same result without exporting again.
"""

import os

from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from apps.common.job_registry import job_handler
from apps.common.jobs import job_creator

EXPORT_JOB_KIND = "sampling.sample_export"


@job_handler(EXPORT_JOB_KIND, label="导出抽样单")
def sample_export_job(job, progress) -> dict:
    from .exports import export_file_path
    from .services.samples import sample_export

    actor = job_creator(job, "导出任务的发起人不存在或已停用")
    path = export_file_path(job.pk)
    filename = f"抽样单_{timezone.localtime(job.created_at):%Y%m%d_%H%M}.xlsx"
    url = reverse("sampling:sample_export_download", args=[job.pk])
    if path.exists() and job.result.get("rows") is not None:
        return job.result
    params = QueryDict(mutable=True)
    for key, values in (job.payload.get("filters") or {}).items():
        params.setlist(key, [str(v) for v in (values if isinstance(values, list) else [values])])
    progress(10, "正在生成 Excel 文件")
    content, count = sample_export(actor=actor, params=params, audit_extra={"job": str(job.pk)})
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    tmp.write_bytes(content)
    os.replace(tmp, path)
    return {"summary": f"导出完成：共 {count:,} 条", "rows": count, "filename": filename, "next_url": url}
