"""The credit-file (信用档案) export of published sampling results: one row per published sample, in the documented
layout ``credit-file-v1`` (docs/sampling.md, "公开结果导出（信用档案）"). Columns are appended, never reordered or
renamed, so a receiving system can rely on them; a change of meaning is a new layout name.

The writer (``write_workbook``: typed cells, formula-trigger neutralising, the 导出说明 sheet with who/when/filters)
is the platform's one, ``apps.common.excel``.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.utils import timezone

from apps.common.excel import ExportColumn, write_workbook

LAYOUT = "credit-file-v1"

PUBLISHED_COLUMNS = (
    ExportColumn("统一社会信用代码", 22),
    ExportColumn("被抽样单位名称", 30),
    ExportColumn("被抽样单位地址", 34),
    ExportColumn("所属镇街", 10),
    ExportColumn("抽样单编号", 22),
    ExportColumn("任务类别", 10),
    ExportColumn("抽检来源", 10),
    ExportColumn("抽样环节", 8),
    ExportColumn("食品分类", 16),
    ExportColumn("样品名称", 18),
    ExportColumn("商标", 10),
    ExportColumn("规格型号", 12),
    ExportColumn("生产（购进）日期", 12, "date"),
    ExportColumn("批号", 14),
    ExportColumn("标称生产者名称", 26),
    ExportColumn("标称生产者地址", 30),
    ExportColumn("抽样日期", 12, "date"),
    ExportColumn("检验机构", 24),
    ExportColumn("检验报告编号", 18),
    ExportColumn("检验结论", 8),
    ExportColumn("复检结论", 8),
    ExportColumn("不合格项目（项目｜检验结果｜标准值｜判定依据）", 60),
    ExportColumn("结论日期", 12, "date"),
    ExportColumn("公开期限", 12, "date"),
    ExportColumn("公开日期", 12, "date"),
    ExportColumn("核查处置状态", 12),
    ExportColumn("处置措施", 24),
    ExportColumn("处置结果", 40),
    ExportColumn("处置结果公开日期", 12, "date"),
)


def limit_text(item) -> str:
    """The limit of a result item as printed: ``≤0.2 mg/kg``, ``≥3.0 g/100g``, ``0.5–1.0 mg/kg`` or the text."""
    low, high, unit = (item.min_limit_text or "").strip(), (item.max_limit_text or "").strip(), item.limit_unit or ""
    suffix = f" {unit}" if unit else ""
    if low and high:
        return f"{low}–{high}{suffix}"
    if high:
        return high if not _numeric(high) else f"≤{high}{suffix}"
    if low:
        return low if not _numeric(low) else f"≥{low}{suffix}"
    return "—"


def _numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def result_text(item) -> str:
    return f"{item.value_text} {item.unit}".strip() if item.unit and _numeric(item.value_text) else item.value_text


def unqualified_text(sample) -> str:
    parts = []
    for item in getattr(sample, "unqualified_items", []):
        prefix = "（复检）" if item.is_recheck else ""
        parts.append(
            f"{prefix}{item.test_item.name}｜{result_text(item)}｜{limit_text(item)}｜{item.judging_basis or '—'}"
        )
    return "；".join(parts)


def published_rows(qs, *, chunk_size: int = 2000):
    from ..models import Disposal

    for s in qs.iterator(chunk_size=chunk_size):
        try:
            disposal = s.disposal
        except Disposal.DoesNotExist:
            disposal = None
        yield (
            s.site_uscc,
            s.site_name,
            s.site_address,
            s.township.name,
            s.number,
            s.get_purpose_display(),
            s.get_source_display(),
            s.get_stage_display(),
            s.category.name,
            s.name,
            s.trademark,
            s.specification,
            s.production_date,
            s.batch_no,
            s.producer_name,
            s.producer_address,
            s.sampled_on,
            s.lab.name,
            s.report_no,
            s.get_conclusion_display(),
            disposal.get_recheck_conclusion_display() if disposal and disposal.recheck_conclusion else "",
            unqualified_text(s),
            timezone.localdate(s.concluded_at) if s.concluded_at else None,
            s.publish_due,
            timezone.localdate(s.published_at) if s.published_at else None,
            disposal.get_status_display() if disposal else "",
            "、".join(str(m) for m in (disposal.measures or [])) if disposal else "",
            disposal.outcome if disposal and disposal.published_at else "",
            timezone.localdate(disposal.published_at) if disposal and disposal.published_at else None,
        )


def published_workbook(qs, *, actor, filters: dict) -> tuple[bytes, int]:
    now = timezone.localtime()
    who = f"{actor}（{getattr(actor, 'username', '')}）" if actor is not None else "系统"
    about = {
        "标题": "海宁市食品安全抽检公开结果（信用档案）",
        "版式": LAYOUT,
        "导出人": who,
        "导出时间": now.strftime("%Y-%m-%d %H:%M:%S"),
        "筛选条件": "；".join(f"{k}={v}" for k, v in filters.items()) or "无（管辖范围内全部已公开结果）",
        "范围": "仅已公开的监督抽检、评价性抽检结果；风险监测结果和快检结果不在此列",
        "说明": "列的含义见平台文档 docs/sampling.md「公开结果导出（信用档案）」；以单引号开头的单元格为防公式注入而加。",
    }
    return write_workbook(
        sheet_title="抽检公开结果",
        columns=PUBLISHED_COLUMNS,
        rows=published_rows(qs),
        about=about,
        title="海宁市食品安全抽检公开结果（信用档案）",
        creator=who,
    )


def export_file_path(job_id) -> Path:
    """Where a background export's workbook is kept (MEDIA_ROOT is not served by the application)."""
    return Path(settings.MEDIA_ROOT) / "exports" / f"sampling-published-{job_id}.xlsx"
