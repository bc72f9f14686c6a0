"""Writes of quick tests (快检, DOMAIN.md §3.4): the qualitative result per item (阴性 / 阳性) of a sample recorded
as a quick test, and the moment the result was given (``quick_test_result_at``), which starts the 4-hour objection
window for 食用农产品 (FSL Art 88 ¶2; ``SamplingDeadlines.quick_test_objection_hours``).

A quick test is never a lab result: the sample's ``conclusion`` / ``concluded_at`` stay empty, it is never published
as a finding and never counts as a lab batch. A positive result is followed by formal sampling and lab testing (the
page links to a new task pre-filled from the sample). The result items are ``ResultItem`` rows of the sample
(``value_text`` 阴性 / 阳性; the quick-test unit is the sampling organisation that tested on site)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from apps.common.audit import audit_record
from apps.common.exceptions import InvalidTransition, OutOfScope, ValidationFailed
from apps.common.permissions import require_perm
from apps.common.text import clean_text

from ...choices import EntryChannel, Verdict
from ...models import ResultItem, Sample
from ..selectors import QUICK_TEST_NEGATIVE, QUICK_TEST_POSITIVE, quick_test_items

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
