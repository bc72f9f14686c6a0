"""Writes of quick tests (快检, DOMAIN.md §3.4): the qualitative result per item (阴性 / 阳性) of a sample recorded
as a quick test, and the moment the result was given (``quick_test_result_at``), which starts the 4-hour objection
window for 食用农产品 (FSL Art 88 ¶2; ``SamplingDeadlines.quick_test_objection_hours``).

A quick test is never a lab result: the sample's ``conclusion`` / ``concluded_at`` stay empty, it is never published
as a finding and never counts as a lab batch. A positive result is followed by formal sampling and lab testing (the
page links to a new task pre-filled from the sample). The result items are ``ResultItem`` rows of the sample
(``value_text`` 阴性 / 阳性; the quick-test unit is the sampling organisation that tested on site).

The enterprise's objection (异议) to a quick test of 食用农产品 is recorded within the window by township staff or the
sampler on its behalf (``objection_record``; after the window: refused, naming the deadline); city staff decide it
(``objection_decide``: 复检 / 维持 / 撤销). While pending, the quick test is shown as "异议处理中" wherever it is
published (the public vote page), never as a final reading; a revoked one is shown as 已撤销."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from apps.common.audit import audit_record
from apps.common.exceptions import Conflict, InvalidTransition, OutOfScope, ValidationFailed
from apps.common.permissions import require_perm
from apps.common.text import clean_text

from ...choices import EntryChannel, ObjectionOutcome, Verdict
from ...models import QuickTestObjection, ResultItem, Sample
from ..selectors import QUICK_TEST_NEGATIVE, QUICK_TEST_POSITIVE, quick_test_clock, quick_test_items

NEGATIVE, POSITIVE = "negative", "positive"
READINGS = {NEGATIVE: (QUICK_TEST_NEGATIVE, Verdict.QUALIFIED), POSITIVE: (QUICK_TEST_POSITIVE, Verdict.UNQUALIFIED)}
FUTURE_TOLERANCE = dt.timedelta(minutes=5)


@transaction.atomic
def quick_test_record(
    *, actor, sample_id, readings: dict, result_at: dt.datetime | None = None, method_basis: str = "", now=None
) -> Sample:
    """Record a quick test's results: ``readings`` maps test item ids to ``negative`` / ``positive`` (items left
    out were not tested). Once recorded the result is fixed (the objection window runs from it)."""
    require_perm(actor, "sampling.add_sample")
    try:
        sample = Sample.objects.visible_to(actor).select_for_update(of=("self",)).get(pk=sample_id)
    except (Sample.DoesNotExist, ValueError, TypeError):
        raise OutOfScope() from None
    if not sample.is_quick_test:
        raise InvalidTransition("该样品不是快检样品，检验结果由检验机构录入")
    if sample.quick_test_result_at is not None:
        raise InvalidTransition("快检结果已录入，不能修改（异议期自结果告知时起算）")
    now = now or timezone.now()
    result_at = result_at or now
    if result_at > now + FUTURE_TOLERANCE:
        raise ValidationFailed("结果告知时间不能晚于现在", fields={"result_at": ["不能晚于现在"]})
    if timezone.localdate(result_at) < sample.sampled_on:
        raise ValidationFailed("结果告知时间不能早于抽样日期", fields={"result_at": ["不能早于抽样日期"]})
    try:
        method = clean_text(method_basis or "", multiline=False) or ""
    except ValidationError as exc:
        raise ValidationFailed(f"检测方法：{exc.messages[0]}", fields={"method_basis": exc.messages}) from None
    if len(method) > 200:
        raise ValidationFailed("检测方法最多 200 个字", fields={"method_basis": ["最多 200 个字"]})
    allowed = {item.pk: item for item in quick_test_items(sample)}
    chosen = []
    for raw_id, reading in (readings or {}).items():
        try:
            item_id = int(raw_id)
        except (TypeError, ValueError):
            raise ValidationFailed("快检项目无效", fields={"readings": ["快检项目无效"]}) from None
        if item_id not in allowed:
            raise ValidationFailed(
                "该项目不适用于此样品的食品分类", fields={f"item_{item_id}": ["该项目不适用于此样品"]}
            )
        if reading in ("", None):
            continue
        if reading not in READINGS:
            raise ValidationFailed(
                f"{allowed[item_id].name}：结果只能是阴性或阳性", fields={f"item_{item_id}": ["请选择阴性或阳性"]}
            )
        chosen.append((allowed[item_id], reading))
    if not chosen:
        raise ValidationFailed("请至少填写一个快检项目的结果", fields={"readings": ["请至少填写一个项目"]})
    for item, reading in chosen:
        text, verdict = READINGS[reading]
        ResultItem.objects.create(
            sample=sample,
            test_item=item,
            lab=sample.sampling_org,
            value_text=text,
            verdict=verdict,
            method_basis=method,
            explanation="快检（初筛）结果，不作为检验结论" + ("；须转实验室检验" if reading == POSITIVE else ""),
            channel=EntryChannel.PAGE,
            entered_by=actor,
        )
    sample.quick_test_result_at = result_at
    sample.save(update_fields=["quick_test_result_at", "updated_at"])
    audit_record(
        "sampling.quick_test_record",
        obj=sample,
        actor=actor,
        extra={
            "result_at": result_at.isoformat(),
            "readings": {item.code: READINGS[reading][0] for item, reading in chosen},
            "positive": any(reading == POSITIVE for _item, reading in chosen),
        },
    )
    return sample


def _text(value, *, field: str, label: str, max_length: int, required: bool, multiline: bool) -> str:
    try:
        text = (clean_text(value or "", multiline=multiline) or "").strip()
    except ValidationError as exc:
        raise ValidationFailed(f"{label}：{exc.messages[0]}", fields={field: exc.messages}) from None
    if required and not text:
        raise ValidationFailed(f"请填写{label}", fields={field: [f"请填写{label}"]})
    if len(text) > max_length:
        raise ValidationFailed(f"{label}最多 {max_length} 个字", fields={field: [f"最多 {max_length} 个字"]})
    return text


def _quick_sample_for_write(actor, sample_id) -> Sample:
    try:
        return Sample.objects.visible_to(actor).select_for_update(of=("self",)).get(pk=sample_id, is_quick_test=True)
    except (Sample.DoesNotExist, ValueError, TypeError):
        raise OutOfScope() from None


@transaction.atomic
def objection_record(*, actor, sample_id, objector: str, reason: str, now=None) -> QuickTestObjection:
    """Record the enterprise's objection, on its behalf, while the window is open (``quick_test_clock``: from the
    result to result + ``quick_test_objection_hours``, end excluded). One objection per quick test."""
    require_perm(actor, "sampling.add_quicktestobjection")
    sample = _quick_sample_for_write(actor, sample_id)
    now = now or timezone.now()
    if sample.quick_test_result_at is None:
        raise InvalidTransition("快检结果尚未录入，不能提出异议")
    clock = quick_test_clock(sample, now=now)
    if not clock.applies:
        raise InvalidTransition("只有食用农产品的快检设异议期；其他快检结果阳性的，转实验室检验")
    if not clock.open:
        raise InvalidTransition(
            f"异议期（{clock.hours} 小时）已于 {timezone.localtime(clock.ends_at):%Y-%m-%d %H:%M} 届满，不能再录入异议",
            code="objection_window_closed",
        )
    if QuickTestObjection.objects.filter(sample=sample).exists():
        raise Conflict("该快检已有异议记录", code="objection_exists")
    objector = _text(objector, field="objector", label="异议人", max_length=100, required=True, multiline=False)
    reason = _text(reason, field="reason", label="异议理由", max_length=1000, required=True, multiline=True)
    objection = QuickTestObjection.objects.create(
        sample=sample, objector=objector, reason=reason, raised_at=now, recorded_by=actor
    )
    audit_record(
        "sampling.quick_test_objection",
        obj=objection,
        actor=actor,
        extra={
            "sample": sample.pk,
            "number": sample.number,
            "objector": objector,
            "window_ends": clock.ends_at.isoformat(),
        },
    )
    return objection


@transaction.atomic
def objection_decide(*, actor, sample_id, outcome: str, note: str = "", now=None) -> QuickTestObjection:
    """City staff decide a pending objection: 复检 (a lab re-test follows), 维持 or 撤销 the quick-test result."""
    require_perm(actor, "sampling.decide_quicktestobjection")
    sample = _quick_sample_for_write(actor, sample_id)
    try:
        objection = QuickTestObjection.objects.select_for_update().get(sample=sample)
    except QuickTestObjection.DoesNotExist:
        raise InvalidTransition("该快检没有异议记录") from None
    if not objection.is_pending:
        raise InvalidTransition(f"该异议已处理（{objection.get_outcome_display()}），不能再改")
    if outcome not in ObjectionOutcome.values or outcome == ObjectionOutcome.PENDING:
        raise ValidationFailed("请选择处理结果：复检、维持或撤销", fields={"outcome": ["请选择处理结果"]})
    note = _text(note, field="note", label="处理意见", max_length=1000, required=True, multiline=True)
    objection.outcome = outcome
    objection.decision_note = note
    objection.decided_at = now or timezone.now()
    objection.decided_by = actor
    objection.save(update_fields=["outcome", "decision_note", "decided_at", "decided_by"])
    Sample.objects.filter(pk=sample.pk).update(updated_at=objection.decided_at)  # change feeds see the decision
    audit_record(
        "sampling.quick_test_objection_decide",
        obj=objection,
        actor=actor,
        extra={"sample": sample.pk, "number": sample.number, "outcome": outcome, "note": note},
    )
    return objection
