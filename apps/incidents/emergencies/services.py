"""All writes of food-safety incidents (食品安全事件): the record, 初报/续报/终报, response actions, the level staff
confirm, closing.

``incident_create`` is the entry point other subpackages call (``apps.incidents.opinion`` opens an incident from a
舆情 event with ``source_ref="opinion-event:<id>"``); its keyword signature is stable (new keywords are optional).

Every write is one transaction with the row locked (``select_for_update``), one history row (``IncidentEvent``)
and one audit event. The suggested level is recomputed from the criteria in force whenever the counts change;
the confirmed level changes only through ``incident_level_confirm``."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import transaction
from django.utils import timezone

from apps.common import hooks
from apps.common.audit import audit_record
from apps.common.exceptions import InvalidTransition, OutOfScope, ValidationFailed
from apps.common.permissions import require_perm

from ..models.emergencies import (
    Incident,
    IncidentAction,
    IncidentEvent,
    IncidentLevel,
    IncidentLink,
    IncidentReport,
    IncidentStatus,
    ReportKind,
)
from .rules import rules_in_force, suggestion_for

S = IncidentStatus
K = ReportKind
TEXT_MAX = 10000
SAMPLE_REF = "sampling-sample"
CLOSED_MESSAGE = "事件已结案，不能再修改"


def _fail(errors: dict[str, list[str]]):
    raise ValidationFailed("；".join(m for ms in errors.values() for m in ms), fields=errors)


def _check_counts(errors: dict, *, affected_count, dead_count, townships_count=1) -> None:
    for field, value in (("affected_count", affected_count), ("dead_count", dead_count)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            errors[field] = ["人数不能小于 0"]
    if "affected_count" not in errors and "dead_count" not in errors and dead_count > affected_count:
        errors["dead_count"] = ["死亡人数不能多于涉及人数"]
    if not isinstance(townships_count, int) or isinstance(townships_count, bool) or not 1 <= townships_count <= 50:
        errors["townships_count"] = ["涉及镇街数应在 1 到 50 之间"]


def _check_township(errors: dict, actor, township) -> None:
    from apps.common.scoping import user_sees_all_townships, user_township_ids

    if not user_sees_all_townships(actor) and (township is None or township.pk not in set(user_township_ids(actor))):
        errors["township"] = ["请选择本人所属的镇街"]


def sample_refs_for(numbers, *, actor) -> tuple[list[str], list[str]]:
    """抽样单编号 → ``sampling-sample:<id>`` references through the ``sampling.samples_by_number`` provider (the
    samples ``actor`` may see); returns (refs, numbers not found)."""
    wanted = [n.strip().upper() for n in numbers if n and n.strip()]
    found: dict[str, int] = {}
    for fn in hooks.providers("sampling.samples_by_number").values():
        found.update(fn(wanted, actor=actor))
    return [f"{SAMPLE_REF}:{found[n]}" for n in wanted if n in found], [n for n in wanted if n not in found]


def _set_links(incident, *, enterprises=None, sample_refs=None) -> None:
    if enterprises is not None:
        incident.enterprises.set(enterprises)
    if sample_refs is not None:
        incident.links.filter(ref__startswith=f"{SAMPLE_REF}:").exclude(ref__in=sample_refs).delete()
        existing = set(incident.links.values_list("ref", flat=True))
        IncidentLink.objects.bulk_create(
            [IncidentLink(incident=incident, ref=r) for r in dict.fromkeys(sample_refs) if r not in existing]
        )


def _suggest(incident) -> None:
    incident.suggested_level = suggestion_for(incident).level


def incident_create(
    *,
    actor,
    title: str,
    occurred_at: dt.datetime,
    learned_at: dt.datetime,
    township=None,
    affected_count: int = 0,
    dead_count: int = 0,
    source_ref: str = "",
    places: str = "",
    description: str = "",
    schools_involved: bool = False,
    major_event: bool = False,
    townships_count: int = 1,
    enterprises=None,
    sample_refs: list[str] | None = None,
) -> Incident:
    """Record an incident the city has learned of; ``learned_at`` starts the first-report clock (the rules in force
    on that day). The suggested level follows from the counts."""
    require_perm(actor, "incidents.add_incident")
    errors: dict[str, list[str]] = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = ["请填写事件名称"]
    elif len(title) > 200:
        errors["title"] = ["事件名称不能超过 200 字"]
    _check_counts(errors, affected_count=affected_count, dead_count=dead_count, townships_count=townships_count)
    if not occurred_at:
        errors["occurred_at"] = ["请填写发生时间"]
    if not learned_at:
        errors["learned_at"] = ["请填写获知时间"]
    if occurred_at and learned_at and learned_at < occurred_at:
        errors["learned_at"] = ["获知时间不能早于发生时间"]
    if learned_at and learned_at > timezone.now() + dt.timedelta(minutes=5):
        errors["learned_at"] = ["获知时间不能晚于现在"]
    _check_township(errors, actor, township)
    if errors:
        _fail(errors)
    rules = rules_in_force(timezone.localtime(learned_at).date())
    with transaction.atomic():
        incident = Incident(
            number=f"TMP-{uuid.uuid4().hex[:16]}",
            title=title,
            township=township,
            occurred_at=occurred_at,
            learned_at=learned_at,
            affected_count=affected_count,
            dead_count=dead_count,
            places=(places or "").strip()[:TEXT_MAX],
            description=(description or "").strip()[:TEXT_MAX],
            schools_involved=bool(schools_involved),
            major_event=bool(major_event),
            townships_count=townships_count,
            first_report_due=learned_at + dt.timedelta(hours=rules.first_report_hours),
            created_by=actor,
        )
        _suggest(incident)
        incident.save()
        incident.number = f"SJ{timezone.localtime(learned_at):%Y}{incident.pk:06d}"
        incident.save(update_fields=["number", "updated_at"])
        _set_links(incident, enterprises=enterprises, sample_refs=sample_refs)
        IncidentEvent.objects.create(
            incident=incident, at=timezone.now(), actor=actor, to_status=S.RECEIVED, action="接报登记"
        )
        audit_record(
            "incidents.incident_create",
            obj=incident,
            actor=actor,
            extra={"source_ref": source_ref, "suggested_level": incident.suggested_level},
        )
    return incident


def _locked(actor, incident_id) -> Incident:
    try:
        return Incident.objects.visible_to(actor).select_for_update().get(pk=incident_id)
    except (Incident.DoesNotExist, ValueError, TypeError):
        raise OutOfScope() from None


def _open(incident) -> None:
    if incident.status == S.CLOSED:
        raise InvalidTransition(CLOSED_MESSAGE)


def _event(incident, actor, action, *, note="", before="", after="") -> None:
    IncidentEvent.objects.create(
        incident=incident, at=timezone.now(), actor=actor, from_status=before, to_status=after, action=action, note=note
    )


EDITABLE = (
    "title",
    "township",
    "occurred_at",
    "learned_at",
    "affected_count",
    "dead_count",
    "places",
    "description",
    "schools_involved",
    "major_event",
    "townships_count",
)


def incident_update(*, actor, incident_id, data: dict, enterprises=None, sample_refs=None) -> Incident:
    """Edit the record (counts, places, description, links). A closed incident is not edited. The first-report
    deadline is recomputed when ``learned_at`` changes; a changed ``learned_at`` may not come after a report already
    submitted."""
    require_perm(actor, "incidents.change_incident")
    with transaction.atomic():
        inc = _locked(actor, incident_id)
        _open(inc)
        values = {f: data.get(f, getattr(inc, f)) for f in EDITABLE}
        errors: dict[str, list[str]] = {}
        values["title"] = (values["title"] or "").strip()
        if not values["title"]:
            errors["title"] = ["请填写事件名称"]
        _check_counts(
            errors,
            affected_count=values["affected_count"],
            dead_count=values["dead_count"],
            townships_count=values["townships_count"],
        )
        occurred_at, learned_at = values["occurred_at"], values["learned_at"]
        if not occurred_at:
            errors["occurred_at"] = ["请填写发生时间"]
        if not learned_at:
            errors["learned_at"] = ["请填写获知时间"]
        elif occurred_at and learned_at < occurred_at:
            errors["learned_at"] = ["获知时间不能早于发生时间"]
        elif learned_at > timezone.now() + dt.timedelta(minutes=5):
            errors["learned_at"] = ["获知时间不能晚于现在"]
        else:
            first = inc.reports.order_by("submitted_at").first()
            if first and learned_at > first.submitted_at:
                errors["learned_at"] = ["获知时间不能晚于已报送的报告"]
        _check_township(errors, actor, values["township"])
        if errors:
            _fail(errors)
        before = {f: getattr(inc, f) for f in EDITABLE}
        for f, v in values.items():
            setattr(inc, f, (v or "").strip() if f in ("places", "description") else v)
        if learned_at != before["learned_at"]:
            rules = rules_in_force(timezone.localtime(learned_at).date())
            inc.first_report_due = learned_at + dt.timedelta(hours=rules.first_report_hours)
        old_suggestion = inc.suggested_level
        _suggest(inc)
        inc.save()
        _set_links(inc, enterprises=enterprises, sample_refs=sample_refs)
        changed = {f: [_plain(before[f]), _plain(getattr(inc, f))] for f in EDITABLE if before[f] != getattr(inc, f)}
        if old_suggestion != inc.suggested_level:
            changed["suggested_level"] = [old_suggestion, inc.suggested_level]
        note = ""
        if "suggested_level" in changed:
            note = (
                f"建议级别变为 {IncidentLevel(inc.suggested_level).label if inc.suggested_level else '未达到分级标准'}"
            )
        _event(inc, actor, "修改事件信息", note=note)
        audit_record("incidents.incident_update", obj=inc, actor=actor, changes=changed)
        return inc


def _plain(value):
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if hasattr(value, "pk"):
        return value.pk
    return value


def incident_report_submit(*, actor, incident_id, kind: str, content: str, submitted_at: dt.datetime | None):
    """初报 (moves 接报 → 处置中), 续报 (after the 初报, before the 终报), 终报 (once; moves 处置中 → 已终报).
    ``submitted_at`` (when it was sent up) may not be before the incident was learned of, nor in the future."""
    require_perm(actor, "incidents.change_incident")
    errors: dict[str, list[str]] = {}
    if kind not in K.values:
        errors["kind"] = ["请选择报告类型"]
    content = (content or "").strip()
    if not content:
        errors["content"] = ["请填写报告内容"]
    elif len(content) > TEXT_MAX:
        errors["content"] = [f"报告内容不能超过 {TEXT_MAX} 字"]
    if submitted_at is None:
        errors["submitted_at"] = ["请填写报送时间"]
    elif submitted_at > timezone.now() + dt.timedelta(minutes=5):
        errors["submitted_at"] = ["报送时间不能晚于现在"]
    if errors:
        _fail(errors)
    with transaction.atomic():
        inc = _locked(actor, incident_id)
        _open(inc)
        if submitted_at < inc.learned_at:
            _fail({"submitted_at": ["报送时间不能早于获知事件的时间"]})
        kinds = set(inc.reports.values_list("kind", flat=True))
        if kind == K.INITIAL and K.INITIAL in kinds:
            raise InvalidTransition("初报已报送，后续进展请报续报")
        if kind in (K.FOLLOWUP, K.FINAL) and K.INITIAL not in kinds:
            raise InvalidTransition("请先报送初报")
        if K.FINAL in kinds:
            raise InvalidTransition("终报已报送，不能再报送报告")
        last = inc.reports.order_by("-submitted_at").first()
        if last and submitted_at < last.submitted_at:
            _fail(
                {
                    "submitted_at": [
                        f"报送时间不能早于上一次报告（{timezone.localtime(last.submitted_at):%Y-%m-%d %H:%M}）"
                    ]
                }
            )
        before = inc.status
        to = {K.INITIAL: S.HANDLING, K.FINAL: S.FINAL_REPORTED}.get(kind, before)
        if to != before and not inc.can_transition_to(to):
            raise InvalidTransition(f"“{S(before).label}”的事件不能报送{K(kind).label}")
        report = IncidentReport.objects.create(
            incident=inc, kind=kind, submitted_at=submitted_at, content=content, by=actor
        )
        if kind == K.INITIAL:
            inc.first_reported_at = submitted_at
        elif kind == K.FINAL:
            inc.final_reported_at = submitted_at
        inc.status = to
        inc.save()
        label = K(kind).label
        _event(
            inc,
            actor,
            f"报送{label}",
            note=f"报送时间 {timezone.localtime(submitted_at):%Y-%m-%d %H:%M}",
            before=before if inc.status != before else "",
            after=inc.status if inc.status != before else "",
        )
        extra = {"kind": kind, "submitted_at": submitted_at.isoformat()}
        if kind == K.INITIAL:
            extra["on_time"] = submitted_at <= inc.first_report_due if inc.first_report_due else None
        audit_record(
            "incidents.incident_report",
            obj=inc,
            actor=actor,
            changes={"status": [before, inc.status]} if inc.status != before else {},
            extra=extra,
        )
        return report


def incident_action_add(*, actor, incident_id, at: dt.datetime | None, text: str) -> IncidentAction:
    """A response action (封存、召回、救治、流调…) with the time it was taken."""
    require_perm(actor, "incidents.change_incident")
    errors: dict[str, list[str]] = {}
    text = (text or "").strip()
    if not text:
        errors["text"] = ["请填写处置措施"]
    elif len(text) > TEXT_MAX:
        errors["text"] = [f"处置措施不能超过 {TEXT_MAX} 字"]
    if at is None:
        errors["at"] = ["请填写处置时间"]
    elif at > timezone.now() + dt.timedelta(minutes=5):
        errors["at"] = ["处置时间不能晚于现在"]
    if errors:
        _fail(errors)
    with transaction.atomic():
        inc = _locked(actor, incident_id)
        _open(inc)
        if at < inc.occurred_at:
            _fail({"at": ["处置时间不能早于事件发生时间"]})
        action = IncidentAction.objects.create(incident=inc, at=at, text=text, by=actor)
        inc.save(update_fields=["updated_at"])
        _event(inc, actor, "记录处置措施", note=text[:200])
        audit_record("incidents.incident_action", obj=inc, actor=actor, extra={"action_id": action.pk})
        return action


def incident_level_confirm(*, actor, incident_id, level: str, note: str = "") -> Incident:
    """Staff confirm the level (the suggestion, or another with a reason)."""
    require_perm(actor, "incidents.manage_incident")
    if level not in IncidentLevel.values:
        _fail({"level": ["请选择确认的级别"]})
    note = (note or "").strip()
    with transaction.atomic():
        inc = _locked(actor, incident_id)
        _open(inc)
        _suggest(inc)
        if level != inc.suggested_level and not note:
            _fail({"note": ["确认的级别与建议级别不同，请说明理由"]})
        before = inc.level
        inc.level = level
        inc.level_confirmed_at = timezone.now()
        inc.level_confirmed_by = actor
        inc.save()
        _event(inc, actor, f"确认级别：{IncidentLevel(level).label}", note=note)
        audit_record(
            "incidents.incident_level_confirm",
            obj=inc,
            actor=actor,
            changes={"level": [before, level]},
            extra={"suggested_level": inc.suggested_level, "note": note},
        )
        return inc


def incident_close(*, actor, incident_id, summary: str) -> Incident:
    """结案 after the 终报, with a closing summary; a closed incident is no longer edited."""
    require_perm(actor, "incidents.manage_incident")
    summary = (summary or "").strip()
    if not summary:
        _fail({"summary": ["请填写结案总结"]})
    with transaction.atomic():
        inc = _locked(actor, incident_id)
        _open(inc)
        if not inc.can_transition_to(S.CLOSED):
            raise InvalidTransition("报送终报后才能结案")
        if not inc.level:
            raise InvalidTransition("请先确认事件级别再结案")
        before = inc.status
        inc.status = S.CLOSED
        inc.closed_at = timezone.now()
        inc.closing_summary = summary[:TEXT_MAX]
        inc.save()
        _event(inc, actor, "结案", note=summary[:200], before=before, after=S.CLOSED)
        audit_record("incidents.incident_close", obj=inc, actor=actor, changes={"status": [before, S.CLOSED]})
        return inc
