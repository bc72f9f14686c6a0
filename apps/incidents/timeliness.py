"""Timeliness per township (时效考核): one registry of the on-time measures of incidents' subpackages.

Each subpackage registers its measures in ``contrib.ready()``; the per-township timeliness page (and the
assessment, later) reads ``measures()`` and never imports a subpackage's selectors by name:

    from apps.incidents.timeliness import TimelinessMeasure, register_measure
    register_measure(TimelinessMeasure(
        key="complaint_acceptance", label="按时受理", order=10,
        counts=lambda actor, *, year: acceptance_timeliness(actor, year=year),
        rows_url=lambda *, year, township, on_time: url_for("incidents:complaints", {...}),
    ))

``counts(actor, *, year)`` returns ``{township_id or None: (on_time, total)}`` over what ``actor`` may see (None is
the rows with no township, e.g. a city-level incident). ``total`` counts the cases whose deadline has passed or that
were done (a case still inside its deadline is neither on time nor late yet). ``rows_url(*, year, township, on_time)``
returns the URL of the list whose filter gives exactly those rows: ``township`` is a township id, ``"none"`` (rows with
no township) or None (all townships); ``on_time`` is True (on time), False (late) or None (all counted cases).
``counts_years(actor, *, years)`` (optional) returns ``{year: counts}`` for several years in the same one query.

Every subpackage counts the same way: ``on_time_counts`` (one GROUP BY township × year with the list filter's own
conditions for "on time" and "counted", so each figure is its list's row count)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import ExtractYear
from django.utils import timezone


@dataclass(frozen=True)
class TimelinessMeasure:
    key: str
    label: str
    order: int
    counts: Callable[..., dict]
    rows_url: Callable[..., str]
    note: str = ""
    counts_years: Callable[..., dict] | None = None

    def counts_by_year(self, actor, *, years: Iterable[int]) -> dict[int, dict]:
        years = list(years)
        if self.counts_years is not None:
            return self.counts_years(actor, years=years)
        return {y: self.counts(actor, year=y) for y in years}


def on_time_counts(
    qs: QuerySet, *, field: str, years: Iterable[int], on_time: Q, counted: Q
) -> dict[int, dict[int | None, tuple[int, int]]]:
    """{year: {township_id or None: (on_time, counted)}} of the rows of ``qs`` whose ``field`` (a datetime: the
    clock's start) falls in each of ``years`` (local time), in one GROUP BY; townships with nothing counted are left
    out. ``on_time`` and ``counted`` are the list filter's conditions."""
    years = sorted(set(years))
    out: dict[int, dict] = {y: {} for y in years}
    if not years:
        return out
    tz = timezone.get_current_timezone()
    start = dt.datetime(years[0], 1, 1, tzinfo=tz)
    end = dt.datetime(years[-1] + 1, 1, 1, tzinfo=tz)
    rows = (
        qs.filter(**{f"{field}__gte": start, f"{field}__lt": end})
        .order_by()
        .values("township_id", y=ExtractYear(field))
        .annotate(on_time=Count("pk", filter=on_time), total=Count("pk", filter=counted))
    )
    for r in rows:
        if r["y"] in out and r["total"]:
            out[r["y"]][r["township_id"]] = (r["on_time"], r["total"])
    return out


_MEASURES: dict[str, TimelinessMeasure] = {}


def register_measure(measure: TimelinessMeasure) -> None:
    """Register (or replace, so ``ready()`` may run twice) a measure under its key."""
    _MEASURES[measure.key] = measure


def measures() -> list[TimelinessMeasure]:
    return sorted(_MEASURES.values(), key=lambda m: (m.order, m.key))
