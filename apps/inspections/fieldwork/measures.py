"""Inspections' measure (apps/common/measures.py; docs/measures.md), registered from ``InspectionsConfig.ready()``.

检查结果按时公示率: the publications (one per finalised result, Order 49 Art 39: within 20 working days) the actor
sees whose due date ``due_by`` is in the year and already passed on ``as_of`` (before that day), withdrawn ones
(replaced by a correction's own publication) left out; on time = published on or before ``due_by``. A publication
published early, before its due date has come, is counted once its due date has passed. One GROUP BY.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count

from apps.common.measures import RATIO, Measure, register_measure
from apps.enterprises.measures import list_url, township_values

from ..choices import PublicationStatus
from ..models import Publication
from .filters import publication_on_time_q

TOWNSHIP = "result__task__enterprise__township_id"


def publication_on_time(actor, *, year, township_ids, as_of):
    start, last_due = dt.date(year, 1, 1), as_of - dt.timedelta(days=1)
    rows = (
        Publication.objects.visible_to(actor)
        .filter(due_by__gte=start, due_by__lte=last_due)
        .exclude(status=PublicationStatus.WITHDRAWN)
        .order_by()
        .values(TOWNSHIP)
        .annotate(den=Count("id"), num=Count("id", filter=publication_on_time_q()))
    )
    num = {r[TOWNSHIP]: r["num"] for r in rows}
    den = {r[TOWNSHIP]: r["den"] for r in rows}
    params = {"due_by__gte": start.isoformat(), "due_by__lte": last_due.isoformat()}

    def url(tid):
        return list_url("inspections:publications", {**params, "timeliness": "on_time", "township": tid})

    return township_values(township_ids, num, den, url=url)


MEASURES = (
    Measure(
        code="inspections.publication_on_time",
        label="检查结果按时公示率",
        unit="%",
        kind=RATIO,
        compute=publication_on_time,
        order=60,
        description="当年公示期限已届满的检查结果中，在 20 个工作日期限内公示的比例（已撤回的不计）",
    ),
)


def register() -> None:
    for m in MEASURES:
        register_measure(m)
