"""All reads of complaints (投诉举报). Lists start from ``Complaint.objects.visible_to(actor)`` through
``ComplaintFilterSet``; pages, API and export share them.

The reporter's identity is read in ONE place, ``reporter_identity_unmask`` (complaint officer, with a reason that is
audited in the same transaction). No other selector touches ``ReporterIdentity``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from apps.common.filters import filter_queryset

from ..models import Complaint, ReporterIdentity
from .choices import ComplaintStatus
from .filters import ComplaintFilterSet
from .rules import rules_in_force

S = ComplaintStatus


def complaint_list(*, actor, filters=None):
    qs = Complaint.objects.visible_to(actor).select_related("township", "enterprise", "reward")
    return filter_queryset(ComplaintFilterSet, qs, filters)


def complaint_get(*, actor, pk):
    return (
        Complaint.objects.visible_to(actor)
        .select_related("township", "enterprise", "duplicate_of", "reward", "reward__rule")
        .get(pk=pk)
    )


def complaint_events(complaint):
    return list(complaint.events.select_related("actor").order_by("at", "id"))


def complaint_attachments(complaint):
    return list(complaint.attachments.all())


@dataclass(frozen=True)
class Clock:
    label: str
    due: dt.date | None
    done_at: dt.datetime | None
    state: str  # done_on_time | done_late | running | overdue | not_started

    @property
    def state_label(self) -> str:
        return {
            "done_on_time": "按时完成",
            "done_late": "超期完成",
            "running": "进行中",
            "overdue": "已超期",
            "not_started": "未开始",
        }[self.state]

    @property
    def tone(self) -> str:
        return {"done_on_time": "success", "done_late": "warning", "running": "info", "overdue": "danger"}.get(
            self.state, "secondary"
        )


def _clock(label, due, done_at, today) -> Clock:
    if due is None:
        return Clock(label, None, done_at, "not_started")
    if done_at is not None:
        return Clock(label, due, done_at, "done_on_time" if timezone.localtime(done_at).date() <= due else "done_late")
    return Clock(label, due, None, "overdue" if today > due else "running")


def complaint_clocks(c: Complaint, *, today: dt.date | None = None) -> list[Clock]:
    """受理决定、分派、开始办理、办结、反馈: each with its due date (working days, the rules in force when it started)."""
    today = today or timezone.localdate()
    return [
        _clock("受理决定", c.acceptance_due, c.decided_at, today),
        _clock("分派镇街", c.routing_due, c.routed_at, today),
        _clock("开始办理", c.handling_due, c.handling_at, today),
        _clock("办结", c.result_due, c.closed_at, today),
        _clock("反馈反映人", c.feedback_due, c.feedback_at, today),
    ]


def duplicate_suggestions(c: Complaint, *, actor) -> list[Complaint]:
    """Other complaints about the same enterprise or the same (normalised) address, received within the configured
    window before or after this one; visible to ``actor``."""
    window = rules_in_force(timezone.localtime(c.received_at).date()).duplicate_window_days
    cond = Q()
    if c.enterprise_id:
        cond |= Q(enterprise_id=c.enterprise_id)
    if c.address_key:
        cond |= Q(address_key=c.address_key)
    if not cond:
        return []
    delta = dt.timedelta(days=window)
    return list(
        Complaint.objects.visible_to(actor)
        .filter(cond, received_at__gte=c.received_at - delta, received_at__lte=c.received_at + delta)
        .exclude(pk=c.pk)
        .select_related("township")
        .order_by("-received_at")[:10]
    )


def public_status(code: str) -> Complaint | None:
    """The public status page: the complaint whose query code this is (no actor). Callers show status and the
    feedback text only."""
    from .services import normalise_query_code, query_code_digest

    if len(normalise_query_code(code)) != 16:
        return None
    return (
        Complaint.objects.filter(query_code_digest=query_code_digest(code))
        .only("number", "kind", "status", "received_at", "feedback_text", "feedback_at", "decided_at", "closed_at")
        .first()
    )


def reporter_identity_unmask(*, actor, complaint_id, reason: str) -> dict | None:
    """The reporter's identity for the complaint officer: the unmasking is audited (who, why; never the identity)
    in the same transaction. None when the complaint is anonymous."""
    from .services import reporter_unmask_record

    with transaction.atomic():
        reporter_unmask_record(actor=actor, complaint_id=complaint_id, reason=reason)
        identity = ReporterIdentity.objects.filter(complaint_id=complaint_id).first()
        if identity is None:
            return None
        return {
            "name": identity.name,
            "phone": identity.phone,
            "id_number": identity.id_number,
            "contact": identity.contact,
        }


# ---------------------------------------------------------------------------------------------------- figures
def _year_range(year: int):
    tz = timezone.get_current_timezone()
    return dt.datetime(year, 1, 1, tzinfo=tz), dt.datetime(year + 1, 1, 1, tzinfo=tz)


def _timeliness(qs, due_field: str, done_field: str, today: dt.date) -> dict[int, tuple[int, int]]:
    """Per township: (on time, total) of the complaints whose step is done, or due and overdue."""
    out: dict[int, list[int]] = {}
    rows = (
        qs.filter(township__isnull=False)
        .filter(Q(**{f"{done_field}__isnull": False}) | Q(**{f"{due_field}__lt": today}))
        .filter(**{f"{due_field}__isnull": False})
        .values_list("township_id", due_field, done_field)
    )
    for township_id, due, done_at in rows:
        entry = out.setdefault(township_id, [0, 0])
        entry[1] += 1
        if done_at is not None and timezone.localtime(done_at).date() <= due:
            entry[0] += 1
    return {k: (v[0], v[1]) for k, v in out.items()}


def acceptance_timeliness(actor, *, year: int) -> dict[int, tuple[int, int]]:
    """{township_id: (on_time, total)}: complaints received in ``year`` whose acceptance was decided, or whose
    7-working-day deadline has passed undecided; on time = decided on or before the due date. Complaints not yet
    routed to a township are left out."""
    start, end = _year_range(year)
    qs = Complaint.objects.visible_to(actor).filter(received_at__gte=start, received_at__lt=end)
    return _timeliness(qs, "acceptance_due", "decided_at", timezone.localdate())


def feedback_timeliness(actor, *, year: int) -> dict[int, tuple[int, int]]:
    """{township_id: (on_time, total)}: complaints received in ``year`` that were closed or not accepted (so a
    feedback was due), fed back or past the due date; on time = fed back on or before it."""
    start, end = _year_range(year)
    qs = Complaint.objects.visible_to(actor).filter(received_at__gte=start, received_at__lt=end)
    return _timeliness(qs, "feedback_due", "feedback_at", timezone.localdate())


def complaint_counts(enterprise_ids, *, since: dt.date) -> dict[int, int]:
    """The ``complaints.counts`` hook: complaints and reports about each enterprise received on or after ``since``
    (duplicates linked to another complaint are not counted twice)."""
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(since, dt.time.min, tzinfo=tz)
    rows = (
        Complaint.objects.filter(enterprise_id__in=enterprise_ids, received_at__gte=start, duplicate_of__isnull=True)
        .values("enterprise_id")
        .annotate(n=Count("id"))
    )
    return {r["enterprise_id"]: r["n"] for r in rows}


def status_counts(*, actor) -> dict[str, int]:
    rows = Complaint.objects.visible_to(actor).values("status").annotate(n=Count("id"))
    return {r["status"]: r["n"] for r in rows}
