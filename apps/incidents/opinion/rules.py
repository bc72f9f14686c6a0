"""The response configuration in force (``OpinionRules``) and the response clock.

The default when no row is in force is 24 hours (issue 11 §2); the data migration writes the same row."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from ..models.opinion import OpinionRules

DEFAULT_EFFECTIVE_FROM = dt.date(2019, 1, 1)


def rules_in_force(on: dt.date) -> OpinionRules:
    return OpinionRules.objects.in_force(on) or OpinionRules(effective_from=DEFAULT_EFFECTIVE_FROM)


def response_clock(discovered_at: dt.datetime) -> tuple[int, dt.datetime]:
    """(hours, due): the rules in force on the local date of discovery; due = discovered_at + hours (elapsed
    hours, across midnight and holidays alike: a 舆情 response is not counted in working days)."""
    hours = rules_in_force(timezone.localtime(discovered_at).date()).response_hours
    return hours, discovered_at + dt.timedelta(hours=hours)
