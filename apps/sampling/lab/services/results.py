"""Receipt of a sample at its lab, and the results of a round (初检 or 复检), written by ONE path whatever the channel
(page, Excel import, lab API): ``results_submit``. Each item is judged by ``apps.standards.judging`` against the
limit in force on the sample's production date and stored with that limit and the basis texts the national
system records (判定依据, 检验依据, 允许限, 检出限); the round's conclusion follows (不合格 if any item is, 问题项 if
any item is, else 合格).

Rules (issue 10 point 7; DOMAIN.md §3):

- only a member of the round's lab (the sample's lab; in a 复检, the 复检 lab) submits: anyone else gets 403
  ``not_your_lab`` (a sample the actor cannot see at all is 404), nothing written;
- a test item that does not apply to the sample's category (``TestItem.categories`` of the category or an
  ancestor), an item without a limit in force on the production date, a unit that differs from the limit's, a
  value that is not a number / 未检出 / <x, a production date in the future → 400 naming the item and the field;
- all or nothing: one invalid item and nothing of the submission is written;
- results are final once reported: a second submission for a reported sample is a 409 ``results_final``. A
  correction is not an overwrite: the enterprise may apply for a 复检 (``disposals.disposal_recheck_request``), whose
  results are a new round (``is_recheck``) from another lab, and whose conclusion is final (FSL Art 88).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.utils import timezone

from apps.common import hooks
from apps.common.audit import audit_record
from apps.common.exceptions import Conflict, OutOfScope, ValidationFailed
from apps.common.permissions import require_perm
from apps.standards.choices import JudgementType
from apps.standards.judging import Judgement, JudgementError, judge, limit_in_force

from ...choices import DisposalStatus, EntryChannel, SampleStatus, SamplingPurpose, Verdict
from ...models import Disposal, ResultItem, Sample
from ..selectors import applicable_test_items
from . import disposals
from ._common import NotYourLab, actor_or_none, acts_city_wide, acts_for_lab

MAX_ITEMS = 200
MAX_MICRO_VALUES = 20
VALUE_MAX = Decimal("9999999999")  # ResultItem.value: 16 digits, 6 after the point
NOTE_MAX = 120
FIELD_NAMES = {
    "test_item": "检验项目",
    "value_text": "检验结果",
    "micro_values": "微生物各样品结果",
    "unit": "结果单位",
    "explanation": "说明",
}
DISPOSAL_PURPOSES = (SamplingPurpose.SUPERVISORY, SamplingPurpose.EVALUATIVE)


class ResultsInvalid(ValidationFailed):
    """400: the submission's problems, each ``(item index or None, key, Chinese message)``; nothing was written.

    ``fields`` names them for the API as ``items[<index>].<key>`` (keys: test_item, value_text, micro_values, unit,
    explanation); the page puts each beside its input, the Excel import on its row."""

    code = "results_invalid"

    def __init__(self, problems: list[tuple[int | None, str, str]]):
        self.problems = problems
        fields: dict[str, list[str]] = {}
        for index, key, message in problems:
            name = key if index is None else f"items[{index}].{key}"
            fields.setdefault(name, []).append(message)
        first = problems[0][2] if problems else "提交的检验结果有误"
        more = f"（共 {len(problems)} 处问题）" if len(problems) > 1 else ""
        super().__init__(f"{first}{more}，未写入任何结果", fields=fields)


@dataclass
class JudgedItem:
    index: int
    test_item: object
    limit: object
    judgement: Judgement
    value_text: str
    micro_values: list[str]
    unit: str
    note: str

    @property
    def verdict(self) -> str:
        return self.judgement.verdict

    @property
    def verdict_label(self) -> str:
        return Verdict(self.verdict).label

    @property
    def value(self) -> Decimal | None:
        reading = self.judgement.reading
        if reading is None or reading.value is None:
            return None
        return reading.value.quantize(Decimal("0.000001"))

    @property
    def display_value(self) -> str:
        if self.micro_values:
            return "、".join(self.micro_values)
        return self.value_text

    @property
    def explanation(self) -> str:
        text = self.judgement.explanation
        return f"{text}；{self.note}"[:200] if self.note else text[:200]


@dataclass
class CheckedRound:
    """A submission that passed every check (what the page previews before the lab confirms)."""

    sample: Sample
    lab: object
    recheck: bool
    items: list[JudgedItem] = field(default_factory=list)

    @property
    def conclusion(self) -> str:
        verdicts = {j.verdict for j in self.items}
        if Verdict.UNQUALIFIED in verdicts:
            return Verdict.UNQUALIFIED
        if Verdict.PROBLEM in verdicts:
            return Verdict.PROBLEM
        return Verdict.QUALIFIED

    @property
    def conclusion_label(self) -> str:
        return Verdict(self.conclusion).label

    @property
    def unqualified(self) -> list[JudgedItem]:
        return [j for j in self.items if j.verdict == Verdict.UNQUALIFIED]


# ---------------------------------------------------------------------------- receipt
def _received_on_checked(sample: Sample, received_on) -> dt.date:
    if not isinstance(received_on, dt.date) or isinstance(received_on, dt.datetime):
        raise ValidationFailed("请填写接收日期", fields={"received_on": ["请填写接收日期"]})
    if received_on > timezone.localdate():
        raise ValidationFailed("接收日期不能晚于今天", fields={"received_on": ["接收日期不能晚于今天"]})
    if received_on < sample.sampled_on:
        message = f"接收日期不能早于抽样日期（{sample.sampled_on:%Y-%m-%d}）"
        raise ValidationFailed(message, fields={"received_on": [message]})
    return received_on


def _lock(actor, sample_or_id) -> Sample:
    pk = getattr(sample_or_id, "pk", sample_or_id)
    try:
        return (
            Sample.objects.visible_to(actor)
            .select_for_update(of=("self",))
            .select_related("category", "lab", "enterprise")
            .get(pk=pk)
        )
    except (Sample.DoesNotExist, ValueError, TypeError):
        raise OutOfScope("未找到该样品，或该样品不在您的范围内") from None


def _mark_received(sample: Sample, received_on: dt.date) -> None:
    sample.status = SampleStatus.RECEIVED
    sample.received_on = received_on


@transaction.atomic
def sample_receive(*, actor, sample_id, received_on: dt.date) -> Sample:
    """The lab received the sample (已抽样 → 检验机构已接收). Members of the sample's lab, or city staff."""
    require_perm(actor, "sampling.change_sample")
    sample = _lock(actor, sample_id)
    if not (acts_for_lab(actor, sample.lab) or acts_city_wide(actor)):
        raise NotYourLab(f"该样品送“{sample.lab.name}”检验，只有该机构人员或市局人员可以登记接收")
    if not sample.can_transition_to(SampleStatus.RECEIVED):
        raise Conflict(f"该样品当前状态为“{sample.get_status_display()}”，不能再登记接收", code="already_received")
    _mark_received(sample, _received_on_checked(sample, received_on))
    sample.save(update_fields=["status", "received_on", "updated_at"])
    audit_record(
        "sampling.lab.receive",
        obj=sample,
        actor=actor,
        changes={"status": [SampleStatus.SAMPLED, SampleStatus.RECEIVED], "received_on": [None, received_on]},
    )
    return sample


# ---------------------------------------------------------------------------- checking a round
def _round_lab(actor, sample: Sample, recheck: bool):
    """The lab of this round, after checking the actor acts for it and the sample is ready for it."""
    if not recheck:
        if not acts_for_lab(actor, sample.lab):
            raise NotYourLab(f"该样品送“{sample.lab.name}”检验；您（或本接口客户端）不属于该机构，不能提交其检验结果")
        if sample.status == SampleStatus.REPORTED:
            raise Conflict(
                f"该样品已出具检验结论（报告 {sample.report_no}），检验结果提交后不能覆盖；"
                "如有异议，由被抽样单位申请复检，复检结果另行提交",
                code="results_final",
            )
        return sample.lab
    disposal = Disposal.objects.select_related("recheck_lab").filter(sample=sample).first()
    if disposal is None or disposal.status != DisposalStatus.RECHECKING or disposal.recheck_lab is None:
        raise Conflict("该样品没有进行中的复检，不能提交复检结果", code="no_recheck")
    if not acts_for_lab(actor, disposal.recheck_lab):
        raise NotYourLab(f"该样品的复检机构是“{disposal.recheck_lab.name}”；您不属于该机构，不能提交复检结果")
    return disposal.recheck_lab


def _text(value, *, limit: int) -> str:
    text = "" if value is None else str(value).strip()
    return text[: limit + 1]


def _resolve(raw, by_pk: dict, by_code: dict):
    ref = getattr(raw, "pk", raw)
    if isinstance(ref, bool):
        return None
    if isinstance(ref, int):
        return by_pk.get(ref)
    if isinstance(ref, str):
        text = ref.strip()
        return by_code.get(text) or (by_pk.get(int(text)) if text.isdigit() and len(text) < 10 else None)
    return None


def _judgement_key(field_name: str) -> str:
    if field_name == "结果单位":
        return "unit"
    if field_name == "检验结果":
        return "value_text"
    if field_name.startswith(("第 ", "微生物")):
        return "micro_values"
    return "test_item"  # the limit itself is incomplete (a data problem of the catalogue)


def _check(actor, sample: Sample, items, *, recheck: bool, applicable=None) -> CheckedRound:
    lab = _round_lab(actor, sample, recheck)
    if sample.production_date > timezone.localdate():
        message = f"样品的生产日期（{sample.production_date:%Y-%m-%d}）晚于今天，无法据此选择判定标准，请先更正抽样单"
        raise ValidationFailed(message, fields={"production_date": [message]}, code="production_date_future")
    items = list(items or [])
    if not items:
        raise ResultsInvalid([(None, "items", "请至少录入一个检验项目的结果")])
    if len(items) > MAX_ITEMS:
        raise ResultsInvalid([(None, "items", f"一次最多提交 {MAX_ITEMS} 个检验项目")])
    if applicable is None:
        applicable = applicable_test_items(sample)
    by_pk = {t.pk: t for t in applicable}
    by_code = {t.code: t for t in applicable}
    problems: list[tuple[int | None, str, str]] = []
    checked = CheckedRound(sample=sample, lab=lab, recheck=recheck)
    seen: set[int] = set()
    for index, raw in enumerate(items):
        raw = raw if isinstance(raw, dict) else {}
        item = _resolve(raw.get("test_item"), by_pk, by_code)
        if item is None:
            shown = getattr(raw.get("test_item"), "name", raw.get("test_item"))
            problems.append(
                (index, "test_item", f"检验项目“{shown}”不适用于该样品的食品分类“{sample.category.name}”（或不存在）")
            )
            continue
        if item.pk in seen:
            problems.append((index, "test_item", f"检验项目“{item.name}”重复提交"))
            continue
        seen.add(item.pk)
        limit = limit_in_force(item, sample.production_date)
        if limit is None:
            problems.append(
                (
                    index,
                    "test_item",
                    f"检验项目“{item.name}”在样品生产日期（{sample.production_date:%Y-%m-%d}）没有现行有效的限量标准，无法判定",
                )
            )
            continue
        value_text = _text(raw.get("value_text"), limit=60)
        unit = _text(raw.get("unit"), limit=20)
        note = _text(raw.get("explanation"), limit=NOTE_MAX)
        micro = raw.get("micro_values") or []
        if not isinstance(micro, list | tuple) or len(micro) > MAX_MICRO_VALUES:
            problems.append((index, "micro_values", f"{item.name}：微生物各样品结果最多 {MAX_MICRO_VALUES} 个"))
            continue
        micro = [_text(v, limit=60) for v in micro]
        too_long = [
            (key, n)
            for key, text, n in (("value_text", value_text, 60), ("unit", unit, 20), ("explanation", note, NOTE_MAX))
            if len(text) > n
        ] + [("micro_values", 60) for v in micro if len(v) > 60]
        if too_long:
            key, n = too_long[0]
            problems.append((index, key, f"{item.name}：{FIELD_NAMES[key]}不能超过 {n} 个字符"))
            continue
        micro_kind = limit.judgement_type == JudgementType.MICRO
        try:
            judgement = judge(
                limit,
                value_text=None if micro_kind else value_text,
                micro_values=micro if micro_kind else None,
                unit=unit,
            )
        except JudgementError as exc:
            problems.append((index, _judgement_key(exc.field), f"{item.name}：{exc.message}"))
            continue
        reading = judgement.reading
        if reading is not None and reading.value is not None and reading.value > VALUE_MAX:
            problems.append((index, "value_text", f"{item.name}：检验结果数值过大（{value_text}）"))
            continue
        checked.items.append(
            JudgedItem(
                index=index,
                test_item=item,
                limit=limit,
                judgement=judgement,
                value_text=(", ".join(micro) if micro_kind else value_text)[:60],
                micro_values=micro if micro_kind else [],
                unit=unit or limit.unit,
                note=note,
            )
        )
    if problems:
        raise ResultsInvalid(problems)
    return checked


def results_check(*, actor, sample, items, is_recheck: bool = False, applicable=None) -> CheckedRound:
    """Every check of ``results_submit`` and the judgements, writing nothing (the page's preview, the Excel dry run).
    ``applicable``: the sample's applicable test items when the caller already has them (the import, per category)."""
    require_perm(actor, "sampling.add_resultitem")
    pk = getattr(sample, "pk", sample)
    try:
        fresh = Sample.objects.visible_to(actor).select_related("category", "lab", "enterprise").get(pk=pk)
    except (Sample.DoesNotExist, ValueError, TypeError):
        raise OutOfScope("未找到该样品，或该样品不在您的范围内") from None
    return _check(actor, fresh, items, recheck=is_recheck, applicable=applicable)


# ---------------------------------------------------------------------------- writing a round
def _standard_text(standard) -> str:
    return "" if standard is None else f"{standard.code}《{standard.title}》"[:200]


def _fmt(value) -> str:
    return "" if value is None else format(value.normalize(), "f")


def _limit_texts(limit) -> dict:
    if limit.judgement_type == JudgementType.MICRO:
        plan = f"n={limit.micro_n},c={limit.micro_c},m={_fmt(limit.micro_m)}"
        if limit.micro_big_m is not None:
            plan += f",M={_fmt(limit.micro_big_m)}"
        return {"min_limit_text": "", "max_limit_text": plan[:30]}
    if limit.judgement_type == JudgementType.NOT_DETECTED:
        return {"min_limit_text": "", "max_limit_text": "不得检出"}
    return {"min_limit_text": _fmt(limit.min_limit), "max_limit_text": _fmt(limit.max_limit)}


def _result_row(checked: CheckedRound, judged: JudgedItem, *, channel: str, actor) -> ResultItem:
    limit = judged.limit
    judging = _standard_text(limit.judging_standard)
    if limit.clause:
        judging = f"{judging} {limit.clause}"[:200]
    detection = _fmt(limit.detection_limit)
    if detection and limit.detection_limit_unit:
        detection = f"{detection} {limit.detection_limit_unit}"
    return ResultItem(
        sample=checked.sample,
        test_item=judged.test_item,
        limit=limit,
        is_recheck=checked.recheck,
        lab=checked.lab,
        value=judged.value,
        value_text=judged.value_text,
        micro_values=judged.micro_values,
        unit=judged.unit,
        verdict=judged.verdict,
        judging_basis=judging,
        method_basis=_standard_text(limit.method_standard),
        limit_unit=limit.unit,
        detection_limit_text=detection[:30],
        explanation=judged.explanation,
        channel=channel,
        entered_by=actor_or_none(actor),
        **_limit_texts(limit),
    )


def _report_no(sample: Sample, report_no: str, *, recheck: bool) -> str:
    text = (report_no or "").strip()
    if len(text) > 40:
        raise ValidationFailed("检验报告编号不能超过 40 个字符", fields={"report_no": ["不能超过 40 个字符"]})
    return text or f"{sample.number}-{'FJ' if recheck else 'JY'}"


def _item_summary(judged: JudgedItem) -> dict:
    return {
        "code": judged.test_item.code,
        "name": judged.test_item.name,
        "value_text": judged.value_text,
        "unit": judged.unit,
        "verdict": judged.verdict,
    }


@transaction.atomic
def results_submit(
    actor,
    sample,
    items,
    *,
    channel: str,
    idempotency_key: str | None = None,
    is_recheck: bool = False,
    report_no: str = "",
    received_on: dt.date | None = None,
) -> Sample:
    """Judge and store one round of results of ``sample`` (see the module docstring); returns the sample.

    ``items``: dicts with ``test_item`` (a TestItem, its id or its code), ``value_text`` (a number, 未检出, <x) or, for
    a microbiological n/c/m/M item, ``micro_values`` (the n results), ``unit`` (empty: the limit's) and
    ``explanation`` (the lab's note). A sample still 已抽样 is received in the same transaction (``received_on``,
    default today). ``idempotency_key`` (the API's, already enforced by ``apps.common.api.idempotency``) is kept in
    the audit event."""
    require_perm(actor, "sampling.add_resultitem")
    if channel not in EntryChannel.values:
        raise ValidationFailed("录入方式无效", fields={"channel": ["无效"]})
    sample = _lock(actor, sample)
    checked = _check(actor, sample, items, recheck=is_recheck)
    report = _report_no(sample, report_no, recheck=is_recheck)
    before = {"status": sample.status, "conclusion": sample.conclusion}
    if not is_recheck and sample.status == SampleStatus.SAMPLED:
        _mark_received(sample, _received_on_checked(sample, received_on or timezone.localdate()))
    ResultItem.objects.bulk_create([_result_row(checked, j, channel=channel, actor=actor) for j in checked.items])
    extra = {
        "channel": channel,
        "report_no": report,
        "items": [_item_summary(j) for j in checked.items],
        "lab": checked.lab.pk,
    }
    if idempotency_key:
        extra["idempotency_key"] = idempotency_key[:200]
    if is_recheck:
        return _recheck_written(actor, sample, checked, report, before, extra)
    return _first_round_written(actor, sample, checked, report, before, extra)


def _first_round_written(actor, sample: Sample, checked: CheckedRound, report: str, before: dict, extra: dict):
    now = timezone.now()
    sample.status = SampleStatus.REPORTED
    sample.report_no = report
    sample.conclusion = checked.conclusion
    sample.concluded_at = now
    fields = ["status", "received_on", "report_no", "conclusion", "concluded_at", "updated_at"]
    sample.save(update_fields=fields)
    # The publication clock belongs to sampling.publicity (a higher subpackage), which subscribes.
    extra["publication"] = hooks.emit("sampling.sample_concluded", sample_id=sample.pk, actor=actor)
    unqualified = checked.conclusion == Verdict.UNQUALIFIED
    if unqualified and sample.purpose == SamplingPurpose.SUPERVISORY:
        extra["hooks"] = hooks.emit(
            "sampling.sample_unqualified",
            sample_id=sample.pk,
            sample_number=sample.number,
            sample_name=sample.name,
            enterprise_id=sample.enterprise_id,
            concluded_on=timezone.localdate(now),
            items=[_item_summary(j) for j in checked.unqualified],
            actor=actor,
        )
    audit_record(
        "sampling.lab.results_submit",
        obj=sample,
        actor=actor,
        changes={
            "status": [before["status"], sample.status],
            "conclusion": [before["conclusion"], sample.conclusion],
            "report_no": ["", report],
        },
        extra=extra,
    )
    if unqualified and sample.purpose in DISPOSAL_PURPOSES:
        disposals._disposal_open(actor=actor, sample=sample, unqualified=checked.unqualified)
    elif unqualified:  # risk monitoring: found a hazard, not an enforcement finding (DOMAIN.md §3.2)
        audit_record(
            "sampling.lab.risk_alert",
            obj=sample,
            actor=actor,
            extra={
                "note": "风险监测发现不合格项目：结果不作为执法依据、不启动核查处置，作为风险提示报送组织部门研判",
                "items": [_item_summary(j) for j in checked.unqualified],
            },
        )
    return sample


def _recheck_written(actor, sample: Sample, checked: CheckedRound, report: str, before: dict, extra: dict):
    audit_record(
        "sampling.lab.recheck_results",
        obj=sample,
        actor=actor,
        changes={"conclusion": [before["conclusion"], checked.conclusion]},
        extra={**extra, "recheck_conclusion": checked.conclusion},
    )
    try:
        disposal = Disposal.objects.select_for_update(of=("self",)).get(sample=sample)
    except ObjectDoesNotExist:  # pragma: no cover - _round_lab found it in this transaction
        raise Conflict("该样品没有进行中的复检") from None
    disposals._recheck_concluded(actor=actor, disposal=disposal, sample=sample, checked=checked, report_no=report)
    return sample
