"""The Excel export of the drill list (the list's FilterSet, the caller's scope)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.utils import timezone

from apps.common.excel import ExportColumn, write_workbook

COLUMNS = (
    ExportColumn("演练日期", 12, "date"),
    ExportColumn("镇街", 10),
    ExportColumn("演练形式", 10),
    ExportColumn("演练情景", 36),
    ExportColumn("依据预案", 30),
    ExportColumn("参演人数", 10, "number"),
    ExportColumn("参演单位", 36),
    ExportColumn("发现的问题", 40),
    ExportColumn("改进措施", 40),
    ExportColumn("附件数", 8, "number"),
)


def drill_export(*, actor, params) -> tuple[bytes, int]:
    from .selectors import drill_list

    rows_qs = drill_list(actor=actor, filters=params)

    def rows():
        for d in rows_qs:
            yield (
                d.date,
                d.township.name if d.township_id else "市级",
                d.get_kind_display(),
                d.scenario,
                d.plan.title if d.plan_id else "",
                d.participant_count,
                d.participant_orgs,
                d.findings,
                d.improvements,
                d.attachment_count,
            )

    filters = "；".join(f"{k}={v}" for k in params for v in params.getlist(k) if v.strip() and k != "page") or "无"
    return write_workbook(
        sheet_title="应急演练",
        columns=COLUMNS,
        rows=rows(),
        about={"导出人": str(actor), "导出时间": f"{timezone.localtime():%Y-%m-%d %H:%M}", "筛选条件": filters},
        title="应急演练",
    )


def export_file_path(job_id) -> Path:
    return Path(settings.MEDIA_ROOT) / "exports" / f"drills-{job_id}.xlsx"


PLAN_COLUMNS = (
    ExportColumn("预案名称", 36),
    ExportColumn("层级", 8),
    ExportColumn("镇街", 10),
    ExportColumn("编制部门", 20),
    ExportColumn("现行版本", 10, "number"),
    ExportColumn("现行版本印发日期", 14, "date"),
)


def plan_export(*, actor, params) -> tuple[bytes, int]:
    from .selectors import plan_list

    rows_qs = plan_list(actor=actor, filters=params)

    def rows():
        for p in rows_qs:
            yield (
                p.title,
                p.get_level_display(),
                p.township.name if p.township_id else "市级",
                p.owner_department,
                p.current_number,
                p.current_issued_on,
            )

    filters = "；".join(f"{k}={v}" for k in params for v in params.getlist(k) if v.strip() and k != "page") or "无"
    return write_workbook(
        sheet_title="应急预案",
        columns=PLAN_COLUMNS,
        rows=rows(),
        about={"导出人": str(actor), "导出时间": f"{timezone.localtime():%Y-%m-%d %H:%M}", "筛选条件": filters},
        title="应急预案",
    )


def plan_export_file_path(job_id) -> Path:
    return Path(settings.MEDIA_ROOT) / "exports" / f"plans-{job_id}.xlsx"
