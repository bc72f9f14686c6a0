"""时效考核 (issue 11 §6): one table, a row per township (and 市级/未定镇街 when it has data), a column per
registered timeliness measure (``apps.incidents.timeliness.measures()``: complaints, incidents, 舆情 … whatever is
registered), each cell "on time / counted (rate)" with both numbers linking to the list of exactly those rows (the
measure's ``rows_url``). A year selector (default this year), a total row, and the same table as Excel.

Scope: the measures count over what the viewer may see (``visible_to``), so a township's staff get their own row
and the total of it; city staff and leaders every township. One query per measure plus the townships: the number
of queries does not grow with the rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote

from django import forms
from django.http import HttpResponse
from django.utils import timezone

from apps.common.excel import ExportColumn, write_workbook
from apps.common.viewmixins import ScopedPageView

from .timeliness import TimelinessMeasure, measures

FIRST_YEAR = 2019  # the first year of the complaint clocks' default configuration
NO_TOWNSHIP = "none"
NO_TOWNSHIP_LABEL = "市级/未定镇街"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Cell:
    label: str  # the measure's label (the cell's heading when the table is stacked at 390 px)
    on_time: int = 0
    total: int = 0
    on_time_url: str = ""
    total_url: str = ""

    @property
    def rate(self) -> float | None:
        return round(self.on_time * 100 / self.total, 1) if self.total else None


@dataclass
class Row:
    label: str
    township_id: int | None  # None: the 市级/未定镇街 row or the total
    cells: list[Cell] = field(default_factory=list)
    is_total: bool = False


@dataclass
class Table:
    year: int
    measures: list[TimelinessMeasure]
    rows: list[Row]
    total: Row


def _visible_townships(actor):
    from apps.accounts.models import Township
    from apps.common.scoping import user_sees_all_townships, user_township_ids

    qs = Township.objects.order_by("order", "id")
    if user_sees_all_townships(actor):
        return list(qs.filter(is_active=True))
    return list(qs.filter(pk__in=user_township_ids(actor)))


def timeliness_table(*, actor, year: int) -> Table:
    """The table of the page and of the export: every measure's counts over what ``actor`` sees."""
    from apps.accounts.models import Township

    registered = measures()
    counts = [m.counts(actor, year=year) for m in registered]
    townships = _visible_townships(actor)
    shown = {t.pk for t in townships}
    extra = {k for c in counts for k, (_, total) in c.items() if k is not None and k not in shown and total}
    if extra:  # a deactivated township that still has cases this year
        townships += list(Township.objects.filter(pk__in=extra).order_by("order", "id"))

    def row(label, key, url_key, *, is_total=False) -> Row:
        cells = []
        for m, c in zip(registered, counts, strict=True):
            if is_total:
                on_time = sum(v[0] for v in c.values())
                total = sum(v[1] for v in c.values())
            else:
                on_time, total = c.get(key, (0, 0))
            cells.append(
                Cell(
                    m.label,
                    on_time,
                    total,
                    m.rows_url(year=year, township=url_key, on_time=True),
                    m.rows_url(year=year, township=url_key, on_time=None),
                )
            )
        return Row(label, key, cells, is_total)

    rows = [row(t.name, t.pk, t.pk) for t in townships]
    if any(c.get(None, (0, 0))[1] for c in counts):
        rows.append(row(NO_TOWNSHIP_LABEL, None, NO_TOWNSHIP))
    return Table(year, registered, rows, row("合计", None, None, is_total=True))


class YearForm(forms.Form):
    year = forms.TypedChoiceField(label="年度", coerce=int, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        this_year = timezone.localdate().year
        self.fields["year"].choices = [(y, f"{y} 年") for y in range(this_year, FIRST_YEAR - 1, -1)]
        self.fields["year"].error_messages["invalid_choice"] = f"年度须为 {FIRST_YEAR}–{this_year} 年之一"
        self.fields["year"].widget.attrs["class"] = "form-select"


def _year(request) -> tuple[int, YearForm]:
    form = YearForm(request.GET or None)
    if form.is_bound and form.is_valid() and form.cleaned_data["year"]:
        return form.cleaned_data["year"], form
    return timezone.localdate().year, form


class TimelinessView(ScopedPageView):
    permission_required = "incidents.view_timeliness"
    template_name = "incidents/timeliness.html"

    def get(self, request, *args, **kwargs):
        year, form = _year(request)
        context = self.get_context_data(form=form, year=year)
        if form.is_bound and not form.is_valid():
            context["table"] = None
            return self.render_to_response(context, status=400)
        context["table"] = timeliness_table(actor=request.user, year=year)
        return self.render_to_response(context)


class TimelinessExportView(ScopedPageView):
    permission_required = "incidents.view_timeliness"
    template_name = "incidents/timeliness.html"

    def get(self, request, *args, **kwargs):
        year, form = _year(request)
        if form.is_bound and not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form, year=year, table=None), status=400)
        content = timeliness_workbook(actor=request.user, year=year)
        filename = f"时效考核_{year}_{timezone.localtime():%Y%m%d_%H%M}.xlsx"
        response = HttpResponse(content, content_type=XLSX)
        response["Content-Disposition"] = (
            f"attachment; filename=\"timeliness.xlsx\"; filename*=UTF-8''{quote(filename)}"
        )
        response["Cache-Control"] = "no-store"
        return response


def timeliness_workbook(*, actor, year: int) -> bytes:
    """The page's table in one sheet: per measure 按时, 应计 (counted) and 按时率（%）."""
    table = timeliness_table(actor=actor, year=year)
    columns = [ExportColumn("镇街", 16)]
    for m in table.measures:
        columns += [
            ExportColumn(f"{m.label}·按时（件）", 12, "number"),
            ExportColumn(f"{m.label}·应计（件）", 12, "number"),
            ExportColumn(f"{m.label}·按时率（%）", 14, "number"),
        ]

    def rows():
        for r in [*table.rows, table.total]:
            values = [r.label]
            for c in r.cells:
                values += [c.on_time, c.total, c.rate]
            yield values

    notes = "；".join(f"{m.label}：{m.note}" for m in table.measures if m.note)
    content, _ = write_workbook(
        sheet_title=f"{year}年时效考核",
        columns=columns,
        rows=rows(),
        about={
            "导出人": str(actor),
            "导出时间": f"{timezone.localtime():%Y-%m-%d %H:%M}",
            "年度": f"{year} 年",
            "口径": "应计 = 已完成或已过期限的件数（仍在期限内的不计）；按时 = 在期限内完成的件数"
            + (f"；{notes}" if notes else ""),
        },
        title=f"{year} 年时效考核",
    )
    return content
