"""Monthly and annual reports (月报、年报, issue 12 point 6; docs/reports.md).

A report is the registered measures (``apps.common.measures``) of a period against the targets of
``apps.assessment.campaigns.selectors.kpi_targets(year=)``, with the gap, for the city and each township, the
township comparison table and the list of what is behind target; written as Excel (``apps.common.excel``) and PDF
(WeasyPrint, Noto CJK).

* Period. A monthly report of month M is the year-to-date figures up to the last day of M (``as_of``); an annual
  report the whole year (``as_of`` = 31 December). The measures are yearly figures, compared with the yearly
  targets; the month's elapsed share of the year is printed beside them (时间进度).
* Who. City staff and city leaders (``dashboard.run_report``) generate reports on demand and read them all; a
  township role (``dashboard.view_report``) reads its own township's report only (one per township, its figures
  against the targets, no other township's rows). Beat creates the monthly report on the 1st for the past month and
  the annual one on 1 January for the past year, as the system (city-wide).
* Files. One job writes the city report and one report per active township (``Report`` rows), each an .xlsx and a
  .pdf under MEDIA_ROOT/reports/<job id>/, downloaded through a scoped view (``views_reports``).
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import django_filters
from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from apps.accounts.models import Township
from apps.assessment.campaigns.selectors import KpiTarget, kpi_targets
from apps.common.audit import audit_record
from apps.common.excel import ExportColumn, ExportSheet, write_sheets
from apps.common.exceptions import DomainError, ValidationFailed
from apps.common.filters import BaseFilterSet, FilterForm, filter_queryset
from apps.common.jobs import job_create
from apps.common.measures import COUNT, Measure, MeasureValue, measures
from apps.common.models import Job, JobStatus
from apps.common.permissions import require_perm

from .models import Report, ReportKind

REPORT_KIND = "dashboard.report"
RUN_PERM = "dashboard.run_report"
VIEW_PERM = "dashboard.view_report"
CITY = "全市"
YEAR_MIN = 2000


class PdfUnavailable(DomainError):
    code = "pdf_unavailable"
    status_code = 503
    default_message = "PDF 生成组件（WeasyPrint / pango）未安装，无法生成报告"


# ------------------------------------------------------------------------------------------------ the system reader
class SystemReader:
    """Who a scheduled report reads as: the system, city-wide (every township, like ``accounts.view_all_townships``).

    Beat jobs have no creator; ``Model.objects.visible_to(None)`` is empty, so the measures get this reader instead:
    signed in, active, a superuser for ``visible_to`` and ``has_perm``. It is never saved nor used to write."""

    pk = id = None
    is_authenticated = True
    is_active = True
    is_superuser = True
    is_staff = False
    is_anonymous = False
    username = "system"
    full_name = "系统（定时）"

    def has_perm(self, perm, obj=None) -> bool:
        return True

    def has_perms(self, perms, obj=None) -> bool:
        return True

    def township_ids(self) -> list[int]:
        return []

    def __str__(self):
        return self.full_name


# ------------------------------------------------------------------------------------------------ periods
@dataclass(frozen=True)
class Period:
    kind: str  # ReportKind
    year: int
    month: int | None = None

    @property
    def as_of(self) -> dt.date:
        if self.kind == ReportKind.ANNUAL:
            return dt.date(self.year, 12, 31)
        nxt = dt.date(self.year + (self.month == 12), self.month % 12 + 1, 1)
        return nxt - dt.timedelta(days=1)

    @property
    def label(self) -> str:
        return f"{self.year} 年 {self.month} 月" if self.kind == ReportKind.MONTHLY else f"{self.year} 年"

    @property
    def title(self) -> str:
        kind = "月报" if self.kind == ReportKind.MONTHLY else "年报"
        return f"海宁市食品安全工作{self.label}{kind}"

    @property
    def elapsed(self) -> Decimal:
        """The share of the year the period covers (时间进度), in %."""
        months = 12 if self.kind == ReportKind.ANNUAL else self.month
        return (Decimal(months) * 100 / 12).quantize(Decimal("0.1"))

    @property
    def key(self) -> str:
        return f"{self.year}-{self.month:02d}" if self.kind == ReportKind.MONTHLY else f"{self.year}"


def _invalid(name: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, fields={name: [message]})


def period_parse(kind, year, month=None, *, today: dt.date | None = None) -> Period:
    """A period from a form or a payload; a ``ValidationFailed`` naming the field (Chinese) otherwise. A period must
    have begun: the current month or year is allowed (figures to date), a future one is not."""
    today = today or timezone.localdate()
    if kind not in ReportKind.values:
        raise _invalid("kind", "报告类型应为“月报”或“年报”")
    try:
        year = int(str(year).strip())
    except (TypeError, ValueError):
        raise _invalid("year", "年度应为整数") from None
    if not YEAR_MIN <= year <= today.year:
        raise _invalid("year", f"年度应在 {YEAR_MIN}–{today.year} 之间")
    if kind == ReportKind.ANNUAL:
        if month not in (None, ""):
            raise _invalid("month", "年报不选月份")
        return Period(ReportKind.ANNUAL, year)
    try:
        month = int(str(month).strip())
    except (TypeError, ValueError):
        raise _invalid("month", "月报须选择月份（1–12）") from None
    if not 1 <= month <= 12:
        raise _invalid("month", "月份应在 1–12 之间")
    if (year, month) > (today.year, today.month):
        raise _invalid("month", "不能生成尚未开始的月份的月报")
    return Period(ReportKind.MONTHLY, year, month)


def _payload_period(payload: dict) -> Period:
    return period_parse(payload.get("kind"), payload.get("year"), payload.get("month"))


# ------------------------------------------------------------------------------------------------ the figures
@dataclass(frozen=True)
class Cell:
    value: MeasureValue | None
    target: Decimal | None  # the target this cell is compared with (None: not compared)
    gap: Decimal | None  # value − target (None when either is missing)
    behind: bool


@dataclass
class Row:
    measure: Measure
    target: KpiTarget | None
    city: Cell
    townships: dict[int, Cell] = field(default_factory=dict)

    @property
    def target_text(self) -> str:
        if self.target is None:
            return "未设目标"
        if self.target.target is None:
            return "持续扩面（无数值目标）"
        scope = "全市" if self.target.scope == "city" else "各镇街"
        return f"{scope} {fmt(self.target.target)}{self.measure.unit}"


@dataclass
class ReportData:
    period: Period
    townships: list  # [Township]
    rows: list  # [Row]
    reader_label: str

    def behind(self, township: Township | None = None) -> list[dict]:
        """What is behind target: the city's, then each township's (or one township's), in measure order."""
        out = []
        scopes = [(None, CITY)] if township is None else []
        scopes += [(t.pk, t.name) for t in self.townships if township is None or t.pk == township.pk]
        for key, name in scopes:
            for row in self.rows:
                cell = row.city if key is None else row.townships.get(key)
                if cell and cell.behind:
                    out.append({"scope": name, "row": row, "cell": cell})
        return out


def fmt(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, Decimal):
        text = f"{value.normalize():f}"
        return text
    return f"{value}"


def _compare(m: Measure, value: MeasureValue | None, target: Decimal | None) -> Cell:
    v = value.value if value is not None else None
    if target is None or v is None:
        return Cell(value, target, None, False)
    gap = Decimal(v) - target
    behind = gap < 0 if m.higher_is_better else gap > 0
    return Cell(value, target, gap, behind)


def report_data(*, reader, period: Period, progress=None) -> ReportData:
    """Every registered measure for the city and each active township the reader sees, against ``kpi_targets``.
    A number of queries that grows with the number of measures only (each measure computes all townships at once)."""
    townships = list(Township.objects.filter(is_active=True).order_by("order", "id"))
    if not (reader.is_superuser or reader.has_perm("accounts.view_all_townships")):
        mine = set(reader.township_ids())
        townships = [t for t in townships if t.pk in mine]
    ids = [t.pk for t in townships]
    targets = kpi_targets(year=period.year)
    rows = []
    registered = measures()
    for i, m in enumerate(registered, start=1):
        values = m.run(reader, year=period.year, township_ids=ids, as_of=period.as_of)
        target = targets.get(m.code)
        number = target.target if target else None
        row = Row(m, target, _compare(m, values.get(None), number))
        for t in townships:
            # A city-wide target (e.g. 150 rural banquet centres) is compared for the city only.
            township_target = number if target is not None and target.scope == "township" else None
            row.townships[t.pk] = _compare(m, values.get(t.pk), township_target)
        rows.append(row)
        if progress:
            progress(10 + int(40 * i / max(len(registered), 1)), f"已计算 {i}/{len(registered)} 项指标")
    label = getattr(reader, "full_name", "") or getattr(reader, "username", "")
    return ReportData(period=period, townships=townships, rows=rows, reader_label=label)


def _num(value):
    if value is None:
        return None
    return value if isinstance(value, int) else float(value)


def _value(cell: Cell | None):
    return _num(cell.value.value) if cell and cell.value is not None else None


def _status(cell: Cell) -> str:
    if cell.target is None:
        return "—"
    if cell.value is None or cell.value.value is None:
        return "无数据"
    return "未达目标" if cell.behind else "达标"


# ------------------------------------------------------------------------------------------------ Excel
SUMMARY_COLUMNS = (
    ExportColumn("指标", 26),
    ExportColumn("单位", 10),
    ExportColumn("数值", 12, "number"),
    ExportColumn("分子", 12, "number"),
    ExportColumn("分母", 12, "number"),
    ExportColumn("目标", 12, "number"),
    ExportColumn("差距（数值−目标）", 14, "number"),
    ExportColumn("是否达标", 10),
    ExportColumn("目标说明", 24),
    ExportColumn("口径", 40),
)
BEHIND_COLUMNS = (
    ExportColumn("范围", 12),
    ExportColumn("指标", 26),
    ExportColumn("数值", 12, "number"),
    ExportColumn("目标", 12, "number"),
    ExportColumn("差距（数值−目标）", 14, "number"),
    ExportColumn("单位", 10),
)


def _summary_rows(data: ReportData, township: Township | None):
    for row in data.rows:
        cell = row.city if township is None else row.townships[township.pk]
        v = cell.value
        yield [
            row.measure.label,
            row.measure.unit,
            _value(cell),
            _num(v.numerator) if v else None,
            _num(v.denominator) if v and row.measure.kind != COUNT else None,
            _num(cell.target),
            _num(cell.gap),
            _status(cell),
            row.target_text,
            row.measure.description,
        ]


def _comparison_columns(data: ReportData):
    return (
        ExportColumn("镇街", 12),
        *(ExportColumn(f"{r.measure.label}（{r.measure.unit}）", 16, "number") for r in data.rows),
    )


def _comparison_rows(data: ReportData):
    yield ["目标", *(_num(r.target.target) if r.target else None for r in data.rows)]
    for t in data.townships:
        yield [t.name, *(_value(r.townships[t.pk]) for r in data.rows)]
    yield [CITY, *(_value(r.city) for r in data.rows)]


def _behind_rows(data: ReportData, township: Township | None):
    for item in data.behind(township):
        cell, m = item["cell"], item["row"].measure
        yield [item["scope"], m.label, _value(cell), _num(cell.target), _num(cell.gap), m.unit]


def _about(data: ReportData, township: Township | None) -> dict[str, str]:
    p = data.period
    return {
        "报告": f"{p.title}（{township.name if township else CITY}）",
        "统计期间": f"{p.year}-01-01 至 {p.as_of:%Y-%m-%d}（年度累计）",
        "时间进度": f"{p.elapsed}%（{'全年' if p.kind == ReportKind.ANNUAL else f'1–{p.month} 月'}）",
        "目标": "各指标的目标取自考核与攻坚行动的年度目标（kpi_targets）；“全市”目标只与全市数值比较",
        "差距": "数值 − 目标；数值越低越好的指标，差距为正即未达目标",
        "范围": "本镇街" if township else "全市及各镇街（镇街报告只含本镇街）",
        "导出人": data.reader_label,
        "导出时间": f"{timezone.localtime():%Y-%m-%d %H:%M}",
    }


def report_workbook(data: ReportData, township: Township | None = None) -> bytes:
    """The report as xlsx: 指标汇总 (the city's or the township's), 镇街对比 (city report only), 未达目标, 导出说明."""
    sheets = [ExportSheet("指标汇总", SUMMARY_COLUMNS, list(_summary_rows(data, township)))]
    if township is None:
        sheets.append(ExportSheet("镇街对比", _comparison_columns(data), list(_comparison_rows(data))))
    sheets.append(ExportSheet("未达目标", BEHIND_COLUMNS, list(_behind_rows(data, township))))
    content, _rows = write_sheets(
        sheets=sheets, about=_about(data, township), title=data.period.title, creator=data.reader_label
    )
    return content


# ------------------------------------------------------------------------------------------------ PDF
def report_html(data: ReportData, township: Township | None = None) -> str:
    summary = []
    for row in data.rows:
        cell = row.city if township is None else row.townships[township.pk]
        summary.append(
            {
                "row": row,
                "cell": cell,
                "value": fmt(cell.value.value if cell.value else None),
                "target": fmt(cell.target),
                "gap": fmt(cell.gap),
                "status": _status(cell),
            }
        )
    comparison = []
    if township is None:
        for t in data.townships:
            comparison.append(
                {
                    "name": t.name,
                    "cells": [
                        {
                            "text": fmt(r.townships[t.pk].value.value if r.townships[t.pk].value else None),
                            "behind": r.townships[t.pk].behind,
                        }
                        for r in data.rows
                    ],
                }
            )
        comparison.append(
            {
                "name": CITY,
                "total": True,
                "cells": [
                    {"text": fmt(r.city.value.value if r.city.value else None), "behind": r.city.behind}
                    for r in data.rows
                ],
            }
        )
    behind = [
        {
            "scope": i["scope"],
            "label": i["row"].measure.label,
            "unit": i["row"].measure.unit,
            "value": fmt(i["cell"].value.value),
            "target": fmt(i["cell"].target),
            "gap": fmt(i["cell"].gap),
        }
        for i in data.behind(township)
    ]
    return render_to_string(
        "dashboard/reports/report_pdf.html",
        {
            "period": data.period,
            "scope": township.name if township else CITY,
            "township": township,
            "rows": data.rows,
            "summary": summary,
            "comparison": comparison,
            "behind": behind,
            "about": _about(data, township),
        },
    )


def report_pdf(data: ReportData, township: Township | None = None) -> bytes:
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: the pango library is missing
        raise PdfUnavailable() from exc
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols={"data"})  # no file or network access
    return weasyprint.HTML(string=report_html(data, township), url_fetcher=fetcher).write_pdf()


# ------------------------------------------------------------------------------------------------ files
def report_dir(job_id) -> Path:
    """MEDIA_ROOT is not served: the files are downloaded through the permission-checked view."""
    return Path(settings.MEDIA_ROOT) / "reports" / str(job_id)


def report_file_path(report: Report, fmt_: str) -> Path:
    return report_dir(report.job_id) / f"{report.township_id or 'city'}.{fmt_}"


def report_filename(report: Report, fmt_: str) -> str:
    return f"食品安全{report.period_label.replace(' ', '')}{report.get_kind_display()}_{report.scope_label}.{fmt_}"


def _write(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".part")
    tmp.write_bytes(content)
    os.replace(tmp, path)  # a half-written file is never served


# ------------------------------------------------------------------------------------------------ writes
@transaction.atomic
def report_request(*, actor, kind, year, month=None) -> Job:
    """A report on demand (``dashboard.run_report``): a job the page follows. A pending or running report of the same
    period by the same person is reused. Bad input is a ``ValidationFailed`` naming the field."""
    require_perm(actor, RUN_PERM)
    period = period_parse(kind, year, month)
    running = (
        Job.objects.filter(
            kind=REPORT_KIND,
            status__in=[JobStatus.PENDING, JobStatus.RUNNING],
            payload__kind=period.kind,
            payload__year=period.year,
            payload__month=period.month,
            created_by=actor,
        )
        .order_by("-created_at")
        .first()
    )
    if running:
        return running
    return job_create(
        kind=REPORT_KIND,
        payload={"kind": period.kind, "year": period.year, "month": period.month},
        actor=actor,
        title=period.title,
    )


def _scheduled_create(period: Period) -> Job:
    return job_create(
        kind=REPORT_KIND,
        payload={"kind": period.kind, "year": period.year, "month": period.month, "scheduled": True},
        title=f"{period.title}（定时）",
        dedupe_key=f"{REPORT_KIND}:{period.kind}:{period.key}:beat",
    )


def monthly_report_create(*, today: dt.date | None = None) -> Job:
    """Beat, the 1st of each month: the report of the past month; one job per month even if beat fires twice."""
    today = today or timezone.localdate()
    last = today.replace(day=1) - dt.timedelta(days=1)
    return _scheduled_create(Period(ReportKind.MONTHLY, last.year, last.month))


def annual_report_create(*, today: dt.date | None = None) -> Job:
    """Beat, 1 January: the report of the past year; one job per year even if beat fires twice."""
    today = today or timezone.localdate()
    return _scheduled_create(Period(ReportKind.ANNUAL, today.year - 1))


def report_job_run(job: Job, progress) -> dict:
    """The body of the ``dashboard.report`` job (``job_handlers``): the figures, then the city's files and each
    township's, then the ``Report`` rows. Idempotent: a redelivered job whose rows and files exist returns its first
    result; otherwise it writes them again (replacing a partial run's rows)."""
    from apps.common.jobs import job_creator

    period = _payload_period(job.payload)
    reader = job_creator(job, "报告任务的发起人不存在或已停用") if job.created_by_id else SystemReader()
    existing = list(Report.objects.filter(job=job))
    if (
        job.result.get("reports")
        and existing
        and all(report_file_path(r, f).exists() for r in existing for f in ("xlsx", "pdf"))
    ):
        return job.result
    progress(5, "正在计算各项指标")
    data = report_data(reader=reader, period=period, progress=progress)
    scopes = [None, *data.townships]
    for i, township in enumerate(scopes, start=1):
        key = township.pk if township else "city"
        _write(report_dir(job.pk) / f"{key}.xlsx", report_workbook(data, township))
        _write(report_dir(job.pk) / f"{key}.pdf", report_pdf(data, township))
        progress(
            50 + int(45 * i / len(scopes)), f"已生成 {i}/{len(scopes)} 份报告（{township.name if township else CITY}）"
        )
    with transaction.atomic():
        Report.objects.filter(job=job).delete()
        Report.objects.bulk_create(
            Report(
                kind=period.kind,
                year=period.year,
                month=period.month,
                as_of=period.as_of,
                township=township,
                job=job,
                scheduled=job.created_by_id is None,
                behind_count=len(data.behind(township)) if township else len(data.behind()),
            )
            for township in scopes
        )
        audit_record(
            "dashboard.report_generate",
            obj=job,
            extra={"kind": period.kind, "period": period.key, "reports": len(scopes), "measures": len(data.rows)},
        )
    behind = len(data.behind())
    return {
        "summary": f"{period.title}已生成：全市及 {len(data.townships)} 个镇街，{len(data.rows)} 项指标，"
        f"未达目标 {behind} 项",
        "reports": len(scopes),
        "behind": behind,
        "next_url": report_list_url(period),
        "next_label": "查看报告",
    }


def report_list_url(period: Period) -> str:
    from django.urls import reverse

    query = f"?kind={period.kind}&year={period.year}" + (f"&month={period.month}" if period.month else "")
    return reverse("dashboard_reports:list") + query


# ------------------------------------------------------------------------------------------------ reads
CITY_SCOPE = "city"


def _scope_choices():
    """``city`` (the city's reports) and every active township, by id — what ``township=`` accepts."""
    rows = Township.objects.filter(is_active=True).order_by("order", "id").values_list("pk", "name")
    return [(CITY_SCOPE, "全市报告"), *((str(pk), name) for pk, name in rows)]


class ReportFilter(BaseFilterSet):
    kind = django_filters.ChoiceFilter(label="类型", choices=ReportKind.choices, empty_label="全部")
    year = django_filters.NumberFilter(label="年度", min_value=YEAR_MIN, max_value=2100)
    month = django_filters.NumberFilter(label="月份", min_value=1, max_value=12)
    township = django_filters.ChoiceFilter(
        label="范围", choices=_scope_choices, method="filter_township", empty_label="全部"
    )

    class Meta:
        model = Report
        fields: list[str] = []
        form = FilterForm

    def filter_township(self, queryset, name, value):
        if value == CITY_SCOPE:
            return queryset.filter(township__isnull=True)
        return queryset.filter(township_id=int(value))


def _can_read(actor) -> bool:
    return bool(
        actor is not None
        and getattr(actor, "is_authenticated", False)
        and (actor.has_perm(VIEW_PERM) or actor.has_perm(RUN_PERM))
    )


def report_list(*, actor, filters=None) -> QuerySet[Report]:
    """The generated reports the actor may read, newest period first, the city's before the townships'."""
    if not _can_read(actor):
        return Report.objects.none()
    qs = Report.objects.visible_to(actor).select_related("township", "job", "job__created_by")
    qs = qs.order_by(
        "-year",
        F("month").desc(nulls_first=True),
        "-job__created_at",
        F("township__order").asc(nulls_first=True),
        "township_id",
    )
    return filter_queryset(ReportFilter, qs, filters)


def report_get(*, actor, pk) -> Report:
    """One readable report (scoped: a township role only its township's); DoesNotExist otherwise."""
    if not _can_read(actor):
        raise Report.DoesNotExist
    return Report.objects.visible_to(actor).select_related("township", "job").get(pk=pk)
