"""Writes of sampling/targeting: accept suggestions into plan lines, add a weights row, record a 风险会商 meeting with
its decisions (which add or change plan lines through apps.sampling.plans.services).

Each write: the permission, validation with Chinese messages naming the field, one transaction, row locks where two
people could race, and one audit event of its own (the plan-line services add theirs for each line they touch)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from apps.common.audit import audit_record, model_snapshot
from apps.common.exceptions import Conflict, DomainError, OutOfScope, ValidationFailed
from apps.common.permissions import require_perm
from apps.standards.models import SamplingCategory

from ..choices import LineOrigin, LineSource, PlanStatus
from ..models import ConsultationDecision, ConsultationMeeting, PlanLine, SamplingPlan, SuggestionWeights
from ..plans import services as plan_services
from .filters import YEAR_MAX, YEAR_MIN
from .ranking import REASON_CODES
from .selectors import suggestions_for_keys

ACCEPT_MAX = 100  # suggestions accepted at once
ACCEPT_BATCHES_MAX = 100
DECISIONS_MAX = 20
TITLE_MAX = 120
TEXT_MAX = 5000
NOTE_MAX = 200
WEIGHT_MAX = 100
HISTORY_YEARS = (1, 10)
DECISION_KINDS = {"none": "仅记录", "add": "新增计划明细", "change": "调整计划明细"}


def _int_in(value, low: int, high: int, field: str, label: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        message = f"{label}应为 {low}–{high} 的整数"
        raise ValidationFailed(message, fields={field: [message]})
    return value


def _text(value, field: str, label: str, *, max_length: int, required: bool = True) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else None
    if text is None:
        raise ValidationFailed(f"{label}应为文字", fields={field: ["应为文字"]})
    if required and not text:
        raise ValidationFailed(f"请填写{label}", fields={field: ["必填"]})
    if len(text) > max_length:
        raise ValidationFailed(f"{label}最多 {max_length} 个字", fields={field: [f"最多 {max_length} 个字"]})
    return text


# ---------------------------------------------------------------------------------------------- accept suggestions
@transaction.atomic
def suggestions_accept(*, actor, year, keys, plan_id, month, batches: int = 1) -> list[PlanLine]:
    """Create one targeted plan line per chosen suggestion in ``plan`` (of ``year``, 编制中 or 已下达): the
    suggestion's township, 大类 and enterprise, ``month`` and ``batches``, ``source=targeted``,
    ``origin=suggestion``, the reasons copied (as scored now, in the same function as the list)."""
    require_perm(actor, "sampling.add_planline")
    year = _int_in(year, YEAR_MIN, YEAR_MAX, "year", "年度")
    month = _int_in(month, 1, 12, "month", "月份")
    batches = _int_in(batches, 1, ACCEPT_BATCHES_MAX, "batches", "每条批次")
    if not isinstance(keys, list | tuple) or not all(isinstance(k, str) for k in keys):
        raise ValidationFailed("所选建议格式有误", fields={"keys": ["应为建议编号列表"]})
    keys = list(dict.fromkeys(k.strip() for k in keys if k.strip()))
    if not keys:
        raise ValidationFailed("请至少选择一条建议", fields={"keys": ["请至少选择一条建议"]})
    if len(keys) > ACCEPT_MAX:
        message = f"一次最多采纳 {ACCEPT_MAX} 条建议"
        raise ValidationFailed(message, fields={"keys": [message]})
    # one year's acceptances run one at a time: the duplicate check below sees the other's lines
    plans = {p.pk: p for p in SamplingPlan.objects.select_for_update().filter(year=year)}
    plan = plans.get(plan_id) if isinstance(plan_id, int) and not isinstance(plan_id, bool) else None
    if plan is None:
        raise ValidationFailed(f"请选择 {year} 年的抽检计划", fields={"plan": [f"不是 {year} 年的抽检计划"]})
    if plan.status == PlanStatus.CLOSED:
        raise Conflict("计划已结束，不能再增加明细", fields={"plan": ["计划已结束"]})
    ranking, bad = suggestions_for_keys(actor=actor, year=year, keys=keys)
    if bad:
        shown = "、".join(bad[:5]) + ("……" if len(bad) > 5 else "")
        raise ValidationFailed(
            f"以下建议不存在、不在您的管辖范围内或已列入本年度计划，请刷新后重新选择：{shown}",
            fields={"keys": [f"无效的建议：{key}" for key in bad]},
        )
    weights = ranking.weights
    basis = f"权重 {weights.effective_from:%Y-%m-%d} 起" if weights.effective_from else "默认权重"
    lines = [
        PlanLine(
            plan=plan,
            township_id=s.township_id,
            category_id=s.category_id,
            month=month,
            source=LineSource.TARGETED,
            batches=batches,
            enterprise_id=s.enterprise_id,
            origin=LineOrigin.SUGGESTION,
            origin_ref=f"suggestion:{s.key}"[:40],
            reasons=[r.as_dict() for r in s.reasons],
            note=f"靶向建议：总分 {s.total:g}（{basis}，数据截至 {ranking.data_until:%Y-%m-%d}）"[:NOTE_MAX],
        )
        for s in ranking
    ]
    PlanLine.objects.bulk_create(lines)
    audit_record(
        "sampling.suggestions_accept",
        obj=plan,
        actor=actor,
        changes={"lines": [line.pk for line in lines]},
        extra={
            "year": year,
            "month": month,
            "batches": batches,
            "suggestions": [{"key": s.key, "total": s.total} for s in ranking],
            "weights": weights.as_dict(),
            "data_until": ranking.data_until,
        },
    )
    return lines


# ---------------------------------------------------------------------------------------------- weights
@transaction.atomic
def weights_create(
    *,
    actor,
    effective_from,
    grade,
    unqualified,
    complaints,
    staleness,
    hazard,
    history_years=3,
    note: str = "",
) -> SuggestionWeights:
    """A new weights row in force from ``effective_from`` (today or later: past rankings keep the weights they had)."""
    require_perm(actor, "sampling.add_suggestionweights")
    if not isinstance(effective_from, dt.date) or isinstance(effective_from, dt.datetime):
        raise ValidationFailed("请填写生效日期", fields={"effective_from": ["请填写日期"]})
    today = timezone.localdate()
    if effective_from < today:
        message = "生效日期不能早于今天（过去的排名保留当时的权重）"
        raise ValidationFailed(message, fields={"effective_from": [message]})
    if effective_from.year > YEAR_MAX:
        raise ValidationFailed(f"生效日期应早于 {YEAR_MAX + 1} 年", fields={"effective_from": ["日期过晚"]})
    labels = {"grade": "风险等级权重", "unqualified": "既往不合格权重", "complaints": "投诉举报权重"}
    labels |= {"staleness": "距上次抽检时间权重", "hazard": "品类风险权重"}
    values = dict(grade=grade, unqualified=unqualified, complaints=complaints, staleness=staleness, hazard=hazard)
    for code in REASON_CODES:
        _int_in(values[code], 0, WEIGHT_MAX, code, labels[code])
    if sum(values.values()) == 0:
        raise ValidationFailed("权重不能全为 0", fields={code: ["权重不能全为 0"] for code in REASON_CODES})
    history_years = _int_in(history_years, *HISTORY_YEARS, "history_years", "回溯年数")
    note = _text(note, "note", "说明", max_length=NOTE_MAX, required=False)
    if SuggestionWeights.objects.select_for_update().filter(effective_from=effective_from).exists():
        message = f"{effective_from:%Y-%m-%d} 起生效的权重已存在，请换一个生效日期"
        raise Conflict(message, fields={"effective_from": [message]})
    row = SuggestionWeights.objects.create(
        effective_from=effective_from, history_years=history_years, note=note, **values
    )
    audit_record("sampling.suggestion_weights_create", obj=row, actor=actor, changes={"new": model_snapshot(row)})
    return row


# ---------------------------------------------------------------------------------------------- 风险会商
def _prefixed(exc: DomainError, index: int) -> DomainError:
    """The plan-line service's error, said of decision ``index`` (fields named as the formset names them)."""
    fields = {f"decisions-{index}-{name}": messages for name, messages in (exc.fields or {}).items()}
    clone = type(exc)(f"第 {index + 1} 项决定：{exc.message}", fields=fields or {f"decisions-{index}": [exc.message]})
    clone.code = exc.code
    return clone


MISSING = "不存在或不在管辖范围内"


def _pk(value) -> int | None:
    """A row id as a decision gives it (an int, or digits), else ``None``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return int(value.strip())
    return None


def _plan_id(value) -> int:
    """The decision's plan, checked to exist before the plans service is called (which answers a missing plan with a
    bare 404): the error is then on the row's plan field. The rest of the line is the plans service's to check."""
    pk = _pk(value)
    if pk is None or not SamplingPlan.objects.filter(pk=pk).exists():
        raise OutOfScope(f"抽检计划{MISSING}", fields={"plan": [MISSING]})
    return pk


def _line_change(actor, line_id, changes: dict, decision) -> tuple[PlanLine, dict]:
    """A decision changes a line through the plans service; returns the line and ``{field: [before, after]}``. The
    line must be one the actor sees (the error on the row's line field); the change is the plans service's to check."""
    pk = _pk(line_id)
    before = (
        PlanLine.objects.visible_to(actor).filter(pk=pk).values("batches", "month", "category_id").first()
        if pk is not None
        else None
    )
    if before is None:
        raise OutOfScope(f"计划明细{MISSING}", fields={"line": [MISSING]})
    line_id = pk
    line = plan_services.line_update(
        actor=actor, line_id=line_id, origin_ref=f"consultation-decision:{decision.pk}", **changes
    )
    after = {"batches": line.batches, "month": line.month, "category_id": line.category_id}
    diff = {
        ("category" if key == "category_id" else key): [before[key], after[key]]
        for key in after
        if before[key] != after[key]
    }
    if not diff:
        raise ValidationFailed("调整后的内容与原明细相同", fields={"line": ["没有变化"]})
    return line, diff


@transaction.atomic
def meeting_create(*, actor, held_on, title, participants, summary, decisions) -> ConsultationMeeting:
    """Record a meeting and its decisions; a decision of kind ``add`` creates a plan line (origin 风险会商决定), one of
    kind ``change`` changes a line's batches / month / category. All or nothing."""
    require_perm(actor, "sampling.add_consultationmeeting")
    if not isinstance(held_on, dt.date) or isinstance(held_on, dt.datetime):
        raise ValidationFailed("请填写会商日期", fields={"held_on": ["请填写日期"]})
    if held_on > timezone.localdate():
        raise ValidationFailed("会商日期不能晚于今天", fields={"held_on": ["不能晚于今天"]})
    if held_on.year < YEAR_MIN:
        raise ValidationFailed(f"会商日期应不早于 {YEAR_MIN} 年", fields={"held_on": ["日期过早"]})
    title = _text(title, "title", "会商主题", max_length=TITLE_MAX)
    participants = _text(participants, "participants", "参会单位与人员", max_length=TEXT_MAX)
    summary = _text(summary, "summary", "会商纪要", max_length=TEXT_MAX)
    decisions = list(decisions or [])
    if len(decisions) > DECISIONS_MAX:
        message = f"一次会商最多记录 {DECISIONS_MAX} 项决定"
        raise ValidationFailed(message, fields={"decisions": [message]})
    meeting = ConsultationMeeting.objects.create(
        held_on=held_on, title=title, participants=participants, summary=summary, created_by=actor
    )
    recorded = []
    for index, item in enumerate(decisions):
        kind = item.get("kind") or "none"
        if kind not in DECISION_KINDS:
            raise ValidationFailed(f"第 {index + 1} 项决定：类型无效", fields={f"decisions-{index}-kind": ["类型无效"]})
        try:
            text = _text(item.get("text"), "text", "决定事项", max_length=TEXT_MAX)
        except DomainError as exc:
            raise _prefixed(exc, index) from None
        decision = ConsultationDecision.objects.create(meeting=meeting, text=text)
        try:
            if kind == "add":
                line = plan_services.line_create(
                    actor=actor,
                    plan_id=_plan_id(item.get("plan_id")),
                    origin=LineOrigin.CONSULTATION,
                    origin_ref=f"consultation-decision:{decision.pk}",
                    township=item.get("township_id"),
                    category=item.get("category_id"),
                    month=item.get("month"),
                    batches=item.get("batches"),
                    source=item.get("source") or LineSource.TARGETED,
                    enterprise=item.get("enterprise_id"),
                    note=f"风险会商 {held_on:%Y-%m-%d}：{title}"[:NOTE_MAX],
                )
                decision.plan_line = line
                decision.change = {"created": {"batches": line.batches, "month": line.month}}
            elif kind == "change":
                changes = {k: item.get(k) for k in ("batches", "month") if item.get(k) is not None}
                if item.get("category_id") is not None:
                    changes["category"] = item["category_id"]
                if not changes:
                    raise ValidationFailed(
                        "请填写要调整的批次、月份或抽检分类", fields={"line": ["请填写要调整的内容"]}
                    )
                line, diff = _line_change(actor, item.get("line_id"), changes, decision)
                if "category" in diff:  # the decision says it in words (the audit event of the line keeps the ids)
                    names = dict(SamplingCategory.objects.filter(pk__in=diff["category"]).values_list("pk", "name"))
                    diff = {**diff, "category": [names.get(pk, pk) for pk in diff["category"]]}
                decision.plan_line = line
                decision.change = diff
        except DomainError as exc:
            raise _prefixed(exc, index) from None
        decision.save(update_fields=["plan_line", "change"])
        recorded.append(
            {"id": decision.pk, "kind": kind, "plan_line": decision.plan_line_id, "change": decision.change}
        )
    audit_record(
        "sampling.consultation_create",
        obj=meeting,
        actor=actor,
        changes={"new": model_snapshot(meeting)},
        extra={"decisions": recorded},
    )
    return meeting
