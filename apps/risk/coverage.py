"""Inspection frequency and coverage debt (DOMAIN.md §1.5, Order 49 Art 22, 浙江三小一摊条例 Art 17).

Risk must not import the inspections app (nor it us), so completed inspections come in through a provider of
apps.common.hooks:

    def completed(enterprise_ids, year):   # -> {enterprise_id: [(date, full_coverage: bool), ...]}
        ...
    hooks.provide("inspections.completed", "inspections", completed)  # in InspectionsConfig.ready()

A source returns the completed inspections of the given enterprises dated from 1 January of ``year - 2`` up to
today (more is harmless). ``full_coverage`` is True for an inspection covering all check points (Order 49 floor).
With no source registered, nobody has inspections: every rule below then counts from the registration date.

Per operating enterprise, as of ``today`` in year Y:

1. **Grade frequency** — the band of its current grade (in the scheme version of that grade) requires
   ``min_inspections`` per ``period_years``. For a 1-year period, the k-th of n required inspections is due by the end
   of month ceil(12·k/n) (D: 3/yr → end of April, August, December). For an N-year period, one is required this
   year unless there was an inspection in the previous N-1 years; it is due by 31 December.
2. **Order 49 floor** — a full-coverage inspection at least every two years: due two years after the last one, or
   two years after registration if there never was one (if neither falls inside the source window, due by
   31 December of Y-1: the debt is "at least" that many days).
3. **三小一摊** (小作坊、小餐饮、小食杂店、食品摊贩) — a first inspection within one month of registration.

Registration date = the earliest issue date of the enterprise's active licences/registrations, else the date the
row was created. The days overdue of an enterprise are the largest of its overdue rules.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, Min, Q, Sum
from django.db.models.functions import Least
from django.utils import timezone

from apps.accounts.models import Township
from apps.common import hooks
from apps.common.filters import filter_queryset, merge_filters
from apps.enterprises.choices import EnterpriseStatus
from apps.enterprises.models import Enterprise, Licence

from .filters import CoverageDebtFilterSet, CoverageTownshipFilterSet
from .models import CoverageBucket, CoverageState, GradeBand, RiskAssessment

InspectionSource = Callable[[Iterable[int], int], dict]
SOURCE_HOOK = "inspections.completed"  # apps.common.hooks provider name

SMALL_BUSINESS_TYPES = ("small_workshop", "small_restaurant", "small_grocery", "food_stall")
FLOOR_YEARS = 2
SOURCE_CHUNK = 5000  # ids per source call (keeps IN (...) lists within SQLite's parameter limit)


def _key(fn) -> str:
    return f"{getattr(fn, '__module__', '')}.{getattr(fn, '__qualname__', '')}:{id(fn)}"


def register_inspection_source(fn: InspectionSource) -> InspectionSource:
    """Register a source directly (tests, scripts); apps offer theirs as the ``inspections.completed`` provider."""
    hooks.provide(SOURCE_HOOK, _key(fn), fn)
    return fn


def unregister_inspection_source(fn: InspectionSource) -> None:
    for key, other in hooks.providers(SOURCE_HOOK).items():
        if other is fn:
            hooks.withdraw(SOURCE_HOOK, key)


def registered_sources() -> list[InspectionSource]:
    return list(hooks.providers(SOURCE_HOOK).values())


def completed_inspections(enterprise_ids: list[int], year: int) -> dict[int, list[tuple[dt.date, bool]]]:
    """Merged answer of every registered source, each list sorted by date. Accepts (date, full) tuples or dicts
    {"date": ..., "full_coverage": ...}; a datetime counts as its local date."""
    merged: dict[int, list[tuple[dt.date, bool]]] = {}
    ids = list(enterprise_ids)
    answers = (
        source(ids[i : i + SOURCE_CHUNK], year) or {}
        for source in registered_sources()
        for i in range(0, len(ids), SOURCE_CHUNK)
    )
    for answer in answers:
        for eid, rows in answer.items():
            for row in rows:
                if isinstance(row, dict):
                    day, full = row.get("date"), bool(row.get("full_coverage", True))
                else:
                    day, full = row[0], bool(row[1]) if len(row) > 1 else True
                if isinstance(day, dt.datetime):
                    day = timezone.localtime(day).date() if timezone.is_aware(day) else day.date()
                elif isinstance(day, str):
                    day = dt.date.fromisoformat(day[:10])
                merged.setdefault(int(eid), []).append((day, full))
    for rows in merged.values():
        rows.sort()
    return merged


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _add_month(day: dt.date) -> dt.date:
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _month_end(year: int, month: int) -> dt.date:
    return (dt.date(year + 1, 1, 1) if month == 12 else dt.date(year, month + 1, 1)) - dt.timedelta(days=1)


@functools.lru_cache(maxsize=256)
def frequency_due_dates(year: int, required: int) -> tuple[dt.date, ...]:
    """Pro-rata deadlines of ``required`` inspections in ``year``: the k-th is due by the end of month
    ceil(12·k/n) (3 a year: end of April, August, December)."""
    if required <= 0:
        return ()
    return tuple(_month_end(year, math.ceil(12 * k / required)) for k in range(1, required + 1))


@dataclass
class DebtRow:
    enterprise_id: int
    name: str
    township_id: int
    township: str
    business_type: str
    grade: str
    frequency: str
    required: int
    done: int
    last_inspection: dt.date | None
    last_full: dt.date | None
    registered_on: dt.date
    overdue_days: int = 0
    reasons: list[dict] = field(default_factory=list)
    # due date of each rule's first unmet inspection (None: nothing due under that rule), independent of ``today``
    frequency_due: dt.date | None = None
    frequency_k: int = 0
    floor_due: dt.date | None = None
    floor_at_least: bool = False
    first_due: dt.date | None = None

    @property
    def is_overdue(self) -> bool:
        return self.overdue_days > 0

    def as_dict(self) -> dict:
        return {
            "enterprise": self.enterprise_id,
            "name": self.name,
            "township": self.township_id,
            "township_name": self.township,
            "business_type": self.business_type,
            "grade": self.grade or None,
            "frequency": self.frequency,
            "required_this_year": self.required,
            "done_this_year": self.done,
            "last_inspection": self.last_inspection.isoformat() if self.last_inspection else None,
            "last_full_inspection": self.last_full.isoformat() if self.last_full else None,
            "registered_on": self.registered_on.isoformat(),
            "overdue_days": self.overdue_days,
            "reasons": self.reasons,
        }


def _reason(code: str, label: str, due: dt.date, today: dt.date, *, at_least: bool = False) -> dict:
    return {
        "code": code,
        "label": label,
        "due": due.isoformat(),
        "days": (today - due).days,
        "at_least": at_least,
    }


FLOOR_LABEL = "两年内未进行全项目监督检查（总局令第 49 号第二十二条）"
FIRST_LABEL = "登记后一个月内未进行首次检查（三小一摊）"
REASON_LABELS = {"frequency": "未达到等级检查频次", "floor": FLOOR_LABEL, "first": FIRST_LABEL}


def _apply_reasons(row: DebtRow, today: dt.date) -> None:
    """The reasons (rules whose due date has passed) and the overdue days of ``row`` on ``today``."""
    row.reasons = []
    if row.frequency_due and row.frequency_due < today:
        label = f"{row.grade} 级年度第 {row.frequency_k} 次检查（{row.frequency}）"
        row.reasons.append(_reason("frequency", label, row.frequency_due, today))
    if row.floor_due and row.floor_due < today:
        row.reasons.append(_reason("floor", FLOOR_LABEL, row.floor_due, today, at_least=row.floor_at_least))
    if row.first_due and row.first_due < today:
        row.reasons.append(_reason("first", FIRST_LABEL, row.first_due, today))
    row.overdue_days = max([r["days"] for r in row.reasons] or [0])


def coverage_rows(enterprise_qs, *, today: dt.date | None = None) -> list[DebtRow]:
    """Debt of every operating enterprise in ``enterprise_qs`` (already scoped). Five queries + the sources."""
    today = today or timezone.localdate()
    year = today.year
    ents = list(
        enterprise_qs.filter(status=EnterpriseStatus.OPERATING).values(
            "id", "name", "township_id", "business_type__code", "business_type__name", "created_at"
        )
    )
    ids = [e["id"] for e in ents]
    township_names = dict(Township.objects.filter(pk__in={e["township_id"] for e in ents}).values_list("id", "name"))
    current = {
        row["enterprise_id"]: row
        for row in RiskAssessment.objects.filter(enterprise__in=enterprise_qs, is_current=True).values(
            "enterprise_id", "grade", "scheme_id"
        )
    }
    bands = {
        (b.scheme_id, b.grade): b
        for b in GradeBand.objects.filter(scheme_id__in={r["scheme_id"] for r in current.values()})
    }
    labels = {key: band.frequency_label for key, band in bands.items()}
    licensed = dict(
        Licence.objects.filter(enterprise__in=enterprise_qs, is_active=True, issued_on__isnull=False)
        .values("enterprise_id")
        .annotate(first=Min("issued_on"))
        .values_list("enterprise_id", "first")
    )
    inspections = completed_inspections(ids, year) if ids else {}
    window_start = dt.date(year - FLOOR_YEARS, 1, 1)
    rows = []
    for e in ents:
        eid = e["id"]
        registered = licensed.get(eid) or timezone.localtime(e["created_at"]).date()
        done_all = [(d, full) for d, full in inspections.get(eid, ()) if d <= today]
        done_year = [d for d, _ in done_all if d.year == year]
        last = done_all[-1][0] if done_all else None
        fulls = [d for d, full in done_all if full]
        last_full = fulls[-1] if fulls else None
        cur = current.get(eid)
        key = (cur["scheme_id"], cur["grade"]) if cur else None
        band = bands.get(key)
        row = DebtRow(
            enterprise_id=eid,
            name=e["name"],
            township_id=e["township_id"],
            township=township_names.get(e["township_id"], ""),
            business_type=e["business_type__name"],
            grade=cur["grade"] if cur else "",
            frequency=labels[key] if band else "未评级",
            required=0,
            done=len(done_year),
            last_inspection=last,
            last_full=last_full,
            registered_on=registered,
        )
        # 1. grade frequency
        if band:
            if band.period_years <= 1:
                row.required = band.min_inspections
            else:
                recent = [d for d, _ in done_all if year - band.period_years < d.year < year]
                row.required = 0 if recent else band.min_inspections
            if band.period_years > 1:
                dues = (dt.date(year, 12, 31),) * row.required
            else:
                dues = frequency_due_dates(year, row.required)
            # dues rise through the year: the first unmet one is the (done + 1)-th
            if len(done_year) < row.required:
                row.frequency_k = len(done_year) + 1
                row.frequency_due = dues[len(done_year)]
        # 2. Order 49 floor: a full-coverage inspection every two years
        if last_full:
            due, at_least = _add_years(last_full, FLOOR_YEARS), False
        elif registered >= window_start:
            due, at_least = _add_years(registered, FLOOR_YEARS), False
        else:
            due, at_least = dt.date(year - 1, 12, 31), True
        row.floor_due, row.floor_at_least = due, at_least
        # 3. 三小一摊: first inspection within one month of registration
        if e["business_type__code"] in SMALL_BUSINESS_TYPES and registered >= window_start:
            since = [d for d, _ in done_all if d >= registered]
            due = _add_month(registered)
            if not since:
                row.first_due = due
        _apply_reasons(row, today)
        rows.append(row)
    return rows


# ---------------------------------------------------------------------------- maintained state (set-based reads)
REFRESH_CHUNK = 2000
_STATE_FIELDS = (
    "township",
    "year",
    "grade",
    "frequency",
    "required",
    "done",
    "last_inspection",
    "last_full",
    "registered_on",
    "frequency_due",
    "frequency_k",
    "floor_due",
    "floor_at_least",
    "first_due",
    "next_due",
    "computed_at",
)


def _state_of(row: DebtRow, year: int, now) -> CoverageState:
    dues = [d for d in (row.frequency_due, row.floor_due, row.first_due) if d]
    return CoverageState(
        enterprise_id=row.enterprise_id,
        township_id=row.township_id,
        year=year,
        grade=row.grade,
        frequency=row.frequency,
        required=row.required,
        done=row.done,
        last_inspection=row.last_inspection,
        last_full=row.last_full,
        registered_on=row.registered_on,
        frequency_due=row.frequency_due,
        frequency_k=row.frequency_k,
        floor_due=row.floor_due,
        floor_at_least=row.floor_at_least,
        first_due=row.first_due,
        next_due=min(dues),
        computed_at=now,
    )


FEW_IDS = 50  # up to this many enterprises, only the buckets they left or joined are re-summed


def _refresh_chunk(ids: list[int], today: dt.date, *, buckets: bool = True) -> int:
    rows = coverage_rows(Enterprise.objects.filter(pk__in=ids), today=today)
    now = timezone.now()
    states = [_state_of(r, today.year, now) for r in rows]
    with transaction.atomic():
        old = set(CoverageState.objects.filter(enterprise_id__in=ids).values_list("township_id", "grade", "next_due"))
        CoverageState.objects.filter(enterprise_id__in=ids).exclude(
            enterprise_id__in=[r.enterprise_id for r in rows]
        ).delete()  # no longer operating
        CoverageState.objects.bulk_create(
            states, update_conflicts=True, unique_fields=["enterprise"], update_fields=list(_STATE_FIELDS)
        )
        keys = old | {(st.township_id, st.grade, st.next_due) for st in states}
        if buckets and keys:
            if len(ids) <= FEW_IDS:
                _buckets_rebuild(keys=keys)
            else:
                _buckets_rebuild({k[0] for k in keys})
    return len(rows)


def _buckets_rebuild(township_ids: Iterable[int] | None = None, *, keys: set[tuple] | None = None) -> None:
    """Re-sum buckets from the state with one GROUP BY: of the given townships, of the given (township, grade,
    next_due) keys, or all. The township rows are locked first so that two refreshes of one township do not
    interleave their DELETE and INSERT."""
    with transaction.atomic():
        townships = Township.objects.select_for_update().order_by("pk")
        states, buckets = CoverageState.objects.all(), CoverageBucket.objects.all()
        if keys is not None:
            township_ids = {k[0] for k in keys}
            match = Q()
            for township_id, grade, next_due in sorted(keys, key=lambda k: (k[0], k[1], k[2])):
                match |= Q(township_id=township_id, grade=grade, next_due=next_due)
            states, buckets = states.filter(match), buckets.filter(match)
        if township_ids is not None:
            ids = sorted(set(township_ids))
            townships, states, buckets = (
                townships.filter(pk__in=ids),
                states.filter(township_id__in=ids),
                buckets.filter(township_id__in=ids),
            )
        list(townships.values_list("pk", flat=True))
        buckets.delete()
        sums = (
            states.order_by()
            .values("township_id", "grade", "next_due")
            .annotate(n=Count("pk"), req=Sum("required"), dn=Sum(Least("done", "required")))
        )
        CoverageBucket.objects.bulk_create(
            [
                CoverageBucket(
                    township_id=r["township_id"],
                    grade=r["grade"],
                    next_due=r["next_due"],
                    enterprises=r["n"],
                    required=r["req"] or 0,
                    done=r["dn"] or 0,
                )
                for r in sums
            ],
            batch_size=5000,
        )


def coverage_refresh(
    enterprise_ids: Iterable[int] | None = None, *, today: dt.date | None = None, progress=None
) -> int:
    """Recompute the maintained state of the given enterprises (every enterprise when None), in chunks of
    ``REFRESH_CHUNK`` ids: per chunk the five reads of ``coverage_rows``, the sources, one DELETE and one upsert, then
    the buckets of the townships touched (once at the end for a full refresh). Returns the number of operating
    enterprises written."""
    today = today or timezone.localdate()
    if enterprise_ids is not None:
        ids = sorted({int(i) for i in enterprise_ids})
        return sum(_refresh_chunk(ids[i : i + REFRESH_CHUNK], today) for i in range(0, len(ids), REFRESH_CHUNK))
    written, last = 0, 0
    total = Enterprise._base_manager.count() if progress else 0
    while True:
        ids = list(
            Enterprise._base_manager.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:REFRESH_CHUNK]
        )
        if not ids:
            break
        written += _refresh_chunk(ids, today, buckets=False)
        last = ids[-1]
        if progress:
            progress(written, total)
    CoverageState.objects.exclude(enterprise__in=Enterprise._base_manager.all()).delete()
    _buckets_rebuild()
    return written


def _row_of(state: CoverageState, today: dt.date) -> DebtRow:
    ent = state.enterprise
    row = DebtRow(
        enterprise_id=state.enterprise_id,
        name=ent.name,
        township_id=state.township_id,
        township=state.township.name,
        business_type=ent.business_type.name,
        grade=state.grade,
        frequency=state.frequency,
        required=state.required,
        done=state.done,
        last_inspection=state.last_inspection,
        last_full=state.last_full,
        registered_on=state.registered_on,
        frequency_due=state.frequency_due,
        frequency_k=state.frequency_k,
        floor_due=state.floor_due,
        floor_at_least=state.floor_at_least,
        first_due=state.first_due,
    )
    _apply_reasons(row, today)
    return row


def coverage_debt_qs(
    *,
    actor,
    today: dt.date | None = None,
    filters=None,
    township_id: int | None = None,
    reason: str | None = None,
    min_days: int = 1,
):
    """Overdue enterprises visible to ``actor`` as one query on the maintained state, through
    ``CoverageDebtFilterSet`` (``filters``: the page's township and reason; ``township_id`` / ``reason`` are fixed
    conditions for callers such as the API, and go through it too; an invalid value raises ``ValidationError``).

    Most overdue first (then township, enterprise id: the order of the ``risk_cov_next_due`` index, so a page stops
    after its rows). ``rows_of(page)`` turns a page of it into DebtRows."""
    today = today or timezone.localdate()
    qs = CoverageState.objects.visible_to(actor).filter(next_due__lte=today - dt.timedelta(days=max(min_days, 1)))
    params = merge_filters(filters, township=township_id, reason=reason)
    qs = filter_queryset(CoverageDebtFilterSet, qs, params, today=today)
    return qs.select_related("enterprise__business_type", "township").order_by(
        "next_due", "township_id", "enterprise_id"
    )


class CountedRows:
    """A queryset whose length is already known (from the buckets): the paginator asks ``count()`` and slices."""

    def __init__(self, qs, total: int):
        self.qs, self.total = qs, total

    def count(self) -> int:
        return self.total

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, item):
        return self.qs[item]


def coverage_debt_page_rows(
    *, actor, today: dt.date | None = None, filters=None, township_id: int | None = None, min_days: int = 1
):
    """``coverage_debt_qs`` ready for a paginator (the coverage page's selector): without a reason its count comes
    from the buckets, which hold no reasons."""
    today = today or timezone.localdate()
    params = merge_filters(filters, township=township_id)
    qs = coverage_debt_qs(actor=actor, today=today, filters=params, min_days=min_days)
    if "reason" in params:
        return qs
    return CountedRows(qs, overdue_total(actor=actor, today=today, filters=params, min_days=min_days))


def rows_of(states, today: dt.date | None = None) -> list[DebtRow]:
    today = today or timezone.localdate()
    return [_row_of(s, today) for s in states]


def coverage_debt(*, actor, today: dt.date | None = None, township_id: int | None = None) -> list[DebtRow]:
    """Overdue enterprises visible to ``actor``, most overdue first (every row: for tests and small sets; pages and
    the API paginate ``coverage_debt_qs``)."""
    today = today or timezone.localdate()
    return rows_of(coverage_debt_qs(actor=actor, today=today, township_id=township_id), today)


def coverage_debt_counts(actor, today: dt.date | None = None) -> list[dict]:
    """Per township visible to ``actor``: operating enterprises, overdue count, largest debt, required / done this
    year.

    For the township home page (``{% risk_coverage_counts %}`` in ``risk_tags``) and the coverage page: one
    GROUP BY over the buckets (and the township names).
    """
    today = today or timezone.localdate()
    overdue = Q(next_due__lt=today)
    rows = (
        CoverageBucket.objects.visible_to(actor)
        .values("township_id")
        .annotate(
            n=Sum("enterprises"),
            overdue=Sum("enterprises", filter=overdue),
            first_due=Min("next_due", filter=overdue),
            req=Sum("required"),
            dn=Sum("done"),
        )
        .order_by()
    )
    rows = list(rows)
    townships = {t.pk: t for t in Township.objects.filter(pk__in=[r["township_id"] for r in rows])}
    out = [
        {
            "township_id": r["township_id"],
            "township": townships[r["township_id"]].name,
            "enterprises": r["n"] or 0,
            "overdue": r["overdue"] or 0,
            "max_days": (today - r["first_due"]).days if r["first_due"] else 0,
            "required": r["req"] or 0,
            "done": r["dn"] or 0,
        }
        for r in rows
        if r["township_id"] in townships
    ]
    return sorted(out, key=lambda x: (townships[x["township_id"]].order, x["township_id"]))


def overdue_total(*, actor, today: dt.date | None = None, filters=None, min_days: int = 1) -> int:
    """How many rows ``coverage_debt_qs`` (without a reason filter) has, from the buckets, of the township in
    ``filters`` (``CoverageTownshipFilterSet``: the rows' township filter)."""
    today = today or timezone.localdate()
    qs = CoverageBucket.objects.visible_to(actor).filter(next_due__lte=today - dt.timedelta(days=max(min_days, 1)))
    qs = filter_queryset(CoverageTownshipFilterSet, qs, filters)
    return qs.aggregate(n=Sum("enterprises"))["n"] or 0


def coverage_overdue_count(actor, today: dt.date | None = None) -> int:
    """Overdue enterprises visible to ``actor``: one SUM over the buckets."""
    return overdue_total(actor=actor, today=today)
