"""The figures of the leadership dashboard (领导驾驶舱, issue 12 point 5): the city overview and one township's view.

Everything here is read from other apps, never written (docs/dashboard.md):

* the KPIs are the measures of ``apps.common.measures`` (registered by the apps that own the data), read by code,
  against the targets of ``apps.assessment.campaigns.selectors.kpi_targets(year=)``;
* the trend is the same measures over the last five years: every measure is computed once for the five years
  (``Measure.run_years``) inside ``measures.batch()``, so each source is read in one GROUP BY by township (and
  year) for all the measures that read it — the query count is fixed by the sources, never by the data, the
  townships or the years;
* the clocks at risk are counts from the owning apps' list selectors, each with the list filter that shows exactly
  those rows (publications, disposals, complaints, first reports of incidents).

Every number carries ``url``, the list of its rows (``MeasureValue.url`` / ``denominator_url`` for a measure).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from apps.accounts.models import Township
from apps.assessment.campaigns.selectors import KpiTarget, kpi_targets
from apps.common import measures as measure_registry
from apps.common.measures import COUNT, Measure, MeasureValue
from apps.common.scoping import user_sees_all_townships, user_township_ids
from apps.common.workdays import add_working_days
from apps.incidents.complaints import selectors as complaint_selectors
from apps.incidents.emergencies import selectors as incident_selectors
from apps.inspections.fieldwork import filters as fieldwork_filters
from apps.inspections.fieldwork import selectors as fieldwork_selectors
from apps.inspections.fieldwork.selectors import PUBLICATION_WARN_WORKING_DAYS
from apps.sampling.lab import filters as lab_filters
from apps.sampling.lab import selectors as lab_selectors

TREND_YEARS = 5
FIRST_YEAR = 2000

# The met / missed / no-target states of a value against its target (CSS class suffix and Chinese label).
MET, MISSED, NO_TARGET, NO_VALUE = "met", "missed", "none", "empty"
STATE_LABELS = {MET: "达标", MISSED: "未达标", NO_TARGET: "无数值目标", NO_VALUE: "无数据"}


# ------------------------------------------------------------------------------------------------ scope
def visible_townships(actor) -> list[Township]:
    """The active townships ``actor`` sees, in the official order (city roles: all; township roles: their own)."""
    qs = Township.objects.filter(is_active=True).order_by("order", "id")
    if not user_sees_all_townships(actor):
        qs = qs.filter(id__in=user_township_ids(actor))
    return list(qs)


def township_get(*, actor, pk) -> Township:
    """One township of ``actor``'s scope (``Township.DoesNotExist`` outside it: the page answers 404)."""
    qs = Township.objects.filter(is_active=True)
    if not user_sees_all_townships(actor):
        qs = qs.filter(id__in=user_township_ids(actor))
    return qs.get(pk=int(pk))


def valid_year(raw, *, today: dt.date | None = None) -> int:
    """The ``?year=`` of the page: this year when empty; ValueError (a Chinese message) when not a year we have."""
    today = today or timezone.localdate()
    if raw in (None, ""):
        return today.year
    try:
        year = int(str(raw).strip())
    except ValueError:
        raise ValueError("年份应为四位数字，例如 2026。") from None
    if not FIRST_YEAR <= year <= today.year:
        raise ValueError(f"年份应在 {FIRST_YEAR} 至 {today.year} 之间。")
    return year


def as_of_for(year: int, today: dt.date | None = None) -> dt.date:
    today = today or timezone.localdate()
    return today if year == today.year else dt.date(year, 12, 31)


# ------------------------------------------------------------------------------------------------ KPIs
@dataclass
class Cell:
    """One value of one measure (the city's or a township's) with its state against the target."""

    value: MeasureValue | None
    state: str = NO_VALUE

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]


@dataclass
class KpiRow:
    code: str
    label: str
    unit: str
    kind: str
    target: KpiTarget | None
    measure: Measure | None
    scope: Cell  # the value of the page's scope (the city, or the township)
    townships: list[tuple[Township, Cell]] = field(default_factory=list)

    @property
    def registered(self) -> bool:
        return self.measure is not None

    @property
    def target_value(self) -> Decimal | None:
        return self.target.target if self.target else None

    @property
    def per_township_target(self) -> bool:
        return bool(self.target and self.target.scope == "township")

    @property
    def met_count(self) -> int:
        return sum(1 for _, c in self.townships if c.state == MET)


def _state(m: Measure, value: MeasureValue | None, target: Decimal | None) -> str:
    if value is None or value.value is None:
        return NO_VALUE
    if target is None:
        return NO_TARGET
    ok = value.value >= target if m.higher_is_better else value.value <= target
    return MET if ok else MISSED


def measure_values(
    actor, *, year: int, townships: list[Township], scope: list[int] | None = None, years: int = TREND_YEARS
) -> dict[str, dict]:
    """{code: {year: values}}: every registered measure for ``year`` (each of ``townships`` and the scope) and for
    the ``years - 1`` years before it (``scope`` only: the townships asked for the trend, none for the city). One
    batch declaring all the days: each source is read once, for every measure and year that needs it."""
    span = {y: as_of_for(y) for y in range(year - years + 1, year + 1)}
    earlier = {y: d for y, d in span.items() if y != year}
    ids = [t.pk for t in townships]
    out = {}
    with measure_registry.batch(as_of=span):
        for m in measure_registry.measures():
            values = m.run_years(actor, as_of={year: span[year]}, township_ids=ids)
            if earlier:
                values.update(m.run_years(actor, as_of=earlier, township_ids=scope or []))
            out[m.code] = values
    return out


def kpi_rows(
    actor,
    *,
    year: int,
    townships: list[Township],
    township: Township | None = None,
    targets: dict[str, KpiTarget] | None = None,
    values: dict[str, dict] | None = None,
) -> list[KpiRow]:
    """Each registered measure (in the registry's order), then each target whose measure is not registered yet.

    ``township`` set: the page of that township (its value is the scope's); otherwise the scope is the actor's
    (``None`` of ``compute``: the city for city roles). ``targets`` / ``values`` (``measure_values``) when already
    read."""
    targets = kpi_targets(year=year) if targets is None else targets
    if values is None:
        values = measure_values(actor, year=year, townships=townships, years=1)
    rows = []
    for m in measure_registry.measures():
        target = targets.get(m.code)
        goal = target.target if target else None
        this_year = values[m.code][year]
        scope_value = this_year.get(township.pk) if township is not None else this_year.get(None)
        township_goal = goal if (target is None or target.scope == "township") else None
        rows.append(
            KpiRow(
                m.code,
                m.label,
                m.unit,
                m.kind,
                target,
                m,
                Cell(scope_value, _state(m, scope_value, goal if township is None or township_goal else None)),
                [(t, Cell(this_year.get(t.pk), _state(m, this_year.get(t.pk), township_goal))) for t in townships],
            )
        )
    for code, target in targets.items():
        if measure_registry.measure(code) is None:
            rows.append(KpiRow(code, target.label, "", COUNT, target, None, Cell(None)))
    return rows


# ------------------------------------------------------------------------------------------------ trend
@dataclass
class Trend:
    code: str
    label: str
    unit: str
    target: Decimal | None
    points: list[tuple[int, MeasureValue | None]]


def trends(
    actor,
    *,
    year: int,
    township: Township | None = None,
    years: int = TREND_YEARS,
    targets: dict[str, KpiTarget] | None = None,
    values: dict[str, dict] | None = None,
) -> list[Trend]:
    """The main measures (those with a target) over the ``years`` years ending with ``year``: the scope's value
    (the city's, or ``township``'s) of each year, from ``measure_values``."""
    targets = kpi_targets(year=year) if targets is None else targets
    if values is None:
        scope = [township.pk] if township else []
        values = measure_values(actor, year=year, townships=[], scope=scope, years=years)
    span = list(range(year - years + 1, year + 1))
    key = township.pk if township else None
    out = []
    for m in measure_registry.measures():
        if m.code not in targets:
            continue
        points = [(y, values[m.code][y].get(key)) for y in span]
        # a city target (e.g. 150 banquet centres for the city) is not a township's: no target line on its view
        target = targets[m.code]
        goal = None if township is not None and target.scope == "city" else target.target
        out.append(Trend(m.code, m.label, m.unit, goal, points))
    return out


def trend_chart(trend_rows: list[Trend]) -> dict:
    """The JSON for static/js/leadership.js (json_script): years, one series per measure, the URL of each point."""
    return {
        "years": [y for y, _ in trend_rows[0].points] if trend_rows else [],
        "series": [
            {
                "code": t.code,
                "name": f"{t.label}（{t.unit}）" if t.unit else t.label,
                "target": None if t.target is None else float(t.target),
                "values": [None if v is None or v.value is None else float(v.value) for _, v in t.points],
                "urls": [(v.url if v is not None else "") for _, v in t.points],
            }
            for t in trend_rows
        ],
    }


# ------------------------------------------------------------------------------------------------ clocks
@dataclass
class Count:
    value: int
    url: str


@dataclass
class ClockRow:
    label: str
    overdue_label: str
    overdue: Count
    due_soon_label: str = ""
    due_soon: Count | None = None
    note: str = ""


def _url(name: str, params: dict) -> str:
    try:
        base = reverse(name)
    except NoReverseMatch:
        return ""
    return f"{base}?{urlencode(params)}" if params else base


def clocks(actor, *, township: Township | None = None, today: dt.date | None = None) -> list[ClockRow]:
    """The clocks at risk the actor may open (a list whose permission the actor lacks is left out).

    Each list's counts come from one query of its owning app (``*_clock_counts``), built from the very conditions
    its FilterSet applies for the parameters of the link, so the list shows the same rows; ``township`` adds the
    list's own township filter."""
    today = today or timezone.localdate()
    tid = township.pk if township is not None else None
    where = {"township": str(tid)} if tid is not None else {}
    out = []

    if actor.has_perm("inspections.view_publication"):
        soon_until = add_working_days(today, PUBLICATION_WARN_WORKING_DAYS)
        overdue = {"overdue": "1", **where}
        soon = {
            "status": fieldwork_filters.UNPUBLISHED,
            "due_by__gte": today.isoformat(),
            "due_by__lte": soon_until.isoformat(),
            **where,
        }
        n_overdue, n_soon = fieldwork_selectors.publication_clock_counts(
            actor=actor, today=today, soon_until=soon_until, township_id=tid
        )
        out.append(
            ClockRow(
                "检查结果公示（20 个工作日）",
                "超期未公示",
                Count(n_overdue, _url("inspections:publications", overdue)),
                f"{PUBLICATION_WARN_WORKING_DAYS} 个工作日内到期",
                Count(n_soon, _url("inspections:publications", soon)),
            )
        )

    if actor.has_perm("sampling.view_disposal"):
        overdue = {"clock": lab_filters.CLOCK_OVERDUE, **where}
        soon = {"clock": lab_filters.CLOCK_DUE_SOON, **where}
        n_overdue, n_soon = lab_selectors.disposal_clock_counts(actor=actor, today=today, township_id=tid)
        out.append(
            ClockRow(
                "不合格样品核查处置",
                "已逾期",
                Count(n_overdue, _url("sampling:disposals", overdue)),
                lab_filters.due_soon_label(today),
                Count(n_soon, _url("sampling:disposals", soon)),
            )
        )

    if actor.has_perm("incidents.view_complaint"):
        counts = complaint_selectors.overdue_counts(actor=actor, today=today, township_id=tid)
        note = "投诉举报列表尚无“即将到期”筛选，只列已超期。"
        for step, label, overdue_label in (
            ("acceptance", "投诉举报受理决定", "受理决定已超期"),
            ("feedback", "投诉举报反馈", "反馈已超期"),
        ):
            params = {"overdue": step, **where}
            out.append(
                ClockRow(label, overdue_label, Count(counts[step], _url("incidents:complaints", params)), note=note)
            )

    if actor.has_perm("incidents.view_incident"):
        overdue = {"first_report": "overdue", **where}
        pending = {"first_report": "pending", **where}
        n_overdue, n_pending = incident_selectors.first_report_clock_counts(actor=actor, township_id=tid)
        out.append(
            ClockRow(
                "食品安全事件初报（2 小时）",
                "已超时未初报",
                Count(n_overdue, _url("incidents:incidents", overdue)),
                "待初报（含已超时）",
                Count(n_pending, _url("incidents:incidents", pending)),
            )
        )
    return out


# ------------------------------------------------------------------------------------------------ the page
def overview(actor, *, year: int, township: Township | None = None) -> dict:
    """Everything the city overview (``township`` None) or a township's view shows."""
    townships = visible_townships(actor) if township is None else [township]
    targets = kpi_targets(year=year)
    values = measure_values(actor, year=year, townships=townships, scope=[township.pk] if township else [])
    rows = kpi_rows(actor, year=year, townships=townships, township=township, targets=targets, values=values)
    trend_rows = trends(actor, year=year, township=township, targets=targets, values=values)
    registered = [k for k in rows if k.registered]
    comparison = [(t, [(k, k.townships[i][1]) for k in registered]) for i, t in enumerate(townships)]
    return {
        "year": year,
        "comparison": comparison,  # [(township, [(kpi row, its cell)])], the township comparison table
        "compared": registered,
        "as_of": as_of_for(year),
        "generated_at": timezone.localtime(),
        "township": township,
        "townships": townships,
        "kpis": rows,
        "trends": trend_rows,
        "chart": trend_chart(trend_rows),
        "clocks": clocks(actor, township=township),  # today's clocks, whatever the year of the KPIs
    }
