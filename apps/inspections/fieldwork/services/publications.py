"""Writes of publication (一公开): the objection window, objections and their decisions, publishing by
staff, in bulk and by the beat task, withdrawal when a result is corrected."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from apps.common.audit import audit_record
from apps.common.exceptions import DomainError, InvalidTransition, OutOfScope, ValidationFailed
from apps.common.permissions import require_perm

from ...choices import ObjectionDecision, PublicationStatus
from ...models import InspectionResult, Objection, Publication
from ..selectors import publication_hold, publications_due
from ._common import _setting


def publication_working_days() -> int:
    """Order 49 Art 39: results are published within 20 working days of being formed."""
    return int(_setting("INSPECTION_PUBLICATION_WORKING_DAYS", 20))


def objection_working_days() -> int:
    """The enterprise may object within this many working days; publication waits for the window (and decisions)."""
    return int(_setting("INSPECTION_OBJECTION_WORKING_DAYS", 5))


def _withdraw_superseded(result: InspectionResult, *, actor, now) -> int | None:
    old = Publication.objects.select_for_update().filter(result_id=result.supersedes_id).first()
    if old is None or not old.can_transition_to(PublicationStatus.WITHDRAWN):
        return None
    old.status = PublicationStatus.WITHDRAWN
    old.withdrawn_at = now
    old.withdraw_reason = f"已更正，见第 {result.revision} 版记录"[:200]
    old.version += 1
    old.save()
    audit_record("inspections.publication_withdraw", obj=old, actor=actor, extra={"superseded_by": result.pk})
    return old.pk


# ---------------------------------------------------------------------------- publication (一公开)
def _publication_locked(actor, publication_id) -> Publication:
    require_perm(actor, "inspections.change_publication")
    try:
        return (
            Publication.objects.visible_to(actor)
            .select_for_update(of=("self",))
            .select_related("result")
            .get(pk=publication_id)
        )
    except (Publication.DoesNotExist, ValueError, TypeError):
        raise OutOfScope() from None


def _publish(publication: Publication, *, actor, now) -> Publication:
    publication.status = PublicationStatus.PUBLISHED
    publication.published_at = now
    publication.published_by = actor if getattr(actor, "is_authenticated", False) else None
    publication.version += 1
    publication.save()
    audit_record(
        "inspections.publication_publish",
        obj=publication,
        actor=actor,
        extra={
            "result": publication.result_id,
            "due_by": publication.due_by.isoformat(),
            "by": "staff" if actor else "beat",
        },
    )
    return publication


@transaction.atomic
def publication_publish(*, actor, publication_id: int, now=None) -> Publication:
    """Publish now (staff), once the objection window has ended and no objection is undecided."""
    publication = _publication_locked(actor, publication_id)
    now = now or timezone.now()
    hold = publication_hold(publication, today=timezone.localdate(now))
    if hold:
        raise InvalidTransition(hold)
    return _publish(publication, actor=actor, now=now)


BULK_PUBLISH_MAX = 500


@transaction.atomic
def publications_publish_many(*, actor, publication_ids, now=None) -> dict:
    """批量公示 (city staff): publish each chosen publication that may be published now — one audit event each, the
    same checks as one by one. Those that cannot (out of scope, held, window still open) are listed with the reason;
    one refusal never blocks the others. At most ``BULK_PUBLISH_MAX`` in one go."""
    require_perm(actor, "inspections.change_publication")
    ids = []
    for raw in publication_ids or []:
        try:
            value = int(raw)
        except (TypeError, ValueError):
            raise ValidationFailed("公示记录编号无效", fields={"ids": ["编号无效"]}) from None
        if value > 0 and value not in ids:
            ids.append(value)
    if not ids:
        raise ValidationFailed("请选择要公示的记录", fields={"ids": ["请至少选择 1 条"]})
    if len(ids) > BULK_PUBLISH_MAX:
        raise ValidationFailed(f"一次最多公示 {BULK_PUBLISH_MAX} 条", fields={"ids": ["选择过多"]})
    now = now or timezone.now()
    published, refused = [], {}
    for pk in sorted(ids):  # lock order: by pk
        try:
            with transaction.atomic():
                publication_publish(actor=actor, publication_id=pk, now=now)
        except OutOfScope:
            refused[pk] = "不存在或不在您的管辖范围内"
        except DomainError as exc:
            refused[pk] = exc.message
        else:
            published.append(pk)
    return {"published": published, "refused": refused}


def publications_publish_due(*, now=None) -> list[int]:
    """Celery beat: publish every pending result whose objection window has ended (each in its own transaction;
    a row another worker already published is skipped)."""
    now = now or timezone.now()
    done = []
    for pk in list(publications_due(today=timezone.localdate(now)).values_list("pk", flat=True)):
        with transaction.atomic():
            publication = (
                Publication.objects.select_for_update().filter(pk=pk, status=PublicationStatus.PENDING).first()
            )
            if publication is None or publication.objections.filter(decision=ObjectionDecision.PENDING).exists():
                continue
            _publish(publication, actor=None, now=now)
            done.append(pk)
    return done


@transaction.atomic
def objection_record(
    *, actor, publication_id: int, text: str, submitter_name: str = "", submitter_contact: str = "", submitted_at=None
) -> Objection:
    """An enterprise's objection (异议), received within the window: publication is held until it is decided."""
    publication = _publication_locked(actor, publication_id)
    text = (text or "").strip()
    if len(text) < 4:
        raise ValidationFailed("请填写异议内容", fields={"text": ["请填写异议内容"]})
    submitted_at = submitted_at or timezone.now()
    if publication.status != PublicationStatus.HELD and not publication.can_transition_to(PublicationStatus.HELD):
        raise InvalidTransition("已公示或已撤回的结果不能再提出异议")
    if publication.objection_window_ends and timezone.localdate(submitted_at) > publication.objection_window_ends:
        raise ValidationFailed(
            f"异议期已于 {publication.objection_window_ends:%Y-%m-%d} 届满", fields={"submitted_at": ["超过异议期"]}
        )
    objection = Objection.objects.create(
        publication=publication,
        text=text[:5000],
        submitter_name=(submitter_name or "").strip()[:50],
        submitter_contact=(submitter_contact or "").strip()[:50],
        submitted_at=submitted_at,
    )
    publication.status = PublicationStatus.HELD
    publication.version += 1
    publication.save()
    audit_record("inspections.objection_record", obj=objection, actor=actor, extra={"publication": publication.pk})
    return objection


@transaction.atomic
def objection_decide(*, actor, objection_id: int, decision: str, note: str = "", now=None) -> Objection:
    """Staff decide an objection. ``rejected`` (异议不成立 — the result stands): publication resumes and, if the window
    is over, is published now. ``upheld`` (异议成立): publication stays held until the inspector finalises a correction
    (which withdraws this publication and starts a new one)."""
    require_perm(actor, "inspections.change_publication")
    if decision not in (ObjectionDecision.UPHELD, ObjectionDecision.REJECTED):
        raise ValidationFailed("请选择处理结果", fields={"decision": ["请选择异议成立或不成立"]})
    note = (note or "").strip()
    if not note:
        raise ValidationFailed("请填写处理意见", fields={"decision_note": ["必填"]})
    try:
        publication_id = (
            Objection.objects.visible_to(actor).values_list("publication_id", flat=True).get(pk=objection_id)
        )
    except (Objection.DoesNotExist, ValueError, TypeError):
        raise OutOfScope() from None
    publication = _publication_locked(actor, publication_id)
    objection = Objection.objects.select_for_update().get(pk=objection_id)
    if objection.decided:
        raise InvalidTransition("该异议已处理")
    now = now or timezone.now()
    objection.decision = decision
    objection.decision_note = note[:2000]
    objection.decided_at = now
    objection.decided_by = actor
    objection.save()
    audit_record("inspections.objection_decide", obj=objection, actor=actor, extra={"decision": decision, "note": note})
    undecided = publication.objections.filter(decision=ObjectionDecision.PENDING).exists()
    upheld = publication.objections.filter(decision=ObjectionDecision.UPHELD).exists()
    if publication.can_transition_to(PublicationStatus.PENDING) and not undecided and not upheld:
        publication.status = PublicationStatus.PENDING
        publication.version += 1
        publication.save()
        if publication.objection_window_ends is None or timezone.localdate(now) > publication.objection_window_ends:
            _publish(publication, actor=actor, now=now)
    return objection
