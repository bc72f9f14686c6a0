"""Job handlers of sampling/plans (imported by apps/sampling/job_handlers.py, which the job registry discovers).

``sampling.quota_report`` — the quota report workbook (``report.quota_workbook``) of ``payload["year"]`` as of
``payload["as_of"]``. An on-demand report acts as its creator (their scope: city staff see every township); the
monthly one (Celery beat, no creator) as the system. The workbook is written under MEDIA_ROOT/exports/ and
downloaded through ``sampling:quota_report_download``. Idempotent: a redelivered job whose file exists returns its
first result without building it again.
"""

import datetime as dt
import os

from django.urls import reverse

from apps.common.job_registry import job_handler
from apps.common.jobs import job_creator

QUOTA_REPORT_KIND = "sampling.quota_report"


@job_handler(QUOTA_REPORT_KIND, label="抽检配额报表")
def quota_report_job(job, progress) -> dict:
    from . import report, selectors

    actor = job_creator(job, "报表任务的发起人不存在或已停用") if job.created_by_id else None
    year = int(job.payload["year"])
    as_of = dt.date.fromisoformat(job.payload.get("as_of") or f"{year}-12-31")
    path = report.report_file_path(job.pk)
    url = reverse("sampling:quota_report_download", args=[job.pk])
    if path.exists() and job.result.get("rows") is not None:
        return job.result
    progress(10, "正在统计各镇街的抽检批次")
    data = selectors.report_data(actor=actor, year=year, as_of=as_of)
    progress(40, "正在生成 Excel 报表")
    label = (actor.full_name or actor.username) if actor else "系统（每月定时）"
    content, rows = report.quota_workbook(data, actor_label=label, progress=progress)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    tmp.write_bytes(content)
    os.replace(tmp, path)
    table = data["table"]
    done = sum(t["done"]["food"] for t in data["townships"])
    return {
        "summary": f"{year} 年抽检配额报表已生成（截至 {as_of:%Y-%m-%d}）：{len(data['townships'])} 个镇街，"
        f"食品抽检已完成 {done:,} / {table.food_total:,} 批次",
        "rows": rows,
        "year": year,
        "as_of": as_of.isoformat(),
        "filename": report.report_filename(year, as_of),
        "next_url": url,
        "next_label": "下载报表（Excel）",
    }
