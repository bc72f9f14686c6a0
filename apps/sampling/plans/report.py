"""The quota report (抽检配额报表, issue 10 point 3): an Excel workbook built from ``selectors.report_data``.

Sheets: "汇总" (one row per township and the city total: population with its 估算 mark, both quotas, batches done,
batches per 1,000 residents, the gap and the completion rate, quick tests shown apart, 大类 covered), then one sheet
per township with a row per 大类 (its share of each quota, batches done, per 1,000 residents, gap) and the
township's total, then "导出说明" (year, as-of day, rates, how batches are counted).

A category's quota is the township's quota split across the active 大类 by their hazard (1–5), largest remainder —
the split the plan generation uses by default. Written with ``apps.common.excel.write_sheets`` (typed cells, formula
injection neutralised, the printed footer naming who produced it).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from apps.common.excel import ExportColumn, ExportSheet, write_sheets

from . import quotas

SUMMARY_COLUMNS = (
    ExportColumn("镇街", 12),
    ExportColumn("常住人口", 12, "number"),
    ExportColumn("人口口径", 16),
    ExportColumn("食品抽检配额（批次）", 14, "number"),
    ExportColumn("食品抽检已完成", 12, "number"),
    ExportColumn("食品抽检每千人", 12, "number"),
    ExportColumn("食品抽检缺口", 12, "number"),
    ExportColumn("食品抽检完成率（%）", 12, "number"),
    ExportColumn("风险监测配额（批次）", 14, "number"),
    ExportColumn("风险监测已完成", 12, "number"),
    ExportColumn("风险监测每千人", 12, "number"),
    ExportColumn("风险监测缺口", 12, "number"),
    ExportColumn("风险监测完成率（%）", 12, "number"),
    ExportColumn("快检（不计入配额）", 12, "number"),
    ExportColumn("已覆盖大类", 10, "number"),
)
TOWNSHIP_COLUMNS = (
    ExportColumn("食品大类", 18),
    ExportColumn("品类风险程度", 10, "number"),
    ExportColumn("食品抽检配额（批次）", 14, "number"),
    ExportColumn("食品抽检已完成", 12, "number"),
    ExportColumn("食品抽检每千人", 12, "number"),
    ExportColumn("食品抽检缺口", 12, "number"),
    ExportColumn("风险监测配额（批次）", 14, "number"),
    ExportColumn("风险监测已完成", 12, "number"),
    ExportColumn("风险监测每千人", 12, "number"),
    ExportColumn("风险监测缺口", 12, "number"),
)
SUMMARY_SHEET = "汇总"
CITY_TOTAL = "全市合计"


def _num(value):
    """Numbers as numbers (Decimal → float for the cell), None stays empty."""
    if value is None:
        return None
    return float(value) if not isinstance(value, int) else value


def _gap(quota, done):
    return None if quota is None else max(quota - done, 0)


def _pct(done, quota):
    return None if not quota else round(done * 100 / quota, 1)


def population_basis(row: quotas.TownshipQuota) -> str:
    if row.population is None:
        return "缺少人口数据"
    return f"{row.population.year} 年{'（估算）' if row.population.is_estimate else ''}"


def summary_rows(data: dict):
    table = data["table"]
    total_pop = 0
    totals = {"food": [0, 0], "monitoring": [0, 0]}
    quick = covered_any = 0
    for t in data["townships"]:
        q = t["quota"]
        pop = q.population_value
        total_pop += pop or 0
        covered = sum(1 for c in t["categories"] if c["food"]["done"] or c["monitoring"]["done"])
        covered_any = max(covered_any, covered)
        quick += t["quick_tests"]
        cells = [q.township.name, pop, population_basis(q)]
        for kind, target in (("food", q.food), ("monitoring", q.monitoring)):
            done = t["done"][kind]
            totals[kind][0] += target or 0
            totals[kind][1] += done
            cells += [target, done, _num(quotas.per_thousand(done, pop)), _gap(target, done), _pct(done, target)]
        yield [*cells, t["quick_tests"], covered]
    cells = [CITY_TOTAL, total_pop, "含估算" if table.any_estimate else ""]
    for kind in ("food", "monitoring"):
        target, done = totals[kind]
        cells += [target, done, _num(quotas.per_thousand(done, total_pop)), _gap(target, done), _pct(done, target)]
    yield [*cells, quick, None]


def township_rows(township: dict):
    pop = township["quota"].population_value
    sums = {"food": [0, 0], "monitoring": [0, 0]}
    for c in township["categories"]:
        cells = [c["category"].name, c["category"].hazard]
        for kind in ("food", "monitoring"):
            cell = c[kind]
            sums[kind][0] += cell["quota"] or 0
            sums[kind][1] += cell["done"]
            cells += [cell["quota"], cell["done"], _num(cell["per_thousand"]), cell["gap"]]
        yield cells
    cells = ["合计（各大类）", None]
    for kind in ("food", "monitoring"):
        target, done = sums[kind]
        cells += [target, done, _num(quotas.per_thousand(done, pop)), _gap(target, done)]
    yield cells


def report_about(data: dict, *, actor_label: str) -> dict[str, str]:
    rates = data["table"].rates
    if rates.row is None:
        rate_text = "未设定配额标准"
    else:
        rate_text = (
            f"食品抽检 {rates.food_rate} 批次/千人，风险监测 {rates.monitoring_rate} 批次/千人"
            f"{'（沿用 ' + str(rates.carried_from) + ' 年标准）' if rates.carried_from else ''}；"
            "配额 = ceil(常住人口 ÷ 1000 × 标准)，各镇街分别计算"
        )
    return {
        "报表": f"{data['year']} 年抽检配额报表",
        "统计截至": f"{data['as_of']:%Y-%m-%d}",
        "配额标准": rate_text,
        "人口口径": "各镇街取本年度或以前最近一年的常住人口；标“估算”的为统计部门数据替换前的估算值",
        "计数口径": "抽样日期在本年度内（截至统计日）的样品；监督抽检、评价性抽检计入食品抽检，风险监测计入风险监测；"
        "快检不计入批次配额；大类按样品所属抽检分类的大类归并",
        "大类配额": "各镇街配额按大类的品类风险程度（1–5）加权、最大余数法分解（与按配额编制计划的默认方式相同）",
        "导出人": actor_label,
        "导出时间": f"{timezone.localtime():%Y-%m-%d %H:%M}",
    }


def quota_workbook(data: dict, *, actor_label: str, progress=None) -> tuple[bytes, int]:
    """The workbook bytes and the number of data rows."""
    sheets = [ExportSheet(SUMMARY_SHEET, SUMMARY_COLUMNS, list(summary_rows(data)))]
    n = len(data["townships"])
    for i, township in enumerate(data["townships"], start=1):
        sheets.append(ExportSheet(township["quota"].township.name, TOWNSHIP_COLUMNS, list(township_rows(township))))
        if progress:
            progress(40 + int(50 * i / max(n, 1)), f"已整理 {i}/{n} 个镇街")
    return write_sheets(
        sheets=sheets,
        about=report_about(data, actor_label=actor_label),
        title=f"{data['year']} 年抽检配额报表",
        creator=actor_label,
    )


def report_filename(year: int, as_of: dt.date) -> str:
    return f"抽检配额报表_{year}_截至{as_of:%Y%m%d}.xlsx"


def report_file_path(job_id):
    """Where a report's workbook is kept (MEDIA_ROOT is not served; downloaded through a permission-checked view)."""
    from pathlib import Path

    from django.conf import settings

    return Path(settings.MEDIA_ROOT) / "exports" / f"sampling-quota-{job_id}.xlsx"
