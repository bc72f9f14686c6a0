"""The Excel export of the 舆情 list (the list's FilterSet, the caller's scope)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.utils import timezone

from apps.common.excel import ExportColumn, write_workbook

COLUMNS = (
    ExportColumn("编号", 14),
    ExportColumn("标题", 30),
    ExportColumn("来源", 10),
    ExportColumn("来源详情", 30),
    ExportColumn("状态", 8),
    ExportColumn("镇街", 10),
    ExportColumn("发现时间", 17, "datetime"),
    ExportColumn("热度", 6),
    ExportColumn("风险", 6),
    ExportColumn("回应期限", 17, "datetime"),
    ExportColumn("回应时间", 17, "datetime"),
    ExportColumn("回应情况", 12),
    ExportColumn("关闭时间", 17, "datetime"),
    ExportColumn("转为事件", 14),
    ExportColumn("飞行检查", 22),
    ExportColumn("内容", 50),
)


def opinion_export(*, actor, params) -> tuple[bytes, int]:
    from .selectors import event_list, response_clock_of

    rows_qs = event_list(actor=actor, filters=params)
    now = timezone.now()

    def rows():
        for e in rows_qs:
            yield (
                e.number,
                e.title,
                e.get_source_display(),
                e.source_detail,
                e.get_status_display(),
                e.township.name if e.township_id else "未指定",
                e.discovered_at,
                e.heat or "",
                e.get_risk_display(),
                e.response_due,
                e.responded_at,
                response_clock_of(e, now=now).state_label,
                e.closed_at,
                e.spawned_incident.number if e.spawned_incident_id else "",
                e.spawned_inspection_ref,
                e.content,
            )

    filters = "；".join(f"{k}={v}" for k in params for v in params.getlist(k) if v.strip() and k != "page") or "无"
    return write_workbook(
        sheet_title="舆情事件",
        columns=COLUMNS,
        rows=rows(),
        about={"导出人": str(actor), "导出时间": f"{timezone.localtime():%Y-%m-%d %H:%M}", "筛选条件": filters},
        title="舆情事件",
    )


def export_file_path(job_id) -> Path:
    return Path(settings.MEDIA_ROOT) / "exports" / f"opinion-{job_id}.xlsx"
