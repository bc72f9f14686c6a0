"""All writes of 舆情 events: record and edit, assess (研判), response actions, respond, close, confirm enterprise
links, and spawn an incident (emergencies' ``incident_create``) or a flying inspection (the
``inspections.flying_create`` provider, apps/common/hooks.py).

Every write is one transaction with the event row locked (``select_for_update``) and one audit event of this
subpackage (a spawn also writes the audit event of what it created)."""

from __future__ import annotations

import datetime as dt
import re
import uuid

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.common import hooks
from apps.common.audit import audit_record
from apps.common.exceptions import Conflict, InvalidTransition, OutOfScope, ValidationFailed
from apps.common.permissions import require_perm

from ..emergencies.services import incident_create
from ..models.opinion import OpinionAction, OpinionEvent, OpinionEventHistory
from .choices import ACTION_STATUSES, HEAT_MAX, HEAT_MIN, OpinionRisk, OpinionSource, OpinionStatus
from .rules import response_clock

S = OpinionStatus
TITLE_MAX, CONTENT_MAX, DETAIL_MAX, TEXT_MAX = 200, 5000, 500, 5000
FUTURE_TOLERANCE = dt.timedelta(minutes=5)
CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
DUPLICATE_MESSAGE = "这份表单已经提交过了，请勿重复提交"
INSPECTION_PROVIDER = "inspections.flying_create"
NO_INSPECTION_PROVIDER = (
    "飞行检查服务未启用（监督检查应用没有登记 inspections.flying_create），暂不能从舆情发起飞行检查"
)


def _fail(field: str, message: str):
    raise ValidationFailed(message, fields={field: [message]})


def _now() -> dt.datetime:
    return timezone.now()


def _token(value) -> uuid.UUID | None:
    if value in (None, ""):
        return None
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        _fail("submit_token", "表单已失效，请刷新页面后重新填写")


def _not_future(value: dt.datetime | None, field: str, label: str) -> None:
    if value is not None and value > _now() + FUTURE_TOLERANCE:
        _fail(field, f"{label}不能晚于现在")


def _check_township(actor, township) -> None:
    from apps.common.scoping import user_sees_all_townships, user_township_ids

    if not user_sees_all_townships(actor) and (township is None or township.pk not in set(user_township_ids(actor))):
        _fail("township", "请选择本人所属的镇街")


def _clean(data: dict) -> dict:
    """The event's own fields, checked: Chinese messages naming the field (the first one is the message)."""
    errors: dict[str, list[str]] = {}
    title = (data.get("title") or "").strip()
    if not title:
        errors["title"] = ["请填写标题"]
    elif len(title) > TITLE_MAX:
        errors["title"] = [f"标题不能超过 {TITLE_MAX} 字"]
    source = data.get("source") or ""
    if source not in OpinionSource.values:
        errors["source"] = ["请选择来源"]
    detail = (data.get("source_detail") or "").strip()
    if len(detail) > DETAIL_MAX:
        errors["source_detail"] = [f"来源详情不能超过 {DETAIL_MAX} 字"]
    elif CONTROL_RE.search(detail):
        errors["source_detail"] = ["来源详情只能是一行文字（网址或媒体名称）"]
    content = (data.get("content") or "").strip()
    if not content:
        errors["content"] = ["请填写舆情内容"]
    elif len(content) > CONTENT_MAX:
        errors["content"] = [f"内容不能超过 {CONTENT_MAX} 字"]
    discovered_at = data.get("discovered_at")
    if not isinstance(discovered_at, dt.datetime):
        errors["discovered_at"] = ["请填写发现时间"]
    elif discovered_at > _now() + FUTURE_TOLERANCE:
        errors["discovered_at"] = ["发现时间不能晚于现在"]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], fields=errors)
    return {
        "title": title,
        "source": source,
        "source_detail": detail,
        "content": content,
        "subject_name": (data.get("subject_name") or "").strip()[:200],
        "address": (data.get("address") or "").strip()[:255],
        "discovered_at": discovered_at,
    }


def _locked(actor, event_id) -> OpinionEvent:
    try:
        return OpinionEvent.objects.visible_to(actor).select_for_update().get(pk=event_id)
    except (OpinionEvent.DoesNotExist, ValueError, TypeError):
        raise OutOfScope() from None


def _history(event, actor, action: str, *, note: str = "", before: str = "", after: str = "") -> None:
    OpinionEventHistory.objects.create(
        event=event, at=_now(), actor=actor, from_status=before, to_status=after, action=action, note=note
    )


def _step(event, actor, to: str, *, action: str, note: str, audit: str, extra: dict | None = None) -> None:
    if not event.can_transition_to(to):
        raise InvalidTransition(f"“{event.get_status_display()}”的舆情事件不能{action}")
    before = event.status
    event.status = to
    event.save()
    _history(event, actor, action, note=note, before=before, after=to)
    audit_record(audit, obj=event, actor=actor, changes={"status": [before, to]}, extra=extra or {})


# ---------------------------------------------------------------------------------------------------- record
def event_create(*, actor, data: dict, submit_token=None) -> OpinionEvent:
    """Record an event; ``discovered_at`` starts the response clock (the rules in force on that date). The same
    form submitted twice (same ``submit_token``: a double click, a resend) is refused with 409 and writes nothing."""
    require_perm(actor, "incidents.add_opinionevent")
    token = _token(submit_token)
    clean = _clean(data)
    township = data.get("township")
    _check_township(actor, township)
    if token is not None and OpinionEvent.objects.filter(submit_token=token).exists():
        raise Conflict(DUPLICATE_MESSAGE)
    hours, due = response_clock(clean["discovered_at"])
    try:
        with transaction.atomic():
            event = OpinionEvent.objects.create(
                number=f"TMP-{uuid.uuid4().hex[:16]}",
                township=township,
                response_hours=hours,
                response_due=due,
                submit_token=token,
                created_by=actor,
                **clean,
            )
            event.number = f"YQ{timezone.localtime(event.discovered_at):%Y}{event.pk:06d}"
            event.save(update_fields=["number", "updated_at"])
            _history(event, actor, "登记", after=S.PENDING, note=f"回应期限 {timezone.localtime(due):%Y-%m-%d %H:%M}")
            audit_record(
                "incidents.opinion_create",
                obj=event,
                actor=actor,
                extra={"source": clean["source"], "response_hours": hours, "response_due": due.isoformat()},
            )
    except IntegrityError:
        if token is not None and OpinionEvent.objects.filter(submit_token=token).exists():
            raise Conflict(DUPLICATE_MESSAGE) from None
        raise
    return event


EDIT_FIELDS = ("title", "source", "source_detail", "content", "subject_name", "address", "discovered_at")


def event_update(*, actor, event_id, data: dict) -> OpinionEvent:
    """Edit what was recorded (not after closing). A changed discovery time moves the response clock (rules in
    force on the new date); it may not fall after the response."""
    require_perm(actor, "incidents.change_opinionevent")
    clean = _clean(data)
    township = data.get("township")
    _check_township(actor, township)
    with transaction.atomic():
        event = _locked(actor, event_id)
        if event.status == S.CLOSED:
            raise InvalidTransition("已关闭的舆情事件不能修改")
        if event.responded_at and clean["discovered_at"] > event.responded_at:
            _fail("discovered_at", "发现时间不能晚于回应时间")
        changes = {}
        for field in EDIT_FIELDS:
            old, new = getattr(event, field), clean[field]
            if old != new:
                changes[field] = [str(old), str(new)]
                setattr(event, field, new)
        if event.township_id != (township.pk if township else None):
            changes["township"] = [str(event.township_id), str(township.pk if township else None)]
            event.township = township
        if not changes:
            return event
        if "discovered_at" in changes:
            event.response_hours, event.response_due = response_clock(event.discovered_at)
        event.save()
        _history(event, actor, "修改", note="、".join(OpinionEvent._meta.get_field(f).verbose_name for f in changes))
        audit_record("incidents.opinion_update", obj=event, actor=actor, changes=changes)
        return event


# ---------------------------------------------------------------------------------------------------- pipeline
def _heat(value) -> int:
    try:
        heat = int(value)
    except (TypeError, ValueError):
        _fail("heat", f"请选择热度（{HEAT_MIN}–{HEAT_MAX}）")
    if not HEAT_MIN <= heat <= HEAT_MAX:
        _fail("heat", f"热度须在 {HEAT_MIN}–{HEAT_MAX} 之间")
    return heat


def event_assess(*, actor, event_id, heat, risk, note: str = "") -> OpinionEvent:
    """研判: heat 1–5 and risk 低/中/高; the event goes 待研判 → 处置中 (a reassessment while 处置中 updates it)."""
    require_perm(actor, "incidents.change_opinionevent")
    heat = _heat(heat)
    if risk not in OpinionRisk.values:
        _fail("risk", "请选择风险等级")
    note = (note or "").strip()[:TEXT_MAX]
    with transaction.atomic():
        event = _locked(actor, event_id)
        event.heat, event.risk, event.assessment_note, event.assessed_at = heat, risk, note, _now()
        summary = f"热度 {heat}，风险{OpinionRisk(risk).label}" + (f"；{note}" if note else "")
        extra = {"heat": heat, "risk": risk}
        if event.status == S.HANDLING:  # a reassessment
            event.save()
            _history(event, actor, "重新研判", note=summary)
            audit_record("incidents.opinion_assess", obj=event, actor=actor, extra=extra)
            return event
        _step(event, actor, S.HANDLING, action="研判", note=summary, audit="incidents.opinion_assess", extra=extra)
        return event


def action_add(*, actor, event_id, text: str, at: dt.datetime | None = None, submit_token=None) -> OpinionAction:
    """A response action (处置措施): when, what, by whom. Not before discovery, not in the future, not once closed."""
    require_perm(actor, "incidents.change_opinionevent")
    token = _token(submit_token)
    text = (text or "").strip()
    if not text:
        _fail("text", "请填写处置措施")
    if len(text) > TEXT_MAX:
        _fail("text", f"处置措施不能超过 {TEXT_MAX} 字")
    at = at or _now()
    _not_future(at, "at", "措施时间")
    try:
        with transaction.atomic():
            event = _locked(actor, event_id)
            if token is not None and OpinionAction.objects.filter(submit_token=token).exists():
                raise Conflict("这条处置措施已经提交过了，请勿重复提交")
            if event.status not in ACTION_STATUSES:
                raise InvalidTransition("已关闭的舆情事件不能再记录处置措施")
            if at < event.discovered_at:
                _fail("at", "措施时间不能早于发现时间")
            action = OpinionAction.objects.create(event=event, at=at, text=text, by=actor, submit_token=token)
            event.save(update_fields=["updated_at"])  # the feed sees the new action
            audit_record(
                "incidents.opinion_action_add",
                obj=event,
                actor=actor,
                extra={"action_id": action.pk, "at": at.isoformat()},
            )
            return action
    except IntegrityError:
        raise Conflict("这条处置措施已经提交过了，请勿重复提交") from None


def event_respond(*, actor, event_id, text: str, responded_at: dt.datetime | None = None) -> OpinionEvent:
    """回应: the response (text) and when it was made (default now) — not before discovery, not in the future. On
    time when ``responded_at`` ≤ ``response_due``."""
    require_perm(actor, "incidents.change_opinionevent")
    text = (text or "").strip()
    if not text:
        _fail("response_text", "请填写回应内容")
    if len(text) > TEXT_MAX:
        _fail("response_text", f"回应内容不能超过 {TEXT_MAX} 字")
    responded_at = responded_at or _now()
    _not_future(responded_at, "responded_at", "回应时间")
    with transaction.atomic():
        event = _locked(actor, event_id)
        if event.status == S.PENDING:
            raise InvalidTransition("请先研判（热度、风险），再登记回应")
        if responded_at < event.discovered_at:
            _fail("responded_at", "回应时间不能早于发现时间")
        event.responded_at, event.response_text = responded_at, text
        on_time = responded_at <= event.response_due
        _step(
            event,
            actor,
            S.RESPONDED,
            action="回应（按时）" if on_time else "回应（超时）",
            note=text,
            audit="incidents.opinion_respond",
            extra={"responded_at": responded_at.isoformat(), "on_time": on_time},
        )
        return event


def event_close(*, actor, event_id, summary: str) -> OpinionEvent:
    """关闭 with a closing summary; only after a response."""
    require_perm(actor, "incidents.change_opinionevent")
    summary = (summary or "").strip()
    if not summary:
        _fail("closing_summary", "请填写处置总结")
    if len(summary) > TEXT_MAX:
        _fail("closing_summary", f"处置总结不能超过 {TEXT_MAX} 字")
    with transaction.atomic():
        event = _locked(actor, event_id)
        if event.responded_at is None:
            raise ValidationFailed("尚未回应的舆情事件不能关闭，请先登记回应")
        event.closed_at, event.closing_summary = _now(), summary
        _step(event, actor, S.CLOSED, action="关闭", note=summary, audit="incidents.opinion_close")
        return event


# ---------------------------------------------------------------------------------------------------- links
def _enterprise(actor, enterprise_id):
    from apps.enterprises.models import Enterprise

    try:
        return Enterprise.objects.visible_to(actor).get(pk=enterprise_id)
    except (Enterprise.DoesNotExist, ValueError, TypeError):
        _fail("enterprise", "检查对象不存在或不在您的管辖范围内")


def enterprise_link(*, actor, event_id, enterprise_id, reason: str = "") -> OpinionEvent:
    """Staff confirm a suggested (or named) enterprise as linked to the event; linking it again changes nothing."""
    require_perm(actor, "incidents.change_opinionevent")
    with transaction.atomic():
        event = _locked(actor, event_id)
        enterprise = _enterprise(actor, enterprise_id)
        if event.enterprises.filter(pk=enterprise.pk).exists():
            return event
        event.enterprises.add(enterprise)
        event.save(update_fields=["updated_at"])
        _history(event, actor, "关联检查对象", note=f"{enterprise.name}" + (f"（{reason}）" if reason else ""))
        audit_record(
            "incidents.opinion_link_enterprise",
            obj=event,
            actor=actor,
            extra={"enterprise_id": enterprise.pk, "enterprise": enterprise.name, "reason": reason[:100]},
        )
        return event


def enterprise_unlink(*, actor, event_id, enterprise_id) -> OpinionEvent:
    require_perm(actor, "incidents.change_opinionevent")
    with transaction.atomic():
        event = _locked(actor, event_id)
        enterprise = event.enterprises.filter(pk=enterprise_id).first() if str(enterprise_id).isdigit() else None
        if enterprise is None:
            return event
        event.enterprises.remove(enterprise)
        event.save(update_fields=["updated_at"])
        _history(event, actor, "取消关联检查对象", note=enterprise.name)
        audit_record(
            "incidents.opinion_unlink_enterprise", obj=event, actor=actor, extra={"enterprise_id": enterprise.pk}
        )
        return event


# ---------------------------------------------------------------------------------------------------- spawn
def source_ref(event) -> str:
    return f"opinion-event:{event.pk}"


def spawn_incident(*, actor, event_id) -> tuple[OpinionEvent, bool]:
    """Open a food-safety incident from the event (emergencies' ``incident_create``): title and township of the
    event, occurred at its discovery, learned now. ``(event, created)``: a second spawn returns the first incident
    (``created`` False) and writes nothing."""
    require_perm(actor, "incidents.change_opinionevent")
    with transaction.atomic():
        event = _locked(actor, event_id)
        if event.spawned_incident_id:
            return event, False
        if event.status == S.CLOSED:
            raise InvalidTransition("已关闭的舆情事件不能再转为食品安全事件")
        incident = incident_create(
            actor=actor,
            title=event.title,
            occurred_at=event.discovered_at,
            learned_at=max(_now(), event.discovered_at),
            township=event.township,
            source_ref=source_ref(event),
        )
        event.spawned_incident = incident
        event.save()
        _history(event, actor, "转为食品安全事件", note=incident.number)
        audit_record("incidents.opinion_spawn_incident", obj=event, actor=actor, extra={"incident": incident.number})
        return event, True


def inspection_provider():
    """The registered ``inspections.flying_create`` provider, or None."""
    found = hooks.providers(INSPECTION_PROVIDER)
    return next(iter(found.values()), None)


def spawn_inspection(*, actor, event_id, enterprise_id, reason: str = "") -> tuple[OpinionEvent, bool]:
    """Ask the inspections app for a flying inspection (飞行检查) of one linked enterprise, through the
    ``inspections.flying_create`` provider (this app never imports inspections). ``(event, created)``: a second
    spawn returns the first task and writes nothing."""
    require_perm(actor, "incidents.change_opinionevent")
    provider = inspection_provider()
    if provider is None:
        raise ValidationFailed(NO_INSPECTION_PROVIDER)
    with transaction.atomic():
        event = _locked(actor, event_id)
        if event.spawned_inspection_ref:
            return event, False
        if event.status == S.CLOSED:
            raise InvalidTransition("已关闭的舆情事件不能再发起飞行检查")
        try:
            enterprise_pk = int(enterprise_id)
        except (TypeError, ValueError):
            enterprise_pk = None
        if enterprise_pk is None or not event.enterprises.filter(pk=enterprise_pk).exists():
            _fail("enterprise", "请先确认关联检查对象，再对其发起飞行检查")
        reason = (reason or "").strip() or f"舆情 {event.number}：{event.title}"
        made = provider(actor, enterprise_id=enterprise_pk, reason=reason[:500], source_ref=source_ref(event))
        event.spawned_inspection_ref = made["ref"]
        event.spawned_inspection_url = made.get("url", "")[:300]
        event.save()
        _history(event, actor, "发起飞行检查", note=made["ref"])
        audit_record(
            "incidents.opinion_spawn_inspection",
            obj=event,
            actor=actor,
            extra={"inspection": made["ref"], "enterprise_id": enterprise_pk},
        )
        return event, True
