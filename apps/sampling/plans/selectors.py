"""Reads of sampling/plans: plans, plan lines, quota rates, the live quota figures and the quota reports.

Plan lines are township-scoped (``PlanLine.objects.visible_to``); plans are city-wide (every signed-in user with the
view permission sees them, their lines scoped). Samples are read through ``Sample.objects.visible_to`` (``None`` is
the system: the monthly report covers every township).

**What counts toward a quota** (``sample_counts``): a Sample of the township (``Sample.township``, the township at
sampling time) whose ``sampled_on`` falls in the year. Purposes 监督抽检 and 评价性抽检 count toward food sampling
(4.5 / 1,000), 风险监测 toward risk monitoring (1 / 1,000). Quick tests (``is_quick_test``, 快检) are not lab
batches and count toward neither; the page shows them separately. Coverage of categories counts every lab sample
(any purpose) under its 大类; coverage of enterprise kinds counts them under the sampled business's top-level
business type (业态, a sub-type such as 学校食堂 under 单位食堂).

Every figure is computed with a fixed number of GROUP BY queries, whatever the number of samples.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import quote_plus

from django.conf import settings
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import ExtractMonth
from django.utils import timezone

from apps.common.filters import filter_queryset
from apps.common.kept import Kept, kept
from apps.common.models import Job, JobStatus
from apps.common.urlcache import reverse_cached
from apps.enterprises.choices import EnterpriseStatus
from apps.enterprises.models import BusinessType, Enterprise
from apps.standards.models import SamplingCategory

from ..choices import LineSource, PlanStatus, SamplingPurpose
from ..models import PlanLine, QuotaRate, Sample, SamplingPlan
from . import quotas
from .filters import PlanLineFilterSet, SamplingPlanFilterSet

FOOD_PURPOSES = (SamplingPurpose.SUPERVISORY, SamplingPurpose.EVALUATIVE)
MONITORING_PURPOSES = (SamplingPurpose.MONITORING,)
ISSUED = (PlanStatus.APPROVED, PlanStatus.CLOSED)
QUOTA_REPORT_KIND = "sampling.quota_report"
KINDS = {"food": FOOD_PURPOSES, "monitoring": MONITORING_PURPOSES}
KIND_LABELS = {"food": "食品抽检", "monitoring": "风险监测"}


def _signed_in(actor) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False) and actor.is_active


def kind_of(purpose: str) -> str:
    return "monitoring" if purpose in MONITORING_PURPOSES else "food"


# ------------------------------------------------------------------------------------------------ plans and lines
def plan_list(*, actor, filters=None) -> QuerySet[SamplingPlan]:
    """Plans (city-wide), newest year first, through ``SamplingPlanFilterSet``; none for an anonymous caller."""
    if not _signed_in(actor):
        return SamplingPlan.objects.none()
    return filter_queryset(SamplingPlanFilterSet, SamplingPlan.objects.select_related("created_by"), filters)


def plan_get(*, actor, pk) -> SamplingPlan:
    return plan_list(actor=actor).get(pk=pk)


def issued_plan_list(*, actor, filters=None) -> QuerySet[SamplingPlan]:
    """What the API publishes: plans that were issued (已下达 / 已结束). Drafts are internal working copies."""
    return plan_list(actor=actor, filters=filters).filter(status__in=ISSUED)


def plan_totals(*, actor, plans) -> dict[int, dict]:
    """{plan id: {"lines", "batches"}} over the lines the actor sees (one query)."""
    rows = (
        PlanLine.objects.visible_to(actor)
        .filter(plan__in=[p.pk for p in plans])
        .values("plan_id")
        .annotate(lines=Count("id"), batches=Sum("batches"))
        .order_by()
    )
    return {r["plan_id"]: {"lines": r["lines"], "batches": r["batches"] or 0} for r in rows}


def line_list(*, actor, filters=None) -> QuerySet[PlanLine]:
    """Plan lines the actor sees (their townships; city roles all), through ``PlanLineFilterSet``."""
    qs = PlanLine.objects.visible_to(actor).select_related(
        "plan", "township", "category", "enterprise", "business_type"
    )
    return filter_queryset(PlanLineFilterSet, qs, filters)


def line_get(*, actor, pk) -> PlanLine:
    return line_list(actor=actor).get(pk=pk)


def issued_line_list(*, actor, filters=None) -> QuerySet[PlanLine]:
    """The API's lines (and their change feed): lines of issued plans only. A draft's lines may still be deleted;
    once a plan is issued its lines are never deleted (a change or the plan's closing moves ``updated_at``)."""
    return line_list(actor=actor, filters=filters).filter(plan__status__in=ISSUED)


def plan_summary(*, actor, plan: SamplingPlan) -> list[dict]:
    """Per township: lines, batches and batches by source of ``plan`` (lines the actor sees; one query)."""
    rows = (
        PlanLine.objects.visible_to(actor)
        .filter(plan=plan)
        .values("township_id", "township__name", "township__order", "source")
        .annotate(lines=Count("id"), batches=Sum("batches"))
        .order_by("township__order", "township_id")
    )
    out: dict[int, dict] = {}
    for r in rows:
        row = out.setdefault(
            r["township_id"],
            {"township_id": r["township_id"], "township": r["township__name"], "lines": 0, "batches": 0, "sources": {}},
        )
        row["lines"] += r["lines"]
        row["batches"] += r["batches"] or 0
        row["sources"][r["source"]] = r["batches"] or 0
    return list(out.values())


# ------------------------------------------------------------------------------------------------ rates
def rate_list(*, actor, filters=None) -> QuerySet[QuotaRate]:
    """Quota rates per year (configuration, not row-scoped), newest year first."""
    if not _signed_in(actor):
        return QuotaRate.objects.none()
    return QuotaRate.objects.order_by("-year")


def rate_get(*, actor, pk) -> QuotaRate:
    return rate_list(actor=actor).get(pk=pk)


# ------------------------------------------------------------------------------------------------ links
def _base(name: str) -> str | None:
    """``reverse(name)``, remembered (``apps.common.urlcache``: a page builds ~150 links to three lists)."""
    return reverse_cached(name)


@lru_cache(maxsize=4096)
def _pair(key: str, value: str) -> str:
    """``key=value`` as ``django.utils.http.urlencode`` writes it (``quote_plus``), remembered: a page repeats the
    same few pairs (year, township, quick_test, purpose) in ~150 links."""
    return f"{quote_plus(key)}={quote_plus(value)}"


def _query(params: dict) -> str:
    """``urlencode(params, doseq=True)`` without the empty values (a list value repeats its key)."""
    pairs = []
    for key, value in params.items():
        if value is None or value == "" or value == [] or value == ():
            continue
        if isinstance(value, list | tuple):
            pairs.extend(_pair(key, str(v)) for v in value)
        else:
            pairs.append(_pair(key, str(value)))
    return "&".join(pairs)


def _link(name: str, params: dict, *, missing: str = "#", base: str | None = "") -> str:
    base = _base(name) if base == "" else base
    if base is None:
        return missing
    query = _query(params)
    return f"{base}?{query}" if query else base


class Links:
    """The links of one page: each list's base URL resolved once (a page builds ~150 links)."""

    def __init__(self):
        self.bases = {name: _base(name) for name in ("sampling:sample_list", "sampling:line_list", "enterprises:list")}

    def samples(self, **params) -> str:
        return _link("sampling:sample_list", params, base=self.bases["sampling:sample_list"])

    def lines(self, **params) -> str:
        return _link("sampling:line_list", params, base=self.bases["sampling:line_list"])

    def enterprises(self, **params) -> str:
        return _link("enterprises:list", params, base=self.bases["enterprises:list"])


def sample_list_url(**params) -> str:
    """A link to the sample list (``sampling:sample_list``, the fieldwork pages) with GET filters; list values repeat
    the parameter. ``#`` while that page is not installed on this branch."""
    return _link("sampling:sample_list", params)


def line_list_url(**params) -> str:
    return _link("sampling:line_list", params)


def enterprise_list_url(**params) -> str:
    return _link("enterprises:list", params)


def quota_page_url(**params) -> str:
    return _link("sampling:quota", params)


def sample_filters(*, year, township=None, kind=None, **extra) -> dict:
    """The sample-list filters behind a quota figure: lab samples (``quick_test=0``) of the year, township and kind
    (food: 监督抽检 + 评价性抽检, repeated ``purpose``; monitoring: 风险监测)."""
    params = {"year": year, "township": township, "quick_test": 0, **extra}
    if kind:
        params["purpose"] = [str(p) for p in KINDS[kind]]
    return params


# ------------------------------------------------------------------------------------------------ sample counts
def _samples(actor) -> QuerySet[Sample]:
    return Sample.objects.all() if actor is None else Sample.objects.visible_to(actor)


def _rows(model, names: tuple[str, ...]) -> tuple[list[str], list[tuple]]:
    """Every row of a small reference table as tuples of ``names`` (in the model's field order, unsorted), so that
    only the few rows a page shows become model instances (``_instance``), and those exactly as ``.only(*names)``
    would load them."""
    attnames = [f.attname for f in model._meta.concrete_fields if f.attname in names]
    return attnames, list(model.objects.order_by().values_list(*attnames))


def _instance(model, attnames: list[str], row: tuple):
    return model.from_db("default", attnames, row)


@dataclass
class Catalogue:
    """The sampling categories (one query): each category's 大类 and the active 大类 in order."""

    roots: list[SamplingCategory]
    root_of: dict[int, int]

    @classmethod
    def load(cls) -> Catalogue:
        names, rows = _rows(
            SamplingCategory, ("id", "parent_id", "level", "name", "code", "order", "hazard", "is_active")
        )
        pk, parent_at, level_at, active_at = (names.index(n) for n in ("id", "parent_id", "level", "is_active"))
        parent = {r[pk]: r[parent_at] for r in rows}
        root_of = {}
        for node in parent:
            start, seen = node, 0
            while parent.get(node) and seen < 8:
                node, seen = parent[node], seen + 1
            root_of[start] = node
        roots = sorted(
            (
                _instance(SamplingCategory, names, r)
                for r in rows
                if r[parent_at] is None and r[level_at] == 1 and r[active_at]
            ),
            key=lambda c: (c.order, c.code),
        )
        return cls(roots=roots, root_of=root_of)


@dataclass
class KindCatalogue:
    """Business types (one query): each type's top-level type, and the top-level types in order."""

    tops: list[BusinessType]
    top_of: dict[int, int]

    @classmethod
    def load(cls) -> KindCatalogue:
        names, rows = _rows(BusinessType, ("id", "parent_id", "name", "order", "is_active"))
        pk, parent_at = names.index("id"), names.index("parent_id")
        top_of = {r[pk]: (r[parent_at] or r[pk]) for r in rows}
        tops = sorted(
            (_instance(BusinessType, names, r) for r in rows if r[parent_at] is None), key=lambda b: (b.order, b.pk)
        )
        return cls(tops=tops, top_of=top_of)


@dataclass
class Counts:
    """Lab samples of a year per township: by kind × month, by kind × source; quick tests; categories and kinds."""

    by_month: dict = field(default_factory=lambda: defaultdict(int))  # (township, kind, month) -> n
    by_source: dict = field(default_factory=lambda: defaultdict(int))  # (township, kind, source) -> n
    quick: dict = field(default_factory=lambda: defaultdict(int))  # township -> quick tests
    by_category: dict = field(default_factory=lambda: defaultdict(int))  # (township, kind, 大类 id) -> n
    by_kind: dict = field(default_factory=lambda: defaultdict(int))  # (township, top business type id) -> n
    enterprises_by_kind: dict = field(default_factory=lambda: defaultdict(int))  # sampled enterprises

    def done(self, township_id, kind, months=quotas.MONTHS) -> int:
        return sum(self.by_month.get((township_id, kind, m), 0) for m in months)

    def category(self, township_id, category_id, kind=None) -> int:
        kinds = (kind,) if kind else tuple(KINDS)
        return sum(self.by_category.get((township_id, k, category_id), 0) for k in kinds)


def sample_counts(
    *,
    actor,
    year: int,
    township_ids,
    catalogue: Catalogue,
    kinds: KindCatalogue | None = None,
    until: dt.date | None = None,
) -> Counts:
    """Every sample figure of the quota page, report and overview: two GROUP BY queries over the year's samples, and
    with ``kinds`` (the township page) the samples per enterprise and those enterprises' business types (sampled on
    or before ``until`` when given: a report as of a day)."""
    with_kinds = kinds is not None
    start, end = quotas.year_bounds(year)
    if until is not None:
        end = min(end, until)
    base = _samples(actor).filter(township_id__in=list(township_ids), sampled_on__gte=start, sampled_on__lte=end)
    counts = Counts()
    rows = (
        base.values("township_id", "purpose", "source", "is_quick_test")
        .annotate(month=ExtractMonth("sampled_on"), n=Count("id"))
        .values_list("township_id", "purpose", "source", "is_quick_test", "month", "n")
        .order_by()
    )
    for township, purpose, source, quick, month, n in rows:
        if quick:
            counts.quick[township] += n
            continue
        kind = kind_of(purpose)
        counts.by_month[(township, kind, month)] += n
        counts.by_source[(township, kind, source)] += n
    lab = base.filter(is_quick_test=False)
    rows = lab.values_list("township_id", "purpose", "category_id").annotate(n=Count("id")).order_by()
    for township, purpose, category, n in rows:
        counts.by_category[(township, kind_of(purpose), catalogue.root_of.get(category, category))] += n
    if not with_kinds:
        return counts
    # per business type of the sampled business, read row by row through its primary key (a correlated subquery:
    # no IN list of the sampled enterprises, no join over the whole registry), with the enterprises counted once
    btype = Subquery(Enterprise.objects.filter(pk=OuterRef("enterprise_id")).order_by().values("business_type_id")[:1])
    rows = (
        lab.values("township_id", btype=btype)
        .annotate(n=Count("id"), enterprises=Count("enterprise_id", distinct=True))
        .values_list("township_id", "btype", "n", "enterprises")
        .order_by()
    )
    for township, btype_id, n, enterprises in rows:
        top = kinds.top_of.get(btype_id, btype_id)
        counts.by_kind[(township, top)] += n
        counts.enterprises_by_kind[(township, top)] += enterprises
    return counts


def operating_by_kind(*, actor, township_ids, kinds: KindCatalogue) -> dict:
    """{(township, top business type): operating enterprises} (one GROUP BY)."""
    qs = Enterprise.objects.all() if actor is None else Enterprise.objects.visible_to(actor)
    rows = (
        qs.filter(township_id__in=list(township_ids), status=EnterpriseStatus.OPERATING)
        .values_list("township_id", "business_type_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    out: dict = defaultdict(int)
    for township, btype, n in rows:
        out[(township, kinds.top_of.get(btype, btype))] += n
    return out


def planned_by_month(*, actor, year: int, township_ids) -> dict:
    """{(township, kind, month): batches} of the issued plans' lines (one GROUP BY)."""
    qs = PlanLine.objects.all() if actor is None else PlanLine.objects.visible_to(actor)
    rows = (
        qs.filter(plan__year=year, plan__status__in=ISSUED, township_id__in=list(township_ids))
        .values_list("township_id", "plan__purpose", "month")
        .annotate(n=Sum("batches"))
        .order_by()
    )
    out: dict = defaultdict(int)
    for township, purpose, month, n in rows:
        out[(township, kind_of(purpose), month)] += n or 0
    return out


# ------------------------------------------------------------------------------------------------ the quota page
def months_elapsed(year: int, today: dt.date | None = None) -> int:
    """How many months of ``year`` have begun by today (0 for a future year, 12 for a past one)."""
    today = today or timezone.localdate()
    if year < today.year:
        return 12
    if year > today.year:
        return 0
    return today.month


def _pct(done: int, target: int | None):
    if not target:
        return None
    return round(done * 100 / target, 1)


def township_page(*, actor, year: int, township) -> dict:
    """The live quota figures of one township and year: the quota (估算 when the population is), burn-down by month,
    batches per 1,000 residents, by source, coverage of 大类 and of enterprise kinds. A fixed number of queries."""
    table = quotas.township_quotas(actor=actor, year=year, townships=[township])
    row = table.rows[0]
    catalogue, kinds = Catalogue.load(), KindCatalogue.load()
    counts = sample_counts(actor=actor, year=year, township_ids=[township.pk], catalogue=catalogue, kinds=kinds)
    planned = planned_by_month(actor=actor, year=year, township_ids=[township.pk])
    operating = operating_by_kind(actor=actor, township_ids=[township.pk], kinds=kinds)
    elapsed = months_elapsed(year)
    tid = township.pk
    links = Links()
    figures = {}
    for kind in KINDS:
        target = row.food if kind == "food" else row.monitoring
        monthly_target = quotas.even_months(target) if target is not None else [None] * 12
        cum_done = cum_target = cum_planned = 0
        months = []
        for m, t in zip(quotas.MONTHS, monthly_target, strict=True):
            done = counts.by_month.get((tid, kind, m), 0)
            plan_n = planned.get((tid, kind, m), 0)
            cum_done += done
            cum_planned += plan_n
            if t is not None:
                cum_target += t
            months.append(
                {
                    "month": m,
                    "target": t,
                    "cum_target": cum_target if t is not None else None,
                    "planned": plan_n,
                    "done": done,
                    "cum_done": cum_done,
                    "remaining": max(target - cum_done, 0) if target is not None else None,
                    "future": m > elapsed,
                    "done_url": links.samples(**sample_filters(year=year, township=tid, kind=kind, month=m)),
                    "planned_url": links.lines(
                        year=year, township=tid, month=m, purpose=_plan_purposes(kind), status="issued"
                    ),
                }
            )
        done_total = counts.done(tid, kind)
        expected = sum(t or 0 for t in monthly_target[:elapsed])
        figures[kind] = {
            "kind": kind,
            "label": KIND_LABELS[kind],
            "rate": table.rates.food_rate if kind == "food" else table.rates.monitoring_rate,
            "quota": target,
            "done": done_total,
            "remaining": max(target - done_total, 0) if target is not None else None,
            "pct": _pct(done_total, target),
            "expected_to_date": expected if target is not None else None,
            "behind": target is not None and done_total < expected,
            "per_thousand": quotas.per_thousand(done_total, row.population_value),
            "planned": cum_planned,
            "months": months,
            "done_url": links.samples(**sample_filters(year=year, township=tid, kind=kind)),
            "planned_url": links.lines(year=year, township=tid, purpose=_plan_purposes(kind), status="issued"),
        }
    shares = table.rates.shares
    sources = []
    food_quota = row.food
    split = quotas.split_by_source(food_quota, shares) if (food_quota is not None and shares) else {}
    for source in quotas.SOURCES:
        done = counts.by_source.get((tid, "food", str(source)), 0)
        sources.append(
            {
                "source": str(source),
                "label": LineSource(source).label,
                "share": shares.get(source),
                "quota": split.get(source),
                "done": done,
                "pct": _pct(done, split.get(source)),
                "url": links.samples(**sample_filters(year=year, township=tid, kind="food", source=str(source))),
            }
        )
    categories = []
    weights = quotas.category_weights(catalogue.roots)
    food_shares = _shares(row.food, weights)
    for i, c in enumerate(catalogue.roots):
        food = counts.category(tid, c.pk, "food")
        monitoring = counts.category(tid, c.pk, "monitoring")
        categories.append(
            {
                "category": c,
                "samples": food + monitoring,
                "food": food,
                "monitoring": monitoring,
                "food_quota": food_shares[i] if food_shares else None,
                "url": links.samples(year=year, township=tid, category=c.pk, quick_test=0),
                "food_url": links.samples(**sample_filters(year=year, township=tid, kind="food", category=c.pk)),
                "monitoring_url": links.samples(
                    **sample_filters(year=year, township=tid, kind="monitoring", category=c.pk)
                ),
            }
        )
    kinds_rows = []
    for b in kinds.tops:
        ops = operating.get((tid, b.pk), 0)
        n = counts.by_kind.get((tid, b.pk), 0)
        if not ops and not n:
            continue
        kinds_rows.append(
            {
                "business_type": b,
                "operating": ops,
                "samples": n,
                "enterprises": counts.enterprises_by_kind.get((tid, b.pk), 0),
                "operating_url": links.enterprises(township=tid, business_type=b.pk, status="operating"),
                "url": links.samples(year=year, township=tid, business_type=b.pk, quick_test=0),
            }
        )
    return {
        "year": year,
        "township": township,
        "quota": row,
        "rates": table.rates,
        "figures": figures,
        "sources": sources,
        "categories": categories,
        "categories_covered": sum(1 for c in categories if c["samples"]),
        "kinds": kinds_rows,
        "kinds_covered": sum(1 for k in kinds_rows if k["samples"]),
        "quick_tests": counts.quick.get(tid, 0),
        "quick_url": links.samples(year=year, township=tid, quick_test=1),
        "elapsed": elapsed,
        "month_rows": [
            {"food": f, "monitoring": m}
            for f, m in zip(figures["food"]["months"], figures["monitoring"]["months"], strict=True)
        ],
        "chart": _burn_down_chart(figures),
    }


def _shares(total, weights) -> list[int]:
    """A quota's default split across the 大类 (hazard-weighted largest remainder, as the plan generation does)."""
    if total is None or not weights:
        return []
    return quotas.largest_remainder(total, [w for _, w in weights])


def _plan_purposes(kind: str) -> list[str]:
    return [str(p) for p in KINDS[kind]]


def _burn_down_chart(figures) -> dict:
    food, mon = figures["food"], figures["monitoring"]
    return {
        "kind": "burndown",
        "months": [f"{m}月" for m in quotas.MONTHS],
        "series": [
            {
                "key": "food_target",
                "name": "食品抽检：应完成（累计）",
                "values": [m["cum_target"] for m in food["months"]],
            },
            {
                "key": "food_done",
                "name": "食品抽检：已完成（累计）",
                "values": [m["cum_done"] if not m["future"] else None for m in food["months"]],
            },
            {
                "key": "mon_target",
                "name": "风险监测：应完成（累计）",
                "values": [m["cum_target"] for m in mon["months"]],
            },
            {
                "key": "mon_done",
                "name": "风险监测：已完成（累计）",
                "values": [m["cum_done"] if not m["future"] else None for m in mon["months"]],
            },
        ],
        "urls": {
            "food_done": [m["done_url"] for m in food["months"]],
            "mon_done": [m["done_url"] for m in mon["months"]],
        },
    }


# ------------------------------------------------------------------------------------------------ the overview
def overview(*, actor, year: int, townships=None) -> dict:
    """Year to date, every township the actor sees (``townships``: that list, already read): quota, done, %,
    per 1,000, categories covered (fixed queries)."""
    table = quotas.township_quotas(actor=actor, year=year, townships=townships)
    ids = [r.township.pk for r in table.rows]
    catalogue = Catalogue.load()
    counts = sample_counts(actor=actor, year=year, township_ids=ids, catalogue=catalogue)
    rows = []
    links = Links()
    totals = {k: {"quota": 0, "done": 0} for k in KINDS}
    for r in table.rows:
        tid = r.township.pk
        item = {"quota": r, "township": r.township, "kinds": {}}
        for kind in KINDS:
            target = r.food if kind == "food" else r.monitoring
            done = counts.done(tid, kind)
            totals[kind]["quota"] += target or 0
            totals[kind]["done"] += done
            item["kinds"][kind] = {
                "quota": target,
                "done": done,
                "pct": _pct(done, target),
                "per_thousand": quotas.per_thousand(done, r.population_value),
                "url": links.samples(**sample_filters(year=year, township=tid, kind=kind)),
            }
        item["categories_covered"] = sum(1 for c in catalogue.roots if counts.category(tid, c.pk))
        item["page_url"] = quota_page_url(year=year, township=tid)
        item["quick_tests"] = counts.quick.get(tid, 0)
        rows.append(item)
    population = table.population_total
    for kind in KINDS:
        t = totals[kind]
        t["pct"] = _pct(t["done"], t["quota"])
        t["per_thousand"] = quotas.per_thousand(t["done"], population)
        t["url"] = links.samples(**sample_filters(year=year, kind=kind))
    return {
        "year": year,
        "table": table,
        "rows": rows,
        "totals": totals,
        "categories_total": len(catalogue.roots),
        "elapsed": months_elapsed(year),
        "chart": {
            "kind": "overview",
            "townships": [r["township"].name for r in rows],
            "series": [
                {"key": "food_quota", "name": "食品抽检配额", "values": [r["kinds"]["food"]["quota"] for r in rows]},
                {"key": "food_done", "name": "食品抽检已完成", "values": [r["kinds"]["food"]["done"] for r in rows]},
                {
                    "key": "mon_quota",
                    "name": "风险监测配额",
                    "values": [r["kinds"]["monitoring"]["quota"] for r in rows],
                },
                {
                    "key": "mon_done",
                    "name": "风险监测已完成",
                    "values": [r["kinds"]["monitoring"]["done"] for r in rows],
                },
            ],
            "urls": {
                "food_done": [r["kinds"]["food"]["url"] for r in rows],
                "mon_done": [r["kinds"]["monitoring"]["url"] for r in rows],
                "page": [r["page_url"] for r in rows],
            },
        },
    }


# ------------------------------------------------------------------------------------------------ kept figures
def quota_figures(*, actor, year: int, townships, township=None, fresh: bool = False) -> Kept:
    """The figures of the quota page, kept ``SAMPLING_QUOTA_CACHE_SECONDS`` in the shared cache (``fresh``: computed
    now and kept again). The caller has checked that ``township`` is one of ``townships``, the townships the actor
    sees (the page's form does).

    The cache key is the page (one township, or the overview of a list of townships) and the year, not the user:
    a township's figures are every sample, plan line and enterprise **of that township** for anyone who may open it
    — the scope rules (``apps.common.scoping``, ``sampling_scope``) give township staff all the rows of their
    townships and only ever widen beyond them — so two users who may open the same page see the same figures
    (``tests/sampling/plans/test_quota_pages.py`` holds this). The overview's rows are the listed townships, each
    complete in the same way."""
    seconds = int(getattr(settings, "SAMPLING_QUOTA_CACHE_SECONDS", 0) or 0)
    if township is not None:
        key = f"sampling:quota:v1:township:{year}:{township.pk}"

        def compute():
            return township_page(actor=actor, year=year, township=township)

    else:
        key = f"sampling:quota:v1:overview:{year}:{','.join(str(t.pk) for t in townships)}"

        def compute():
            return overview(actor=actor, year=year, townships=townships)

    return kept(key, compute, seconds=seconds, fresh=fresh)


# ------------------------------------------------------------------------------------------------ the report
def report_data(*, actor, year: int, as_of: dt.date | None = None) -> dict:
    """The quota report's figures: per township × 大类 (batches done, per 1,000, the category's share of the quota
    and the gap to it) plus the township totals. The category share is the split the plan generation uses
    (hazard-weighted largest remainder of the food quota); a fixed number of queries."""
    table = quotas.township_quotas(actor=actor, year=year) if actor is not None else _all_quotas(year)
    ids = [r.township.pk for r in table.rows]
    catalogue = Catalogue.load()
    counts = sample_counts(actor=actor, year=year, township_ids=ids, catalogue=catalogue, until=as_of)
    weights = quotas.category_weights(catalogue.roots)
    townships = []
    for r in table.rows:
        tid = r.township.pk
        shares = {"food": _shares(r.food, weights), "monitoring": _shares(r.monitoring, weights)}
        cats = []
        for i, c in enumerate(catalogue.roots):
            cells = {}
            for kind in KINDS:
                done = counts.category(tid, c.pk, kind)
                share = shares[kind][i] if shares[kind] else None
                cells[kind] = {
                    "quota": share,
                    "done": done,
                    "per_thousand": quotas.per_thousand(done, r.population_value),
                    "gap": max(share - done, 0) if share is not None else None,
                }
            cats.append({"category": c, **cells})
        kinds_done = {k: counts.done(tid, k) for k in KINDS}
        townships.append({"quota": r, "categories": cats, "done": kinds_done, "quick_tests": counts.quick.get(tid, 0)})
    return {
        "year": year,
        "as_of": as_of or timezone.localdate(),
        "table": table,
        "townships": townships,
        "categories": catalogue.roots,
    }


def _all_quotas(year: int) -> quotas.QuotaTable:
    from apps.accounts.models import Township

    return quotas.township_quotas(
        actor=None, year=year, townships=Township.objects.filter(is_active=True).order_by("order", "id")
    )


def quota_report_jobs(*, actor, limit: int = 12) -> list[Job]:
    """The finished quota reports the actor may download: their own and the monthly (system) ones, newest first.
    Only for holders of ``sampling.run_quota_report`` (the reports cover every township)."""
    if not _signed_in(actor) or not actor.has_perm("sampling.run_quota_report"):
        return []
    mine = Job.objects.visible_to(actor).values("pk")
    return list(
        Job.objects.filter(kind=QUOTA_REPORT_KIND, status=JobStatus.DONE)
        .filter(Q(pk__in=mine) | Q(created_by__isnull=True))
        .order_by("-finished_at")[:limit]
    )


def quota_report_job_get(*, actor, pk) -> Job:
    """One downloadable quota report (see ``quota_report_jobs``); DoesNotExist otherwise."""
    if not _signed_in(actor) or not actor.has_perm("sampling.run_quota_report"):
        raise Job.DoesNotExist
    mine = Job.objects.visible_to(actor).values("pk")
    return Job.objects.filter(kind=QUOTA_REPORT_KIND).filter(Q(pk__in=mine) | Q(created_by__isnull=True)).get(pk=pk)


def line_batches(lines: QuerySet[PlanLine]) -> int:
    """The batches of a (filtered) list of lines (one aggregate)."""
    return lines.aggregate(n=Sum("batches"))["n"] or 0
