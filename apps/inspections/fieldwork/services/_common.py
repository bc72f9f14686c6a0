"""Helpers shared by the fieldwork services: permission checks, settings, numbers, write access to a
task or result."""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied

from apps.common.exceptions import OutOfScope

from ...models import InspectionResult, InspectionTask, TaskInspector


# ---------------------------------------------------------------------------- configuration (settings override)
def _setting(name: str, default):
    return getattr(settings, name, default)


def _is_service(actor) -> bool:
    return bool(getattr(actor, "is_service_account", False))


def _new_number(prefix: str, day: dt.date) -> str:
    return f"{prefix}{day:%Y%m%d}-{uuid.uuid4().hex[:6].upper()}"


# ---------------------------------------------------------------------------- results: access
def _task_for_write(actor, task_id, *, lock: bool = True) -> InspectionTask:
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise PermissionDenied
    qs = InspectionTask.objects.visible_to(actor)
    if lock:
        qs = qs.select_for_update(of=("self",))
    try:
        task = qs.get(pk=task_id)
    except (InspectionTask.DoesNotExist, ValueError, TypeError):
        raise OutOfScope() from None
    if not actor.has_perm("inspections.add_inspectionresult"):
        raise PermissionDenied
    if not _is_service(actor) and not TaskInspector.objects.filter(task=task, inspector__user=actor).exists():
        raise PermissionDenied("只有被指派的检查人员可以填写检查结果")
    return task


def _result_for_write(actor, result_id) -> tuple[InspectionResult, InspectionTask]:
    """The result locked for update (its task checked for write access first)."""
    try:
        task_id = InspectionResult.objects.visible_to(actor).values_list("task_id", flat=True).get(pk=result_id)
    except (InspectionResult.DoesNotExist, ValueError, TypeError):
        raise OutOfScope() from None
    task = _task_for_write(actor, task_id)
    result = InspectionResult.objects.select_for_update(of=("self",)).get(pk=result_id)
    return result, task
