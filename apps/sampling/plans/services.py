"""Plan-line writes (minimal, written by sampling/targeting for 风险会商 decisions; the plans subpackage owns this module
and its fuller version replaces this one at merge).

``plan_line_create`` adds a line to an open plan (编制中 or 已下达); ``plan_line_update`` changes a line's batches,
month or category. Both check the permission, validate with Chinese messages naming the field, lock what they
change and record one audit event."""

from django.db import transaction

from apps.accounts.models import Township
from apps.common.audit import audit_record, model_snapshot
from apps.common.exceptions import Conflict, OutOfScope, ValidationFailed
from apps.common.permissions import require_perm
from apps.enterprises.models import Enterprise
from apps.standards.models import SamplingCategory

from ..choices import LineOrigin, LineSource, PlanStatus
from ..models import PlanLine, SamplingPlan

BATCHES_MAX = 100000
NOTE_MAX = 200
UPDATABLE = ("batches", "month", "category")


def _pk(value) -> int | None:
    """An id as given by a caller: a positive integer within the database's range, else None (then "not found")."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value < 2**63:
        return None
    return value


def _check_month(month) -> int:
    if not isinstance(month, int) or isinstance(month, bool) or not 1 <= month <= 12:
        raise ValidationFailed("月份应为 1–12", fields={"month": ["月份应为 1–12"]})
    return month


def _check_batches(batches) -> int:
    if not isinstance(batches, int) or isinstance(batches, bool) or not 1 <= batches <= BATCHES_MAX:
        message = f"批次应为 1–{BATCHES_MAX} 的整数"
        raise ValidationFailed(message, fields={"batches": [message]})
    return batches


def _category(category_id) -> SamplingCategory:
    category_id = _pk(category_id)
    category = SamplingCategory.objects.filter(pk=category_id, is_active=True).first() if category_id else None
    if category is None:
        raise ValidationFailed("请选择有效的抽检分类", fields={"category": ["抽检分类不存在或已停用"]})
    return category


def _open_plan(plan_id, *, lock: bool) -> SamplingPlan:
    qs = SamplingPlan.objects.select_for_update() if lock else SamplingPlan.objects.all()
    plan_id = _pk(plan_id)
    plan = qs.filter(pk=plan_id).first() if plan_id else None
    if plan is None:
        raise ValidationFailed("请选择抽检计划", fields={"plan": ["抽检计划不存在"]})
    if plan.status == PlanStatus.CLOSED:
        raise Conflict("计划已结束，不能再增加或调整明细", fields={"plan": ["计划已结束"]})
    return plan


@transaction.atomic
def plan_line_create(
    *,
    actor,
    plan_id,
    township_id,
    category_id,
    month,
    batches,
    source=LineSource.ROUTINE,
    enterprise_id=None,
    origin=LineOrigin.MANUAL,
    origin_ref: str = "",
    reasons=None,
    note: str = "",
) -> PlanLine:
    require_perm(actor, "sampling.add_planline")
    plan = _open_plan(plan_id, lock=True)
    township_id = _pk(township_id)
    township = Township.objects.filter(pk=township_id, is_active=True).first() if township_id else None
    if township is None:
        raise ValidationFailed("请选择镇街", fields={"township": ["镇街不存在"]})
    category = _category(category_id)
    if source not in LineSource.values:
        raise ValidationFailed("来源无效", fields={"source": ["来源无效"]})
    if origin not in LineOrigin.values:
        raise ValidationFailed("编制依据无效", fields={"origin": ["编制依据无效"]})
    enterprise = None
    if enterprise_id is not None:
        enterprise_id = _pk(enterprise_id)
        enterprise = Enterprise.objects.visible_to(actor).filter(pk=enterprise_id).first() if enterprise_id else None
        if enterprise is None:
            raise OutOfScope("指定对象不存在或不在您的管辖范围内", fields={"enterprise": ["不存在或不在管辖范围内"]})
        if enterprise.township_id != township.pk:
            raise ValidationFailed("指定对象不在该镇街", fields={"enterprise": ["指定对象不在所选镇街"]})
    if len(note or "") > NOTE_MAX:
        raise ValidationFailed(f"备注最多 {NOTE_MAX} 个字", fields={"note": [f"最多 {NOTE_MAX} 个字"]})
    line = PlanLine.objects.create(
        plan=plan,
        township=township,
        category=category,
        month=_check_month(month),
        batches=_check_batches(batches),
        source=source,
        enterprise=enterprise,
        origin=origin,
        origin_ref=(origin_ref or "")[:40],
        reasons=list(reasons or []),
        note=note or "",
    )
    audit_record("sampling.planline_create", obj=line, actor=actor, changes={"new": model_snapshot(line)})
    return line


@transaction.atomic
def plan_line_update(*, actor, line_id, changes: dict, note: str | None = None) -> tuple[PlanLine, dict]:
    """Change ``batches`` / ``month`` / ``category`` (ids for the category) of a visible line of an open plan.
    Returns the line and ``{field: [before, after]}`` of what changed (category as ids)."""
    require_perm(actor, "sampling.change_planline")
    unknown = sorted(set(changes) - set(UPDATABLE))
    if unknown:
        raise ValidationFailed("只能调整批次、月份和抽检分类", fields={name: ["不能调整"] for name in unknown})
    line_id = _pk(line_id)
    line = PlanLine.objects.visible_to(actor).select_for_update().filter(pk=line_id).first() if line_id else None
    if line is None:
        raise OutOfScope("计划明细不存在或不在您的管辖范围内", fields={"line": ["不存在或不在管辖范围内"]})
    _open_plan(line.plan_id, lock=True)
    diff = {}
    if "batches" in changes and changes["batches"] is not None:
        value = _check_batches(changes["batches"])
        if value != line.batches:
            diff["batches"] = [line.batches, value]
            line.batches = value
    if "month" in changes and changes["month"] is not None:
        value = _check_month(changes["month"])
        if value != line.month:
            diff["month"] = [line.month, value]
            line.month = value
    if "category" in changes and changes["category"] is not None:
        category = _category(changes["category"])
        if category.pk != line.category_id:
            diff["category"] = [line.category_id, category.pk]
            line.category = category
    if not diff:
        raise ValidationFailed("调整后的内容与原明细相同", fields={"line": ["没有变化"]})
    if note is not None:
        if len(note) > NOTE_MAX:
            raise ValidationFailed(f"备注最多 {NOTE_MAX} 个字", fields={"note": [f"最多 {NOTE_MAX} 个字"]})
        line.note = note
    line.save()
    audit_record("sampling.planline_update", obj=line, actor=actor, changes=diff)
    return line, diff
