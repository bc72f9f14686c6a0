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

from django.db.models import Count
from django.utils import timezone

from apps.common.measures import COUNT, RATIO, Measure, register_measure
from apps.enterprises.measures import list_url, township_values

from . import timeliness
from .models.drills import Drill

TODAY_NOTE = "时效按今天的办理状态计算"


def _timeliness(key: str):
    def compute(actor, *, year, township_ids, as_of):
        source = next((m for m in timeliness.measures() if m.key == key), None)
        if source is None:  # the subpackage is not installed
            return township_values(township_ids, {}, {}, url=lambda tid: "", note="该时效指标未登记")
        counts = source.counts(actor, year=year)
        num = {tid: pair[0] for tid, pair in counts.items()}
        den = {tid: pair[1] for tid, pair in counts.items()}

        def url(tid):
            return source.rows_url(year=year, township=tid, on_time=True)

        def den_url(tid):
            return source.rows_url(year=year, township=tid, on_time=None)

        note = TODAY_NOTE if as_of < timezone.localdate() else ""
        return township_values(township_ids, num, den, url=url, denominator_url=den_url, note=note)

    return compute


def drills_held(actor, *, year, township_ids, as_of):
    """Drills dated from 1 January of ``year`` up to ``as_of`` (``drills_per_township`` with the day cut; the list
    link takes the same ``date_to``)."""
    rows = (
        Drill.objects.visible_to(actor)
        .filter(date__year=int(year), date__lte=as_of)
        .order_by()
        .values("township_id")
        .annotate(n=Count("id"))
    )
    counts = {r["township_id"]: r["n"] for r in rows}
    until = as_of.isoformat() if as_of < dt.date(year, 12, 31) else None

    def url(tid):
        return list_url("incidents:drills", {"year": year, "township": tid, "date_to": until})

    return township_values(township_ids, counts, url=url)


MEASURES = (
    Measure(
        code="incidents.complaint_timeliness",
        label="投诉举报按时办理率",
        unit="%",
        kind=RATIO,
        compute=_timeliness("complaint_acceptance"),
        order=70,
        description="当年收到的投诉举报中，自收到日起 7 个工作日内作出受理决定的比例（已作决定或已过期限的计入）",
    ),
    Measure(
        code="incidents.opinion_timeliness",
        label="舆情按时响应率",
        unit="%",
        kind=RATIO,
        compute=_timeliness("opinion_response"),
        order=80,
        description="当年发现的舆情中，在生效时限（默认 24 小时）内回应的比例（已回应或已过期限的计入）",
    ),
    Measure(
        code="incidents.incident_report_timeliness",
        label="事件按时初报率",
        unit="%",
        kind=RATIO,
        compute=_timeliness("incident_first_report"),
        order=90,
        description="当年获知的食品安全事件中，在报告时限（默认 2 小时）内初报的比例（已初报或已过时限的计入）",
    ),
    Measure(
        code="incidents.drills_held",
        label="应急演练次数",
        unit="次",
        kind=COUNT,
        compute=drills_held,
        order=100,
        description="当年至统计日举行的应急演练次数",
    ),
)


def register() -> None:
    for m in MEASURES:
        register_measure(m)
