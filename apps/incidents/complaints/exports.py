"""The Excel export of the complaint list (the list's FilterSet, the caller's scope). It never holds the reporter's
identity — for any role, the complaint officer included: identity is seen only on the audited unmask page."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.utils import timezone

from apps.common.excel import ExportColumn, write_workbook

from .rules import yuan

COLUMNS = (
    ExportColumn("编号", 14),
    ExportColumn("类别", 6),
    ExportColumn("来源渠道", 12),
    ExportColumn("状态", 10),
    ExportColumn("镇街", 10),
    ExportColumn("对象名称", 26),
    ExportColumn("地址", 30),
    ExportColumn("内容", 50),
    ExportColumn("收到时间", 17, "datetime"),
    ExportColumn("受理决定期限", 12, "date"),
    ExportColumn("受理决定时间", 17, "datetime"),
    ExportColumn("办结时间", 17, "datetime"),
    ExportColumn("查证属实", 8),
    ExportColumn("反馈时间", 17, "datetime"),
    ExportColumn("奖励金额（元）", 14),
    ExportColumn("奖励状态", 8),
    ExportColumn("重复于", 14),
)


def _reward(c):
    try:
        return c.reward
    except Exception:  # noqa: BLE001 — RelatedObjectDoesNotExist
        return None


def complaint_export(*, actor, params) -> tuple[bytes, int]:
    from .selectors import complaint_list

    rows_qs = complaint_list(actor=actor, filters=params).select_related("duplicate_of")

    def rows():
        for c in rows_qs:
            reward = _reward(c)
            yield (
                c.number,
                c.get_kind_display(),
                c.get_channel_display(),
                c.get_status_display(),
                c.township.name if c.township_id else "",
                c.enterprise.name if c.enterprise_id else c.subject_name,
                c.address,
                c.content,
                c.received_at,
                c.acceptance_due,
                c.decided_at,
                c.closed_at,
                "" if c.upheld is None else ("是" if c.upheld else "否"),
                c.feedback_at,
                yuan(reward.amount_fen) if reward else "",
                reward.get_status_display() if reward else "",
                c.duplicate_of.number if c.duplicate_of_id else "",
            )

    filters = "；".join(f"{k}={v}" for k in params for v in params.getlist(k) if v.strip() and k != "page") or "无"
    return write_workbook(
        sheet_title="投诉举报",
        columns=COLUMNS,
        rows=rows(),
        about={
            "导出人": str(actor),
            "导出时间": f"{timezone.localtime():%Y-%m-%d %H:%M}",
            "筛选条件": filters,
            "说明": "不含举报人身份信息",
        },
        title="投诉举报",
    )


def export_file_path(job_id) -> Path:
    return Path(settings.MEDIA_ROOT) / "exports" / f"complaints-{job_id}.xlsx"
