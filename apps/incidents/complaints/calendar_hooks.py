"""Stored complaint clocks follow the working-day calendar: when the city enters a year's holiday schedule
(apps.common.calendar_entries), every open clock of a complaint (acceptance, routing, handling, result, feedback)
whose due date lies in or after the first changed year is computed again from the day its step started, with the
rules in force on that day and the new calendar. Finished clocks keep their dates.

Registered with ``apps.common.workdays.register_calendar_listener`` in ``contrib.ready``."""

import datetime as dt

from django.utils import timezone

from ..models import Complaint
from .rules import rules_in_force

# (due field, done field, start: complaint -> datetime or None, working days of the rules)
CLOCKS = (
    ("acceptance_due", "decided_at", lambda c: c.received_at, "acceptance_workdays"),
    ("routing_due", "routed_at", lambda c: c.decided_at, "routing_workdays"),
    ("handling_due", "handling_at", lambda c: c.routed_at, "handling_workdays"),
    ("result_due", "closed_at", lambda c: c.routed_at, "result_workdays"),
    ("feedback_due", "feedback_at", lambda c: c.closed_at or c.decided_at, "feedback_workdays"),
)


def reschedule_open_clocks(*, years: set[int], calendar, actor=None) -> dict:
    from django.db.models import Q

    from apps.common.workdays import add_working_days

    since = dt.date(min(years), 1, 1)
    cond = Q()
    for due, done, _start, _days in CLOCKS:
        cond |= Q(**{f"{due}__gte": since, f"{done}__isnull": True})
    moved = 0
    for c in Complaint.objects.select_for_update().filter(cond):
        changed = []
        for due, done, start, days in CLOCKS:
            current, started = getattr(c, due), start(c)
            if current is None or current < since or getattr(c, done) is not None or started is None:
                continue
            day = timezone.localtime(started).date()
            new = add_working_days(day, getattr(rules_in_force(day), days), calendar=calendar)
            if new != current:
                setattr(c, due, new)
                changed.append(due)
        if changed:
            c.save(update_fields=[*changed, "updated_at"])
            moved += 1
    return {"complaints": moved}
