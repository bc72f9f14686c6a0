"""What risk does when other apps announce something (subscribed in RiskConfig.ready; apps.common.hooks).

* ``inspections.result_finalised`` → the dynamic score follows the inspection (check items mapped to the scheme's
  dynamic items by ``fixtures/risk_check_item_mapping.json``, data of this app) and the coverage state is refreshed.
* ``enterprises.changed`` (bulk writes) and saves of an enterprise or a licence → the coverage state is refreshed.
* ``sampling.sample_unqualified`` → a ``failed_sample`` risk event (国家或省级监督抽检不合格), which the grading
  scheme's adjustment rules count at the next grade; ``sampling.sample_unqualified_voided`` (a 复检 overturned the
  conclusion) → that event is voided. Both keyed by ``source_ref="sampling-sample:<id>"``, so a repeat is a no-op.
"""

from __future__ import annotations

import functools
import json
import logging
from collections import defaultdict

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import transaction

from apps.common.exceptions import DomainError

log = logging.getLogger(__name__)

MAPPING_FILE = settings.BASE_DIR / "fixtures" / "risk_check_item_mapping.json"


@functools.cache
def risk_item_of_check_item() -> dict[str, str]:
    """{check item code (apps/standards): dynamic item code (risk schemes)}."""
    with open(MAPPING_FILE, encoding="utf-8") as fh:
        return dict(json.load(fh)["mapping"])


def risk_after_inspection(*, result_id, enterprise_id, inspected_on, outcomes, actor, **_ignored) -> str:
    """The enterprise's dynamic risk score follows its latest inspection, and its coverage state counts the new
    inspection. Never blocks finalising: returns a note."""
    from . import coverage

    note, refreshed = _assess_after_inspection(result_id, enterprise_id, inspected_on, outcomes, actor)
    if not refreshed:
        coverage.coverage_refresh([enterprise_id])
    return note


def _assess_after_inspection(result_id, enterprise_id, inspected_on, outcomes, actor) -> tuple[str, bool]:
    """(note, whether the coverage state was already refreshed — a new current grade refreshes it)."""
    from apps.enterprises.models import Enterprise

    from . import engine
    from .services import assessment_from_inspection, item_scores_from_outcomes, scheme_in_force

    mapping = risk_item_of_check_item()
    by_item: dict[str, list[str]] = defaultdict(list)
    for check_code, verdicts in (outcomes or {}).items():
        if mapping.get(check_code):
            by_item[mapping[check_code]].extend(verdicts)
    if not by_item:
        return "skipped: no mapped items", False
    try:
        with transaction.atomic():
            sector = Enterprise.objects.select_related("business_type").get(pk=enterprise_id).business_type.sector
            scheme = scheme_in_force(sector=sector, on=inspected_on)
            if scheme is None:
                return f"skipped: no scheme for {sector} on {inspected_on}", False
            scores = item_scores_from_outcomes(rules=engine.rules_load(scheme), sector=sector, outcomes=by_item)
            if not scores:
                return "skipped: no scheme items", False
            assessment = assessment_from_inspection(
                enterprise_id=enterprise_id,
                item_scores=scores,
                inspected_on=inspected_on,
                source_ref=f"inspection-result:{result_id}",
                actor=actor,
            )
    except (DomainError, PermissionDenied, ObjectDoesNotExist) as exc:
        log.warning("risk assessment after inspection result %s skipped: %s", result_id, exc)
        return f"skipped: {exc}", False
    return f"assessment {assessment.pk} grade {assessment.grade}", bool(assessment.is_current)


def _sample_ref(sample_id) -> str:
    return f"sampling-sample:{int(sample_id)}"


def risk_after_failed_sample(
    *, sample_id, sample_number, sample_name, enterprise_id, concluded_on, items, actor, **_ignored
) -> str:
    """A supervisory sample concluded unqualified: record the risk event the grade counts (as the system: the lab
    that reported it holds no risk permission). Never blocks the lab's submission: returns a note."""
    from .choices import EventType
    from .models import RiskEvent
    from .services import risk_event_record

    ref = _sample_ref(sample_id)
    existing = RiskEvent.objects.filter(source_ref=ref, is_void=False).first()
    if existing is not None:
        return f"event {existing.pk} exists"
    names = "、".join(f"{i['name']}（{i['value_text']}{i.get('unit') or ''}）" for i in items or [])
    description = f"监督抽检不合格：{sample_number} {sample_name}" + (f"，不合格项目：{names}" if names else "")
    try:
        with transaction.atomic():
            event = risk_event_record(
                enterprise_id=enterprise_id,
                event_type=EventType.FAILED_SAMPLE,
                occurred_on=concluded_on,
                description=description[:500],
                actor=None,
                source_ref=ref,
            )
    except (DomainError, PermissionDenied, ObjectDoesNotExist) as exc:
        log.warning("risk event for sample %s skipped: %s", sample_id, exc)
        return f"skipped: {exc}"
    return f"event {event.pk}"


def risk_after_sample_requalified(*, sample_id, sample_number, reason, actor, **_ignored) -> str:
    """The 复检 overturned the unqualified conclusion: void its risk event (events are never deleted)."""
    from .models import RiskEvent
    from .services import risk_event_void

    voided = []
    for event_id in RiskEvent.objects.filter(source_ref=_sample_ref(sample_id), is_void=False).values_list(
        "pk", flat=True
    ):
        risk_event_void(event_id=event_id, reason=f"{sample_number}：{reason}"[:200], actor=None)
        voided.append(event_id)
    return f"voided {voided}" if voided else "no event"


BULK_REFRESH_INLINE = 500  # up to this many in the caller's transaction; more: a job after its commit


def coverage_after_bulk_change(*, enterprise_ids, **_ignored):
    """A bulk write (an import): refresh the coverage state of the rows it touched — inline for a few, as a
    ``risk.coverage_refresh`` job (published when the import commits) for many, so a 30,000-row import does not
    hold its transaction open for the refresh."""
    ids = sorted({int(i) for i in enterprise_ids})
    if len(ids) <= BULK_REFRESH_INLINE:
        from . import coverage

        return coverage.coverage_refresh(ids)
    from apps.common.jobs import job_create

    job = job_create(kind="risk.coverage_refresh", payload={"enterprise_ids": ids}, title="导入后刷新检查覆盖欠账")
    return {"job": str(job.pk), "enterprises": len(ids)}


def _enterprise_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        from . import coverage

        coverage.coverage_refresh([instance.pk])


def _licence_changed(sender, instance, raw=False, **kwargs):
    if not raw and instance.enterprise_id:
        from . import coverage

        coverage.coverage_refresh([instance.enterprise_id])


def connect() -> None:
    from django.db.models.signals import post_delete, post_save

    from apps.common import hooks
    from apps.enterprises.models import Enterprise, Licence

    hooks.subscribe("inspections.result_finalised", "risk", risk_after_inspection)
    hooks.subscribe("enterprises.changed", "risk_coverage", coverage_after_bulk_change)
    hooks.subscribe("sampling.sample_unqualified", "risk", risk_after_failed_sample)
    hooks.subscribe("sampling.sample_unqualified_voided", "risk", risk_after_sample_requalified)
    post_save.connect(_enterprise_saved, sender=Enterprise, dispatch_uid="risk.coverage.enterprise")
    post_save.connect(_licence_changed, sender=Licence, dispatch_uid="risk.coverage.licence_save")
    post_delete.connect(_licence_changed, sender=Licence, dispatch_uid="risk.coverage.licence_delete")
