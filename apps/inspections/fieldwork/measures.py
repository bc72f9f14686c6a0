"""Inspections' measure (apps/common/measures.py; docs/measures.md), registered from ``InspectionsConfig.ready()``.

检查结果按时公示率: the publications (one per finalised result, Order 49 Art 39: within 20 working days) the actor
sees whose due date ``due_by`` is in the year and already passed on ``as_of`` (before that day), withdrawn ones
(replaced by a correction's own publication) left out; on time = published on or before ``due_by``. A publication
published early, before its due date has come, is counted once its due date has passed. One GROUP BY for all the
years asked for.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.db.models.functions import ExtractYear

from apps.common.measures import (
    actor_key,
    list_url,
    per_year,
    ratio,
    register_all,
    shared,
    span,
    span_key,
    township_values,
    year_start,
)

from ..choices import PublicationStatus
from ..models import Publication
from .filters import publication_on_time_q

TOWNSHIP = "result__task__enterprise__township_id"


def _last_due(as_of: dt.date) -> dt.date:
    return as_of - dt.timedelta(days=1)


def _counts(actor, as_of) -> tuple[dict, dict]:
    """({year: {township: on time}}, {year: {township: counted}}), all the years in one GROUP BY (township × year
    of the due date)."""
    days = span(as_of)

    def load():
        within = Q()
        for year, day in days.items():
            within |= Q(due_by__gte=year_start(year), due_by__lte=_last_due(day))
        rows = (
            Publication.objects.visible_to(actor)
            .filter(within)
            .exclude(status=PublicationStatus.WITHDRAWN)
            .order_by()
            .values(TOWNSHIP, y=ExtractYear("due_by"))
            .annotate(den=Count("id"), num=Count("id", filter=publication_on_time_q()))
        )
        num: dict = {year: {} for year in days}
        den: dict = {year: {} for year in days}
        for r in rows:
            if r["y"] in num:
                num[r["y"]][r[TOWNSHIP]] = r["num"]
                den[r["y"]][r[TOWNSHIP]] = r["den"]
        return num, den

    return shared(("inspections.publications", actor_key(actor), span_key(days)), load)


@per_year
def publication_on_time(actor, *, as_of, township_ids):
    num, den = _counts(actor, as_of)
    out = {}
    for year, day in as_of.items():
        params = {"due_by__gte": year_start(year).isoformat(), "due_by__lte": _last_due(day).isoformat()}

        def url(tid, params=params):
            return list_url("inspections:publications", {**params, "timeliness": "on_time", "township": tid})

        out[year] = township_values(township_ids, num[year], den[year], url=url)
    return out


MEASURES = (
    ratio(
        code="inspections.publication_on_time",
        label="检查结果按时公示率",
        compute=publication_on_time,
        order=60,
        description="当年公示期限已届满的检查结果中，在 20 个工作日期限内公示的比例（已撤回的不计）",
    ),
)


def register() -> None:
    register_all(MEASURES)
