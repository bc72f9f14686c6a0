"""The publication clock follows the working-day calendar: when the city enters a year's holiday schedule, the due
date of concluded, unpublished samples is computed again from the conclusion day (``publish_due_for``, the one
rule). Registered in ``contrib.ready``."""

from __future__ import annotations

import datetime as dt

from ..choices import SampleStatus
from ..models import Sample
from .selectors import publish_due_for


def reschedule_publish_due(*, years: set[int], calendar, actor=None) -> dict:
    since = dt.date(min(years), 1, 1)
    moved = 0
    samples = Sample.objects.select_for_update(of=("self",)).filter(
        status=SampleStatus.REPORTED, published_at__isnull=True, publish_due__gte=since, concluded_at__isnull=False
    )
    for sample in samples:
        due = publish_due_for(sample.concluded_at, calendar=calendar)
        if due != sample.publish_due:
            sample.publish_due = due
            sample.save(update_fields=["publish_due", "updated_at"])
            moved += 1
    return {"sampling_publish_due": moved}
