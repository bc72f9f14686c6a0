"""Stored clocks follow the working-day calendar: when the city enters a year's holiday schedule, the open
disposal clocks in working days (送达期限 from the conclusion date, 复检申请截止 from the delivery date) are computed
again from the day they started (the publication clock is sampling.publicity's: its calendar_hooks).
The 90-day 核查处置 clock is in calendar days and does not move. Registered in ``contrib.ready``."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from ..choices import DisposalStatus
from ..models import Disposal, DisposalStep
from .services._common import deadlines_on


def reschedule_open_clocks(*, years: set[int], calendar, actor=None) -> dict:
    from apps.common.workdays import add_working_days

    since = dt.date(min(years), 1, 1)
    moved = 0
    open_ = Disposal.objects.select_for_update(of=("self",)).filter(status=DisposalStatus.OPEN, notify_due__gte=since)
    notified = Disposal.objects.select_for_update(of=("self",)).filter(
        status=DisposalStatus.NOTIFIED, recheck_due__gte=since, recheck_allowed=True
    )
    for disposal in open_:
        due = add_working_days(disposal.opened_on, deadlines_on(disposal.opened_on).notify_workdays, calendar=calendar)
        if due != disposal.notify_due:
            note = f"送达期限由 {disposal.notify_due:%Y-%m-%d} 调整为 {due:%Y-%m-%d}"
            disposal.notify_due = due
            disposal.save(update_fields=["notify_due", "updated_at"])
            DisposalStep.objects.create(
                disposal=disposal, kind="reschedule", happened_on=timezone.localdate(), note=note
            )
            moved += 1
    for disposal in notified:
        days = deadlines_on(disposal.notified_on).recheck_workdays
        due = add_working_days(disposal.notified_on, days, calendar=calendar)
        if due != disposal.recheck_due:
            note = f"复检申请截止由 {disposal.recheck_due:%Y-%m-%d} 调整为 {due:%Y-%m-%d}"
            disposal.recheck_due = due
            disposal.save(update_fields=["recheck_due", "updated_at"])
            DisposalStep.objects.create(
                disposal=disposal, kind="reschedule", happened_on=timezone.localdate(), note=note
            )
            moved += 1
    return {"sampling_disposal_clocks": moved}
