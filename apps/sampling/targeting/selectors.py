"""Reads of sampling/targeting: the 靶向抽检 ranking (one function for the page, the API and the back-test), the
weights rows and the 风险会商 records.

The ranking reads in bulk, a fixed number of queries whatever the number of enterprises (docs/sampling-targeting.md
§4): the visible operating enterprises (through ``SuggestionFilterSet``), their food categories, the sampling
catalogue, the samples of those enterprises in the window (last date per enterprise × category, and the unqualified
ones), the year's plan lines naming them, the weights in force, and two providers of apps.common.hooks — the risk
grade (``risk.enterprise_attributes``) and the complaint counts (``complaints.counts``, absent today).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Max, Prefetch
from django.utils import timezone

from apps.common import hooks
from apps.common.filters import filter_queryset
from apps.enterprises.models import Enterprise
from apps.standards.choices import Verdict
from apps.standards.models import SamplingCategory

from ..choices import PlanStatus
from ..models import ConsultationDecision, ConsultationMeeting, PlanLine, Sample, SamplingPlan, SuggestionWeights
from .filters import ConsultationMeetingFilterSet, SuggestionFilterSet
from .mapping import majors_of, mapping_gaps
from .ranking import (
    Suggestion,
    Weights,
    complaints_score,
    grade_score,
    hazard_score,
    parse_key,
    score_reasons,
    staleness_score,
    unqualified_score,
    unqualified_weighted,
    window_days,
    window_start,
)

RISK_ATTRIBUTES_HOOK = "risk.enterprise_attributes"
COMPLAINTS_HOOK = "complaints.counts"


# ---------------------------------------------------------------------------------------------- dates and weights
def ranking_dates(year: int, *, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """``(data_until, weights_on)`` of the ranking for a plan year.

    This year and later years: the data up to today; a past year: the data up to 31 December of the year before (the
    ranking as it stood when that year's plan was made — what the back-test replays). Weights: those in force today for
    this year, on 1 January of the year otherwise (weights set for next year apply to next year's ranking).
    """
    today = today or timezone.localdate()
    if year < today.year:
        return dt.date(year - 1, 12, 31), dt.date(year, 1, 1)
    if year == today.year:
        return today, today
    return today, dt.date(year, 1, 1)


def weights_in_force(on: dt.date) -> Weights:
    row = SuggestionWeights.objects.in_force(on)
    return Weights.of(row) if row is not None else default_weights()


def default_weights() -> Weights:
    return Weights.of(SuggestionWeights(effective_from=None))


def weights_list(*, actor, filters=None):
    """Every weights row, newest effective date first (city-wide configuration: anyone allowed to view it)."""
    if (
        actor is None
        or not getattr(actor, "is_authenticated", False)
        or not actor.has_perm("sampling.view_suggestionweights")
    ):
        return SuggestionWeights.objects.none()
    return SuggestionWeights.objects.order_by("-effective_from")


# ---------------------------------------------------------------------------------------------- the ranking
class SuggestionRanking:
    """The ranked suggestions, best first, with what the page and the API say about them.

    A sequence (``len``, index, slice, iteration; ``count()`` for the paginator): the ranking keeps one small tuple
    per suggestion and builds a ``Suggestion`` with its reasons only for the rows asked for (a page of 25, the API's
    ``limit``), so ranking 90,000 pairs does not build 450,000 reasons."""

    def __init__(self, rows=(), *, build=None, **meta):
        self._rows = list(rows)  # built Suggestions, or the ranking's tuples when ``build`` is given
        self._build = build
        self.year: int = meta.get("year")
        self.data_until: dt.date | None = meta.get("data_until")
        self.weights: Weights | None = meta.get("weights")
        self.complaints_available: bool = meta.get("complaints_available", False)
        self.grade_available: bool = meta.get("grade_available", False)
        self.category_gaps: list[str] = meta.get("category_gaps", [])
        self.planned_excluded: int = meta.get("planned_excluded", 0)
        self.window_from: dt.date | None = meta.get("window_from")

    def meta(self) -> dict:
        return {
            "year": self.year,
            "data_until": self.data_until,
            "weights": self.weights,
            "complaints_available": self.complaints_available,
            "grade_available": self.grade_available,
            "category_gaps": self.category_gaps,
            "planned_excluded": self.planned_excluded,
            "window_from": self.window_from,
        }

    def none(self) -> SuggestionRanking:
        return SuggestionRanking((), **self.meta())

    def __len__(self) -> int:
        return len(self._rows)

    def count(self) -> int:
        return len(self._rows)

    def __bool__(self) -> bool:
        return bool(self._rows)

    def _one(self, index: int) -> Suggestion:
        row = self._rows[index]
        return self._build(row, index) if self._build is not None else row

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self._one(i) for i in range(*index.indices(len(self._rows)))]
        if index < 0:
            index += len(self._rows)
        if not 0 <= index < len(self._rows):
            raise IndexError(index)
        return self._one(index)

    def __iter__(self):
        for i in range(len(self._rows)):
            yield self._one(i)

    def totals(self) -> dict[tuple[int, int], float]:
        """{(enterprise id, 大类 id): total} of every ranked pair, without building the reasons."""
        if self._build is None:
            return {(s.enterprise_id, s.category_id): s.total for s in self._rows}
        return {(row[1], row[3]): -row[0] for row in self._rows}


@dataclass
class Catalogue:
    """The sampling catalogue, read once: each category's 大类 and the 大类 themselves."""

    root_of: dict[int, int] = field(default_factory=dict)
    majors: dict[int, tuple[str, str, int, int]] = field(default_factory=dict)  # id -> (code, name, hazard, order)

    @classmethod
    def load(cls) -> Catalogue:
        rows = list(
            SamplingCategory.objects.values_list(
                "pk", "parent_id", "level", "code", "name", "hazard", "order", "is_active"
            )
        )
        parent = {pk: parent_id for pk, parent_id, *_ in rows}
        cat = cls()
        for pk, _parent_id, level, code, name, hazard, order, active in rows:
            if level == 1 and active:
                cat.majors[pk] = (code, name, hazard, order)
        for pk in parent:
            node, seen = pk, set()
            while parent.get(node) is not None and node not in seen:
                seen.add(node)
                node = parent[node]
            cat.root_of[pk] = node
        return cat

    @property
    def major_ids_by_name(self) -> dict[str, int]:
        return {name: pk for pk, (_code, name, _h, _o) in self.majors.items()}


def _provided(name: str, enterprise_ids, **kwargs) -> tuple[dict, bool]:
    found = hooks.providers(name)
    out: dict = {}
    for provider in found.values():
        for pk, value in provider(enterprise_ids, **kwargs).items():
            out[pk] = value
    return out, bool(found)


def rank(
    enterprises,
    *,
    year: int,
    data_until: dt.date,
    weights: Weights,
    category_id: int | None = None,
    keys: set[tuple[int, int]] | None = None,
    keys_only: bool = False,
    exclude_planned: bool = True,
    use_grade: bool = True,
) -> SuggestionRanking:
    """Rank the (enterprise, 大类) pairs of ``enterprises`` (a queryset). ``keys`` limits the pairs (a preview of the
    chosen ones); with ``keys_only`` exactly those pairs are scored, mapped or not (the back-test scores the pairs that
    were sampled). ``exclude_planned`` leaves out pairs already named by a plan line of ``year``; ``use_grade=False``
    gives every enterprise the "not graded" score (the back-test's option against a grade that knows the future).
    A fixed number of queries."""
    since = window_start(data_until, weights.history_years)
    ids = enterprises.order_by().values("pk")
    catalogue = Catalogue.load()
    by_name = catalogue.major_ids_by_name
    meta = {
        "year": year,
        "data_until": data_until,
        "weights": weights,
        "category_gaps": mapping_gaps(by_name),
        "window_from": since,
    }
    rows = list(
        enterprises.order_by().values_list(
            "pk",
            "name",
            "uscc",
            "township_id",
            "township__name",
            "business_type__code",
            "business_type__parent__code",
            "business_type__name",
        )
    )
    foods: dict[int, list[str]] = defaultdict(list)
    for enterprise_id, code in Enterprise.food_categories.through.objects.filter(enterprise_id__in=ids).values_list(
        "enterprise_id", "foodcategory__code"
    ):
        foods[enterprise_id].append(code)

    samples = Sample.objects.filter(
        enterprise_id__in=ids, sampled_on__gte=since, sampled_on__lte=data_until, is_quick_test=False
    )
    last_sampled: dict[tuple[int, int], dt.date] = {}
    for enterprise_id, cat_id, last in (
        samples.order_by()
        .values("enterprise_id", "category_id")
        .annotate(last=Max("sampled_on"))
        .values_list("enterprise_id", "category_id", "last")
    ):
        pair = (enterprise_id, catalogue.root_of.get(cat_id, cat_id))
        if pair not in last_sampled or last > last_sampled[pair]:
            last_sampled[pair] = last
    unqualified: dict[int, list[dt.date]] = defaultdict(list)
    for enterprise_id, day in (
        samples.filter(conclusion=Verdict.UNQUALIFIED).order_by().values_list("enterprise_id", "sampled_on")
    ):
        unqualified[enterprise_id].append(day)

    planned: set[tuple[int, int]] = set()
    if exclude_planned:
        for enterprise_id, cat_id in PlanLine.objects.filter(plan__year=year, enterprise_id__in=ids).values_list(
            "enterprise_id", "category_id"
        ):
            planned.add((enterprise_id, catalogue.root_of.get(cat_id, cat_id)))

    attributes, meta["grade_available"] = (
        _provided(RISK_ATTRIBUTES_HOOK, ids, on=data_until) if use_grade else ({}, False)
    )
    complaints, meta["complaints_available"] = _provided(COMPLAINTS_HOOK, ids, since=since)

    keyed: dict[int, set[int]] = defaultdict(set)
    for enterprise_id, major in keys or ():
        if major in catalogue.majors:
            keyed[enterprise_id].add(major)
    window = window_days(data_until, weights.history_years)
    weight_tuple = weights.as_tuple()
    has_complaints = meta["complaints_available"]
    orders = {pk: order for pk, (_c, _n, _h, order) in catalogue.majors.items()}
    hazard_scores = {pk: hazard_score(h) for pk, (_c, _n, h, _o) in catalogue.majors.items()}
    enterprise_rows: dict[int, tuple] = {}
    entries: list[tuple] = []  # (-total, enterprise id, 大类 order, 大类 id): sorted, it is the ranking
    excluded = 0
    w_grade, w_unqualified, w_complaints, w_staleness, w_hazard = weight_tuple
    mapped: dict[tuple, set[int]] = {}  # (business type, parent, food categories) → 大类: many share a combination
    for row in rows:
        pk, _name, _uscc, _township_id, _township_name, bt_code, bt_parent, _bt_name = row
        if keys_only:
            majors = set(keyed.get(pk, ()))
        else:
            combo = (bt_code, bt_parent, tuple(sorted(foods.get(pk, ()))))
            if combo not in mapped:
                mapped[combo] = majors_of(combo[:2], combo[2], by_name)
            majors = mapped[combo]
        if category_id is not None:
            majors = majors & {category_id}
        if not majors:
            continue
        enterprise_rows[pk] = row
        grade = (attributes.get(pk) or {}).get("grade", "") if use_grade else ""
        g = grade_score(grade)
        u = (
            unqualified_score(unqualified_weighted(unqualified.get(pk, ()), data_until, window))
            if pk in unqualified
            else 0.0
        )
        c = complaints_score(complaints.get(pk, 0) if has_complaints else None)
        # total_of((g, u, c, staleness, hazard), weights) with the enterprise's part summed once, in the same order
        # (so the same float): test_shown_totals_are_the_ranked_totals holds the two to each other
        part = g * w_grade + u * w_unqualified + c * w_complaints
        for major in majors:
            if keys is not None and (pk, major) not in keys:
                continue
            if (pk, major) in planned:
                excluded += 1
                continue
            last = last_sampled.get((pk, major))
            st = 1.0 if last is None else staleness_score(last, data_until, window)
            total = round(part + st * w_staleness + hazard_scores[major] * w_hazard, 2)
            entries.append((-total, pk, orders[major], major))
    entries.sort()
    meta["planned_excluded"] = excluded
    numbered = keys is None

    def build(entry, index: int) -> Suggestion:
        _neg_total, pk, _order, major = entry
        _pk, name, uscc, township_id, township_name, _bt, _parent, bt_name = enterprise_rows[pk]
        code, cat_name, hazard, _o = catalogue.majors[major]
        reasons, total = score_reasons(
            weights=weights,
            data_until=data_until,
            grade=(attributes.get(pk) or {}).get("grade", "") if use_grade else "",
            unqualified_days=unqualified.get(pk, []),
            complaints=complaints.get(pk, 0) if has_complaints else None,
            last_sampled=last_sampled.get((pk, major)),
            hazard=hazard,
        )
        return Suggestion(
            enterprise_id=pk,
            enterprise_name=name,
            uscc=uscc or "",
            township_id=township_id,
            township_name=township_name,
            business_type_name=bt_name,
            category_id=major,
            category_code=code,
            category_name=cat_name,
            reasons=reasons,
            total=total,
            rank=index + 1 if numbered else None,  # a place among chosen pairs is no rank
        )

    return SuggestionRanking(entries, build=build, **meta)


def _params(filters) -> dict:
    """The ranking parameters of the (already validated) filters: year (default this year) and category."""
    fs = SuggestionFilterSet(filters, queryset=Enterprise.objects.none())
    data = fs.form.cleaned_data if fs.is_valid() else {}
    category = data.get("category")
    return {"year": data.get("year") or timezone.localdate().year, "category_id": category.pk if category else None}


def suggestion_enterprises(*, actor):
    """The enterprises a suggestion may name: the actor's visible, operating ones."""
    return Enterprise.objects.visible_to(actor).operating()


def suggestion_list(*, actor, filters=None) -> SuggestionRanking:
    """The ranking the actor may see, for the filters' year / township / category (page and API)."""
    enterprises = filter_queryset(SuggestionFilterSet, suggestion_enterprises(actor=actor), filters)
    params = _params(filters)
    data_until, weights_on = ranking_dates(params["year"])
    return rank(
        enterprises,
        year=params["year"],
        data_until=data_until,
        weights=weights_in_force(weights_on),
        category_id=params["category_id"],
    )


def suggestions_for_keys(*, actor, year: int, keys) -> tuple[SuggestionRanking, list[str]]:
    """The suggestions named by ``keys`` ("<enterprise id>-<大类 id>") for ``year``, scored as in the list, and the
    keys that name no suggestion the actor may see (malformed, out of scope, not mappable, or already planned)."""
    wanted: dict[tuple[int, int], str] = {}
    bad: list[str] = []
    for key in keys:
        pair = parse_key(key)
        if pair is None:
            bad.append(key)
        else:
            wanted[pair] = key
    enterprises = suggestion_enterprises(actor=actor).filter(pk__in={e for e, _c in wanted})
    data_until, weights_on = ranking_dates(year)
    ranking = rank(
        enterprises, year=year, data_until=data_until, weights=weights_in_force(weights_on), keys=set(wanted)
    )
    found = {(s.enterprise_id, s.category_id) for s in ranking}
    bad += [key for pair, key in wanted.items() if pair not in found]
    return ranking, bad


def suggestion_get(*, actor, key: str, year: int) -> Suggestion | None:
    ranking, bad = suggestions_for_keys(actor=actor, year=year, keys=[key])
    return None if bad or not ranking else ranking[0]


def open_plans(year: int):
    """Plans of ``year`` that accept lines (编制中 or 已下达), supervisory first."""
    return SamplingPlan.objects.filter(year=year, status__in=[PlanStatus.DRAFT, PlanStatus.APPROVED]).order_by(
        "purpose", "name"
    )


def plan_line_visible(*, actor):
    """Plan lines the actor may see (the permission base of the suggestion API)."""
    return PlanLine.objects.visible_to(actor)


# ---------------------------------------------------------------------------------------------- 风险会商
def meeting_list(*, actor, filters=None):
    if (
        actor is None
        or not getattr(actor, "is_authenticated", False)
        or not actor.has_perm("sampling.view_consultationmeeting")
    ):
        qs = ConsultationMeeting.objects.none()
    else:
        qs = ConsultationMeeting.objects.all()
    qs = qs.select_related("created_by").annotate(
        decision_count=Count("decisions"), line_count=Count("decisions__plan_line")
    )
    qs = qs.order_by("-held_on", "-id")
    return filter_queryset(ConsultationMeetingFilterSet, qs, filters)


def meeting_get(*, actor, pk):
    decisions = ConsultationDecision.objects.select_related(
        "plan_line__plan", "plan_line__township", "plan_line__category"
    ).order_by("id")
    return meeting_list(actor=actor).prefetch_related(Prefetch("decisions", queryset=decisions)).get(pk=pk)
