"""Incidents' measures (apps/common/measures.py; docs/measures.md), registered from ``IncidentsConfig.ready()``.

The three timeliness measures are the subpackages' own on-time measures of the 时效考核 registry
(apps/incidents/timeliness.py, the page ``/incidents/timeliness/``) read by key: each counts the cases of the year
whose deadline has passed or that were done (a case still inside its deadline is neither on time nor late), on time
= done within the deadline. Those clocks are judged today: a value as of an earlier day says so in its note. The
drills are ``drills.selectors.drills_per_township`` (drills dated in the year up to ``as_of``). The value under
``None`` sums every key the actor sees, the city-level rows (no township) included.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.db.models.functions import ExtractYear
from django.utils import timezone

from apps.common.measures import (
    actor_key,
    count,
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

from . import timeliness
from .models.drills import Drill

TODAY_NOTE = "时效按今天的办理状态计算"


def _timeliness(key: str):
    """The compute of the timeliness measure ``key`` of the 时效考核 registry: its counts for all the years in one
    query (``TimelinessMeasure.counts_by_year``), its list links."""

    def compute_years(actor, *, as_of, township_ids):
        source = next((m for m in timeliness.measures() if m.key == key), None)
        if source is None:  # the subpackage is not installed
            return {
                y: township_values(township_ids, {}, {}, url=lambda tid: "", note="该时效指标未登记") for y in as_of
            }
        years = sorted(span(as_of))
        by_year = shared(
            ("incidents.timeliness", key, actor_key(actor), tuple(years)),
            lambda: source.counts_by_year(actor, years=years),
        )
        today = timezone.localdate()
        out = {}
        for year, day in as_of.items():
            counts = by_year.get(year, {})

            def url(tid, year=year):
                return source.rows_url(year=year, township=tid, on_time=True)

            def den_url(tid, year=year):
                return source.rows_url(year=year, township=tid, on_time=None)

            out[year] = township_values(
                township_ids,
                {tid: pair[0] for tid, pair in counts.items()},
                {tid: pair[1] for tid, pair in counts.items()},
                url=url,
                denominator_url=den_url,
                note=TODAY_NOTE if day < today else "",
            )
        return out

    return per_year(compute_years)


def _drill_counts(actor, as_of) -> dict:
    days = span(as_of)

    def load():
        within = Q()
        for year, day in days.items():
            within |= Q(date__gte=year_start(year), date__lte=day)
        rows = (
            Drill.objects.visible_to(actor)
            .filter(within)
            .order_by()
            .values("township_id", y=ExtractYear("date"))
            .annotate(n=Count("id"))
        )
        counts: dict = {year: {} for year in days}
        for r in rows:
            if r["y"] in counts:
                counts[r["y"]][r["township_id"]] = r["n"]
        return counts

    return shared(("incidents.drills", actor_key(actor), span_key(days)), load)


@per_year
def drills_held(actor, *, as_of, township_ids):
    """Drills dated from 1 January of each year up to its day (``drills_per_township`` with the day cut; the list
    link takes the same ``date_to``), all the years in one GROUP BY."""
    counts = _drill_counts(actor, as_of)
    out = {}
    for year, day in as_of.items():
        until = day.isoformat() if day < dt.date(year, 12, 31) else None

        def url(tid, year=year, until=until):
            return list_url("incidents:drills", {"year": year, "township": tid, "date_to": until})

        out[year] = township_values(township_ids, counts[year], url=url)
    return out


# (code, the 时效考核 registry's key, label, order, description)
TIMELINESS = (
    (
        "incidents.complaint_timeliness",
        "complaint_acceptance",
        "投诉举报按时办理率",
        70,
        "当年收到的投诉举报中，自收到日起 7 个工作日内作出受理决定的比例（已作决定或已过期限的计入）",
    ),
    (
        "incidents.opinion_timeliness",
        "opinion_response",
        "舆情按时响应率",
        80,
        "当年发现的舆情中，在生效时限（默认 24 小时）内回应的比例（已回应或已过期限的计入）",
    ),
    (
        "incidents.incident_report_timeliness",
        "incident_first_report",
        "事件按时初报率",
        90,
        "当年获知的食品安全事件中，在报告时限（默认 2 小时）内初报的比例（已初报或已过时限的计入）",
    ),
)

MEASURES = (
    *(
        ratio(code=code, label=label, compute=_timeliness(key), order=order, description=description)
        for code, key, label, order, description in TIMELINESS
    ),
    count(
        code="incidents.drills_held",
        label="应急演练次数",
        unit="次",
        compute=drills_held,
        order=100,
        description="当年至统计日举行的应急演练次数",
    ),
)


def register() -> None:
    register_all(MEASURES)
