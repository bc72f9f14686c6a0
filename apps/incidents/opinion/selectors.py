"""All reads of 舆情 events. Lists start from ``OpinionEvent.objects.visible_to(actor)`` through
``OpinionEventFilterSet``; pages, API and export share them. The figures (``opinion_response_timeliness``,
``pending_response_count``) count with the same conditions the list's ``response`` filter applies."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import F, Q, TextField, Value
from django.db.models.functions import Length
from django.utils import timezone

from apps.common.filters import filter_queryset

from ..complaints.services import normalise_address
from ..models.opinion import OpinionEvent
from ..timeliness import on_time_counts
from .choices import ResponseState
from .filters import OpinionEventFilterSet, response_q

SUGGESTIONS_MAX = 10
NAME_MIN = 4  # a registry name shorter than this is not looked for inside the event's text (too many false hits)
ADDRESS_MIN = 6


def event_list(*, actor, filters=None):
    qs = OpinionEvent.objects.visible_to(actor).select_related("township", "spawned_incident")
    return filter_queryset(OpinionEventFilterSet, qs, filters)


def event_get(*, actor, pk):
    return (
        OpinionEvent.objects.visible_to(actor).select_related("township", "spawned_incident", "created_by").get(pk=pk)
    )


def event_history(event):
    return list(event.history.select_related("actor").order_by("at", "id"))


def event_actions(event):
    return list(event.actions.select_related("by").order_by("at", "id"))


def event_enterprises(event):
    return list(event.enterprises.select_related("township").order_by("name", "id"))


# ---------------------------------------------------------------------------------------------------- clock
@dataclass(frozen=True)
class ResponseClock:
    due: dt.datetime
    hours: int
    done_at: dt.datetime | None
    state: str  # on_time | late | running | overdue

    @property
    def state_label(self) -> str:
        return {"on_time": "按时回应", "late": "超时回应", "running": "回应中", "overdue": "已超期未回应"}[self.state]

    @property
    def tone(self) -> str:
        return {"on_time": "success", "late": "warning", "running": "info", "overdue": "danger"}[self.state]

    @property
    def remaining(self) -> str:
        """“还剩 5 小时 20 分” / “已超 3 小时” (running or overdue only)."""
        if self.done_at is not None:
            return ""
        delta = self.due - timezone.now()
        minutes = int(abs(delta.total_seconds()) // 60)
        text = f"{minutes // 60} 小时 {minutes % 60} 分" if minutes >= 60 else f"{minutes} 分钟"
        return f"还剩 {text}" if delta.total_seconds() >= 0 else f"已超 {text}"


def response_clock_of(event, *, now: dt.datetime | None = None) -> ResponseClock:
    now = now or timezone.now()
    if event.responded_at is not None:
        state = "on_time" if event.responded_at <= event.response_due else "late"
    else:
        state = "overdue" if now > event.response_due else "running"
    return ResponseClock(event.response_due, event.response_hours, event.responded_at, state)


# ---------------------------------------------------------------------------------------------------- suggestions
@dataclass(frozen=True)
class Suggestion:
    enterprise: object
    reasons: tuple[str, ...]


def _address_matches(visible, event, key: str) -> dict[int, str]:
    """{enterprise id: "地址一致" | "地址相近"}: the event's normalised address equal to, containing or contained in a
    business's normalised business or registered address. Compared in Python (the registry stores addresses as
    typed), over the event's township when it has one, else over everything the actor sees: one query."""
    if len(key) < ADDRESS_MIN:
        return {}
    rows = visible.filter(township_id=event.township_id) if event.township_id else visible
    out = {}
    for pk, business, registered in rows.values_list("pk", "business_address", "registered_address").iterator():
        for raw in (business, registered):
            other = normalise_address(raw) if raw else ""
            if len(other) < ADDRESS_MIN:
                continue
            if other == key:
                out[pk] = "地址一致"
                break
            if key in other or other in key:
                out[pk] = "地址相近"
    return out


def enterprise_suggestions(event, *, actor) -> list[Suggestion]:
    """Registry businesses (visible to ``actor``) the event may be about, not yet linked: the named object
    (``subject_name``) in the business's name, or a registry name (≥ 4 characters) inside the title, content or
    named object; the event's address equal to (or containing, or contained in) the business or registered address,
    compared as complaints compare addresses (``normalise_address``: no spaces or punctuation, full-width folded).
    Address matches first, then exact names; at most ``SUGGESTIONS_MAX``. Three queries."""
    from apps.enterprises.models import Enterprise

    text = " ".join(filter(None, [event.title, event.content, event.subject_name]))
    subject = (event.subject_name or "").strip()
    visible = Enterprise.objects.visible_to(actor)
    linked = set(event.enterprises.values_list("pk", flat=True)) if event.pk else set()
    by_address = _address_matches(visible, event, normalise_address(event.address))
    cond = Q(_name_len__gte=NAME_MIN, _text__contains=F("name")) | Q(pk__in=list(by_address)[:200])
    if len(subject) >= 2:
        cond |= Q(name__icontains=subject)
    rows = list(
        visible.annotate(_text=Value(text, output_field=TextField()), _name_len=Length("name"))
        .filter(cond)
        .exclude(pk__in=linked)
        .select_related("township")
        .order_by("name", "id")[:100]
    )
    out = []
    for ent in rows:
        reasons = [by_address[ent.pk]] if ent.pk in by_address else []
        if subject and subject == ent.name:
            reasons.append("名称一致")
        elif len(ent.name) >= NAME_MIN and ent.name in text:
            reasons.append("名称出现在舆情中")
        elif subject and subject in ent.name:
            reasons.append("名称包含所述对象")
        if reasons:
            out.append(Suggestion(ent, tuple(reasons)))
    out.sort(
        key=lambda s: ("地址一致" not in s.reasons, "名称一致" not in s.reasons, not s.reasons[0].startswith("地址"))
    )
    return out[:SUGGESTIONS_MAX]


# ---------------------------------------------------------------------------------------------------- figures
def opinion_response_timeliness_years(actor, *, years) -> dict[int, dict[int | None, tuple[int, int]]]:
    """{year: {township_id or None: (on_time, total)}}: events discovered in each of ``years`` that were responded
    to, or whose response deadline has passed without one; on time = responded at or before ``response_due``.
    Events with no township count under None. The list's ``?year=&township=&response=on_time|late|counted`` shows
    those rows; one query."""
    now = timezone.now()
    return on_time_counts(
        OpinionEvent.objects.visible_to(actor),
        field="discovered_at",
        years=years,
        on_time=response_q(ResponseState.ON_TIME, now),
        counted=response_q(ResponseState.COUNTED, now),
    )


def opinion_response_timeliness(actor, *, year: int) -> dict[int | None, tuple[int, int]]:
    """``opinion_response_timeliness_years`` of one year."""
    return opinion_response_timeliness_years(actor, years=[year])[year]


PENDING_FILTER = {"response": ResponseState.PENDING.value}


def pending_response_count(actor) -> int:
    """Events not yet responded to (the list's ``?response=pending``), in the actor's scope."""
    return OpinionEvent.objects.visible_to(actor).filter(response_q(ResponseState.PENDING, timezone.now())).count()


def timeliness_rows_params(*, year: int, township, on_time) -> dict:
    """The list filter of one cell of the timeliness table (``apps.incidents.timeliness``)."""
    params = {"year": year}
    if township is not None:
        params["township"] = township
    params["response"] = {True: ResponseState.ON_TIME, False: ResponseState.LATE, None: ResponseState.COUNTED}[
        on_time
    ].value
    return params
