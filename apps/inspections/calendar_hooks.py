"""Stored clocks follow the working-day calendar: when the city enters a year's holiday schedule (apps.common
calendar_entries), the open publication clocks and rectification deadlines that reach that year are computed
again from the day they started, with the new calendar. Closed ones (published, verified) keep their dates.

Registered with ``apps.common.workdays.register_calendar_listener`` in ``InspectionsConfig.ready``.
"""

import datetime as dt

from django.utils import timezone

from .choices import OPEN_RECTIFICATION_STATUSES, OPEN_TASK_STATUSES, PublicationStatus
from .models import Publication, Rectification


def reschedule_open_clocks(*, years: set[int], calendar, actor=None) -> dict:
    """Recompute the open clocks whose end lies in or after the first changed year; -> counts for the audit."""
    from apps.common.workdays import add_working_days

    from .fieldwork.services import publications as publication_services
    from .fieldwork.services import rectifications as rectification_services

    since = dt.date(min(years), 1, 1)
    moved_publications = 0
    publications = Publication.objects.select_for_update(of=("self",)).filter(
        status__in=(PublicationStatus.PENDING, PublicationStatus.HELD), due_by__gte=since
    )
    for publication in publications:
        start = timezone.localdate(publication.created_at)
        due_by = add_working_days(start, publication_services.publication_working_days(), calendar=calendar)
        window = add_working_days(start, publication_services.objection_working_days(), calendar=calendar)
        if (due_by, window) != (publication.due_by, publication.objection_window_ends):
            publication.due_by, publication.objection_window_ends = due_by, window
            publication.version += 1
            publication.save(update_fields=["due_by", "objection_window_ends", "version", "updated_at"])
            moved_publications += 1
    moved_rectifications = 0
    rectifications = (
        Rectification.objects.select_for_update(of=("self",))
        .filter(status__in=OPEN_RECTIFICATION_STATUSES, deadline__gte=since)
        .select_related("follow_up_task")
    )
    for rect in rectifications:
        start = timezone.localdate(rect.created_at)
        deadline = add_working_days(start, rect.deadline_working_days, calendar=calendar)
        if deadline == rect.deadline:
            continue
        rect.deadline = deadline
        rect.save(update_fields=["deadline", "updated_at"])
        moved_rectifications += 1
        follow_up = rect.follow_up_task
        if follow_up is not None and follow_up.status in OPEN_TASK_STATUSES:
            follow_up.due_date = add_working_days(
                deadline, rectification_services.follow_up_extra_working_days(), calendar=calendar
            )
            follow_up.save(update_fields=["due_date", "updated_at"])
    return {"publications": moved_publications, "rectifications": moved_rectifications}
