"""All writes of food-safety incidents (食品安全事件).

``incident_create`` is the entry point other subpackages call (``apps.incidents.opinion`` opens an incident from a
舆情 event with ``source_ref="opinion-event:<id>"``); its keyword signature is stable."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import transaction
from django.utils import timezone

from apps.common.audit import audit_record
from apps.common.exceptions import ValidationFailed
from apps.common.permissions import require_perm

from ..models.emergencies import Incident


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
) -> Incident:
    """Record an incident the city has learned of; ``learned_at`` starts the first-report clock."""
    require_perm(actor, "incidents.add_incident")
    errors: dict[str, list[str]] = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = ["请填写事件名称"]
    for field, value in (("affected_count", affected_count), ("dead_count", dead_count)):
        if not isinstance(value, int) or value < 0:
            errors[field] = ["人数不能小于 0"]
    if occurred_at and learned_at and learned_at < occurred_at:
        errors["learned_at"] = ["获知时间不能早于发生时间"]
    if learned_at and learned_at > timezone.now() + dt.timedelta(minutes=5):
        errors["learned_at"] = ["获知时间不能晚于现在"]
    if errors:
        raise ValidationFailed("；".join(m for ms in errors.values() for m in ms), fields=errors)
    with transaction.atomic():
        incident = Incident.objects.create(
            number=f"TMP-{uuid.uuid4().hex[:16]}",
            title=title,
            township=township,
            occurred_at=occurred_at,
            learned_at=learned_at,
            affected_count=affected_count,
            dead_count=dead_count,
            created_by=actor,
        )
        incident.number = f"SJ{timezone.localtime(learned_at):%Y}{incident.pk:06d}"
        incident.save(update_fields=["number", "updated_at"])
        audit_record("incidents.incident_create", obj=incident, actor=actor, extra={"source_ref": source_ref})
    return incident
