"""All reads of complaints (投诉举报). Lists start from ``Complaint.objects.visible_to(actor)`` through
``ComplaintFilterSet``; pages, API and export share them.

The reporter's identity is read in ONE place, ``reporter_identity_unmask`` (complaint officer, with a reason that is
audited in the same transaction). No other selector touches ``ReporterIdentity``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from apps.common.filters import filter_queryset

from ..models import Complaint, ReporterIdentity
from ..timeliness import on_time_counts
from .choices import ComplaintStatus, RewardStatus
from .filters import COUNTED, LATE, ON_TIME, ComplaintFilterSet, overdue_q, timeliness_q
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
def timeliness_years(
    actor, step: str, *, years, today: dt.date | None = None
) -> dict[int, dict[int | None, tuple[int, int]]]:
    """{year: {township (None: no township yet): (on time, counted)}} of the complaints received in each of
    ``years`` — one query, with the conditions of the list's ``?acceptance=`` / ``?feedback=`` filter
    (``filters.timeliness_q``)."""
    today = today or timezone.localdate()
    return on_time_counts(
        Complaint.objects.visible_to(actor),
        field="received_at",
        years=years,
        on_time=timeliness_q(step, ON_TIME, today),
        counted=timeliness_q(step, COUNTED, today),
    )


def acceptance_timeliness(actor, *, year: int, today: dt.date | None = None) -> dict[int | None, tuple[int, int]]:
    """{township_id: (on_time, total)}: complaints received in ``year`` whose acceptance was decided, or whose
    7-working-day deadline (``acceptance_due``) has passed undecided; on time = decided on or before the due date.
    A complaint still inside its deadline is not counted. Key None: complaints with no township yet."""
    return timeliness_years(actor, "acceptance", years=[year], today=today)[year]


def feedback_timeliness(actor, *, year: int, today: dt.date | None = None) -> dict[int | None, tuple[int, int]]:
    """{township_id: (on_time, total)}: complaints received in ``year`` that were closed or not accepted (so a
    feedback was due), fed back or past the due date; on time = fed back on or before it."""
    return timeliness_years(actor, "feedback", years=[year], today=today)[year]


def timeliness_list_params(step: str, *, year: int, township, on_time: bool | None) -> dict[str, str]:
    """The complaint list's filter that gives exactly the rows behind a timeliness count (the registry's
    ``rows_url``): ``township`` is an id, ``"none"`` or None (every township the viewer sees)."""
    params = {"year": str(year)}
    if township is not None:
        params["township"] = str(township)
    params[step] = COUNTED if on_time is None else ON_TIME if on_time else LATE
    return params


def overdue_counts(*, actor, today: dt.date | None = None, township_id=None) -> dict[str, int]:
    """{"acceptance": n, "feedback": n}: the counts of the list's ``?overdue=acceptance`` / ``?overdue=feedback``
    (the same ``filters.overdue_q``), ``township_id`` its ``?township=``; one query."""
    today = today or timezone.localdate()
    qs = Complaint.objects.visible_to(actor).order_by()
    if township_id is not None:
        qs = qs.filter(township_id=township_id)
    return qs.aggregate(**{step: Count("pk", filter=overdue_q(step, today)) for step in ("acceptance", "feedback")})


def complaint_count(*, actor, filters) -> int:
    """How many complaints the list shows with ``filters`` (a home-page figure; its link uses the same filters)."""
    return complaint_list(actor=actor, filters=filters).count()


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


# ---------------------------------------------------------------------------------------------------- retention
@dataclass(frozen=True)
class PurgePlan:
    """What the identity purge would do on ``today`` (counts and dates only, never an identity)."""

    today: dt.date
    retention_days: int
    ended_before: dt.date  # cases closed (or not accepted) before this day have their identity deleted
    complaint_ids: list[int]
    oldest_end: dt.date | None
    newest_end: dt.date | None

    @property
    def count(self) -> int:
        return len(self.complaint_ids)


def identity_purge_due(*, today: dt.date) -> tuple[int, dt.date, QuerySet]:
    """System-level (the daily job, the preview): ``(retention days, ended before, complaints)`` whose reporter
    identity is past its retention.

    Due: the case is over — 办结 (``closed_at``) or 不予受理 (``decided_at`` of a rejection) — more than
    ``identity_retention_days`` (the rule in force on ``today``) days ago, and no reward is waiting to be paid (the
    payment needs the reporter). The complaint itself is kept."""
    days = rules_in_force(today).identity_retention_days
    ended_before = today - dt.timedelta(days=days)
    cutoff = dt.datetime.combine(ended_before, dt.time.min, tzinfo=timezone.get_current_timezone())
    ended = Q(closed_at__isnull=False, closed_at__lt=cutoff) | Q(
        closed_at__isnull=True, status__in=[S.REJECTED, S.FED_BACK], decided_at__lt=cutoff
    )
    qs = (
        Complaint.objects.filter(ended, reporter_identity__isnull=False, status__in=[S.CLOSED, S.REJECTED, S.FED_BACK])
        .exclude(reward__status=RewardStatus.ASSESSED)
        .order_by("pk")
    )
    return days, ended_before, qs


def identity_purge_plan(*, today: dt.date | None = None) -> PurgePlan:
    """The preview of the purge on ``today``: how many identities, the retention and the range of closing dates."""
    today = today or timezone.localdate()
    days, ended_before, qs = identity_purge_due(today=today)
    rows = list(qs.values_list("pk", "closed_at", "decided_at"))
    ends = [timezone.localtime(closed or decided).date() for _, closed, decided in rows]
    return PurgePlan(
        today=today,
        retention_days=days,
        ended_before=ended_before,
        complaint_ids=[pk for pk, _, _ in rows],
        oldest_end=min(ends, default=None),
        newest_end=max(ends, default=None),
    )
