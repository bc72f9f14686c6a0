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
no township) or None (all townships); ``on_time`` is True (on time), False (late) or None (all counted cases)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class TimelinessMeasure:
    key: str
    label: str
    order: int
    counts: Callable[..., dict]
    rows_url: Callable[..., str]
    note: str = ""


_MEASURES: dict[str, TimelinessMeasure] = {}


def register_measure(measure: TimelinessMeasure) -> None:
    """Register (or replace, so ``ready()`` may run twice) a measure under its key."""
    _MEASURES[measure.key] = measure


def measures() -> list[TimelinessMeasure]:
    return sorted(_MEASURES.values(), key=lambda m: (m.order, m.key))
