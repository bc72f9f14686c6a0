"""The Excel export of the incident list (the list's FilterSet, the caller's scope)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.utils import timezone

from apps.common.excel import ExportColumn, write_workbook

COLUMNS = (
    ExportColumn("编号", 14),
    ExportColumn("事件名称", 30),
    ExportColumn("状态", 8),
    ExportColumn("建议级别", 12),
    ExportColumn("确认级别", 12),
    ExportColumn("镇街", 10),
    ExportColumn("发生地点", 30),
    ExportColumn("涉及人数", 9),
    ExportColumn("死亡人数", 9),
    ExportColumn("涉及学校", 8),
    ExportColumn("涉及镇街数", 9),
    ExportColumn("发生时间", 17, "datetime"),
    ExportColumn("获知时间", 17, "datetime"),
    ExportColumn("初报期限", 17, "datetime"),
    ExportColumn("初报时间", 17, "datetime"),
    ExportColumn("初报时效", 12),
    ExportColumn("终报时间", 17, "datetime"),
    ExportColumn("结案时间", 17, "datetime"),
)


def incident_export(*, actor, params) -> tuple[bytes, int]:
    from .selectors import first_report_clock, incident_list

    rows_qs = incident_list(actor=actor, filters=params)
    now = timezone.now()

    def rows():
        for inc in rows_qs:
            yield (
                inc.number,
                inc.title,
                inc.get_status_display(),
                inc.get_suggested_level_display() or "未达到分级标准",
                inc.get_level_display() or "未确认",
                inc.township.name if inc.township_id else "未定（市级）",
                inc.places,
                inc.affected_count,
                inc.dead_count,
                "是" if inc.schools_involved else "否",
                inc.townships_count,
                inc.occurred_at,
                inc.learned_at,
                inc.first_report_due,
                inc.first_reported_at,
                first_report_clock(inc, now=now).state_label,
                inc.final_reported_at,
                inc.closed_at,
            )

    filters = "；".join(f"{k}={v}" for k in params for v in params.getlist(k) if v.strip() and k != "page") or "无"
    return write_workbook(
        sheet_title="食品安全事件",
        columns=COLUMNS,
        rows=rows(),
        about={"导出人": str(actor), "导出时间": f"{timezone.localtime():%Y-%m-%d %H:%M}", "筛选条件": filters},
        title="食品安全事件",
    )


def export_file_path(job_id) -> Path:
    return Path(settings.MEDIA_ROOT) / "exports" / f"incidents-{job_id}.xlsx"
