"""Writes of rectification orders (责令整改): issued with a follow-up task when a result is finalised,
the business's report, verification by the follow-up inspection."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from apps.common.audit import audit_record
from apps.common.exceptions import InvalidTransition, OutOfScope, ValidationFailed
from apps.common.permissions import require_perm
from apps.common.workdays import add_working_days

from ...choices import InspectionOutcome, RectificationStatus, TaskKind, TaskSource
from ...models import InspectionTask, Rectification, TaskInspector
from ..selectors import failed_check_items
from ._common import _new_number, _setting


def rectification_working_days_default() -> int:
    return int(_setting("INSPECTION_RECTIFICATION_WORKING_DAYS", 10))


def follow_up_extra_working_days() -> int:
    """The follow-up inspection is due this many working days after the rectification deadline."""
    return int(_setting("INSPECTION_FOLLOW_UP_WORKING_DAYS", 5))


def _rectification_issue(result, task, *, actor, day, calendar) -> Rectification:
    days = result.rectification_working_days or rectification_working_days_default()
    deadline = add_working_days(day, days, calendar=calendar)
    follow_up = InspectionTask.objects.create(
        number=_new_number("FC", day),
        enterprise_id=task.enterprise_id,
        kind=TaskKind.FOLLOW_UP,
        source=TaskSource.MANUAL,
        origin_task=task,
        reason=f"整改复查（原任务 {task.number}）",
        due_date=add_working_days(deadline, follow_up_extra_working_days(), calendar=calendar),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    TaskInspector.objects.bulk_create(
        [
            TaskInspector(task=follow_up, inspector_id=ti.inspector_id, order=ti.order, role=ti.role)
            for ti in task.task_inspectors.all()
        ]
    )
    # the re-check looks again at what failed (不符合, else 基本符合), not at the whole checklist
    follow_up.check_items.set(failed_check_items(result) or task.check_items.all())
    rect = Rectification.objects.create(
        task=task,
        result=result,
        number=f"ZG{day:%Y}-{result.pk:06d}",
        requirements=result.rectification_requirements,
        deadline_working_days=days,
        deadline=deadline,
        follow_up_task=follow_up,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(
        "inspections.rectification_issue",
        obj=rect,
        actor=actor,
        extra={"deadline": deadline.isoformat(), "working_days": days, "follow_up_task": follow_up.number},
    )
    return rect


def _rectification_close(task, result, *, actor, now) -> int | None:
    rect = Rectification.objects.select_for_update().filter(follow_up_task=task).first()
    if rect is None:
        return None
    to_status = RectificationStatus.VERIFIED if result.outcome == InspectionOutcome.PASS else RectificationStatus.FAILED
    if not rect.can_transition_to(to_status):
        return None
    rect.status = to_status
    rect.verified_at = now
    rect.verified_by = actor if getattr(actor, "is_authenticated", False) else None
    rect.version += 1
    rect.save()
    audit_record("inspections.rectification_verify", obj=rect, actor=actor, extra={"status": rect.status})
    return rect.pk


# ---------------------------------------------------------------------------- rectification
@transaction.atomic
def rectification_submit(*, actor, rectification_id: int, note: str) -> Rectification:
    """Record that the business reported its rectification done (the follow-up inspection verifies it)."""
    require_perm(actor, "inspections.change_rectification")
    try:
        rect = Rectification.objects.visible_to(actor).select_for_update(of=("self",)).get(pk=rectification_id)
    except (Rectification.DoesNotExist, ValueError, TypeError):
        raise OutOfScope() from None
    if not rect.can_transition_to(RectificationStatus.SUBMITTED):
        raise InvalidTransition("只有整改中的通知可以登记整改情况")
    note = (note or "").strip()
    if not note:
        raise ValidationFailed("请填写整改情况说明", fields={"submission_note": ["必填"]})
    rect.status = RectificationStatus.SUBMITTED
    rect.submitted_at = timezone.now()
    rect.submission_note = note[:2000]
    rect.version += 1
    rect.save()
    audit_record("inspections.rectification_submit", obj=rect, actor=actor, extra={"note": rect.submission_note})
    return rect
