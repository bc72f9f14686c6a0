"""Writes of publication (一公开, DOMAIN.md §3.2 "Publication"): supervisory and evaluative results and disposal
outcomes appear on the public portal within ``SamplingDeadlines.publish_workdays`` working days of the conclusion.

* ``publication_due_set`` — the clock: ``Sample.publish_due`` at conclusion (subscribed to the hook
  ``sampling.sample_concluded`` that the lab emits; the beat sets any clock the hook missed).
* ``sample_publish`` (staff, after a preview), ``samples_publish_many`` (批量公开) and ``samples_publish_due`` (beat:
  each unpublished result on its due day, unless held; and closed disposals' outcomes).
* Risk-monitoring results (风险监测) and quick tests are never published: every path refuses them, in Chinese, and
  the portal's query excludes them too (``selectors._public_sample_base``).
* ``published_export`` — the credit-file (信用档案) workbook of published results.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from apps.common.audit import audit_record
from apps.common.exceptions import DomainError, InvalidTransition, OutOfScope, ValidationFailed
from apps.common.permissions import require_perm
from apps.common.workdays import WorkdayCalendar

from ...choices import DisposalStatus
from ...models import Disposal, Sample
from ..filters import PUBLISHED
from ..selectors import (
    DeadlinesBook,
    _disposal_of,
    outcomes_due,
    publication_hold,
    publication_list,
    publication_refusal,
    publications_due,
    publish_due_for,
    publish_due_missing,
)

BULK_PUBLISH_MAX = 500


# ---------------------------------------------------------------------------- the clock
def publication_due_set(*, sample_id: int, actor=None, calendar: WorkdayCalendar | None = None, book=None) -> dict:
    """Set ``publish_due`` of a concluded sample (the subscriber of ``sampling.sample_concluded``; runs in the
    lab's transaction, whose audit event carries the returned note). A result that is never published gets none."""
    sample = Sample.objects.select_for_update(of=("self",)).filter(pk=sample_id).first()
    if sample is None:
        return {"publish_due": None, "reason": "样品不存在"}
    refusal = publication_refusal(sample)
    if refusal:
        if sample.publish_due is not None and sample.published_at is None:
            sample.publish_due = None
            sample.save(update_fields=["publish_due", "updated_at"])
        return {"publish_due": None, "reason": refusal}
    if sample.published_at is None:
        sample.publish_due = publish_due_for(sample.concluded_at, calendar=calendar, book=book)
        sample.save(update_fields=["publish_due", "updated_at"])
    return {"publish_due": sample.publish_due.isoformat() if sample.publish_due else None}


def on_sample_concluded(*, sample_id, actor=None, **_payload) -> dict:
    """Hook subscriber (``apps.common.hooks``: ``sampling.sample_concluded``)."""
    return publication_due_set(sample_id=sample_id, actor=actor)


# ---------------------------------------------------------------------------- publishing
def _locked(actor, sample_id) -> Sample:
    require_perm(actor, "sampling.publish_sample")
    try:
        return (
            Sample.objects.visible_to(actor)
            .select_for_update(of=("self",))
            .select_related("disposal")
            .get(pk=sample_id)
        )
    except (Sample.DoesNotExist, ValueError, TypeError):
        raise OutOfScope() from None


def _publish(sample: Sample, *, actor, now, by: str) -> Sample:
    disposal = _disposal_of(sample)
    result_published = outcome_published = False
    if sample.published_at is None:
        sample.published_at = now
        sample.save(update_fields=["published_at", "updated_at"])
        result_published = True
    if disposal is not None and disposal.status == DisposalStatus.CLOSED and disposal.published_at is None:
        Disposal.objects.filter(pk=disposal.pk).update(published_at=now, updated_at=now)
        disposal.published_at = now
        outcome_published = True
    audit_record(
        "sampling.sample_publish",
        obj=sample,
        actor=actor,
        extra={
            "result": result_published,
            "disposal_outcome": outcome_published,
            "publish_due": sample.publish_due.isoformat() if sample.publish_due else None,
            "conclusion": sample.conclusion,
            "by": by,
        },
    )
    return sample


@transaction.atomic
def sample_publish(*, actor, sample_id, now=None) -> Sample:
    """Publish a result now (staff), with its disposal outcome if the disposal is closed; or, for a result already
    published, the outcome of its since-closed disposal. Refused for risk monitoring and quick tests, and while held
    (the enterprise has not received an unqualified result, its 复检 window is open, a 复检 is running)."""
    sample = _locked(actor, sample_id)
    refusal = publication_refusal(sample)
    if refusal:
        raise InvalidTransition(refusal, fields={"purpose": [refusal]})
    now = now or timezone.now()
    hold = publication_hold(sample, today=timezone.localdate(now))
    if hold:
        raise InvalidTransition(hold)
    return _publish(sample, actor=actor, now=now, by="staff")


@transaction.atomic
def samples_publish_many(*, actor, sample_ids, now=None) -> dict:
    """批量公开: each chosen result that may be published now — one audit event each, the same checks as one by
    one; those that cannot are listed with the reason, and one refusal never blocks the others."""
    require_perm(actor, "sampling.publish_sample")
    ids = []
    for raw in sample_ids or []:
        try:
            value = int(raw)
        except (TypeError, ValueError):
            raise ValidationFailed("记录编号无效", fields={"ids": ["编号无效"]}) from None
        if value > 0 and value not in ids:
            ids.append(value)
    if not ids:
        raise ValidationFailed("请选择要公开的记录", fields={"ids": ["请至少选择 1 条"]})
    if len(ids) > BULK_PUBLISH_MAX:
        raise ValidationFailed(f"一次最多公开 {BULK_PUBLISH_MAX} 条", fields={"ids": ["选择过多"]})
    now = now or timezone.now()
    published, refused = [], {}
    for pk in sorted(ids):
        try:
            with transaction.atomic():
                sample_publish(actor=actor, sample_id=pk, now=now)
        except OutOfScope:
            refused[pk] = "不存在或不在您的管辖范围内"
        except DomainError as exc:
            refused[pk] = exc.message
        else:
            published.append(pk)
    return {"published": published, "refused": refused}


def samples_publish_due(*, now=None) -> dict:
    """Celery beat (hourly): set any missing clock; publish each unpublished result whose deadline has come and
    that is not held; publish the outcome of every closed disposal of a published result. Each in its own
    transaction; a row another worker already handled is skipped."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    calendar, book = WorkdayCalendar(), DeadlinesBook()
    clocks = []
    for pk in list(publish_due_missing().values_list("pk", flat=True)[:5000]):
        with transaction.atomic():
            note = publication_due_set(sample_id=pk, calendar=calendar, book=book)
            if note.get("publish_due"):
                sample = Sample.objects.get(pk=pk)
                audit_record("sampling.publish_due_set", obj=sample, actor=None, extra={**note, "by": "beat"})
                clocks.append(pk)
    published = []
    due_ids = set(publications_due(today=today).values_list("pk", flat=True))
    due_ids |= set(outcomes_due().values_list("pk", flat=True))
    for pk in sorted(due_ids):
        with transaction.atomic():
            sample = Sample.objects.select_for_update(of=("self",)).select_related("disposal").filter(pk=pk).first()
            if sample is None or publication_refusal(sample) or publication_hold(sample, today=today):
                continue
            _publish(sample, actor=None, now=now, by="beat")
            published.append(pk)
    return {"clocks_set": clocks, "published": published}


# ---------------------------------------------------------------------------- credit-file export
def published_export(*, actor, params) -> tuple[bytes, int]:
    """The credit-file workbook (信用档案) of the published results the actor sees with these filters — the staff
    list's selector and FilterSet with ``status=published`` forced. Audited with the filters and the row count."""
    from ..exports import published_workbook

    require_perm(actor, "sampling.export_sample")
    qs = publication_list(actor=actor, filters=params, status=PUBLISHED)
    filters = _filters_for_audit(params)
    content, count = published_workbook(qs, actor=actor, filters=filters)
    audit_record(
        "sampling.published_export",
        object_type="sampling.sample",
        actor=actor,
        extra={"filters": filters, "rows": count, "format": "xlsx", "layout": "credit-file-v1"},
    )
    return content, count


def _filters_for_audit(params) -> dict:
    out = {}
    for key in (params or {}).keys():
        if key in ("page", "page_size", "csrfmiddlewaretoken", "status"):
            continue
        values = params.getlist(key) if hasattr(params, "getlist") else [params[key]]
        values = [str(v)[:100] for v in values if str(v) != ""]
        if values:
            out[key] = values if len(values) > 1 else values[0]
    out["status"] = PUBLISHED
    return out
