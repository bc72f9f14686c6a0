"""Writes of sampling/plans.

Minimal for now (written by the publicity engineer so that 你点我检 can adopt a topic into a plan line; the plans
engineer owns this module and may replace it): ``plan_line_create``.
"""

from __future__ import annotations

from django.db import transaction

from apps.accounts.models import Township
from apps.common.audit import audit_record
from apps.common.exceptions import InvalidTransition, ValidationFailed
from apps.common.permissions import require_perm
from apps.standards.models import SamplingCategory

from ..choices import LineOrigin, LineSource, PlanStatus
from ..models import PlanLine, SamplingPlan


@transaction.atomic
def plan_line_create(
    *,
    actor,
    plan_id: int,
    township_id: int,
    category_id: int,
    month: int,
    batches: int,
    source: str = LineSource.ROUTINE,
    origin: str = LineOrigin.MANUAL,
    origin_ref: str = "",
    note: str = "",
    reasons: list | None = None,
) -> PlanLine:
    """One plan line (``batches`` samples of a category in a township in a month) on a plan that is not closed."""
    require_perm(actor, "sampling.add_planline")
    plan = SamplingPlan.objects.select_for_update().filter(pk=plan_id).first()
    if plan is None:
        raise ValidationFailed("抽检计划不存在", fields={"plan": ["请选择抽检计划"]})
    if plan.status == PlanStatus.CLOSED:
        raise InvalidTransition("该计划已结束，不能再增加明细", fields={"plan": ["计划已结束"]})
    township = Township.objects.filter(pk=township_id).first()
    if township is None:
        raise ValidationFailed("镇街不存在", fields={"township": ["请选择镇街"]})
    category = SamplingCategory.objects.filter(pk=category_id, is_active=True).first()
    if category is None:
        raise ValidationFailed("抽检分类不存在或已停用", fields={"category": ["请选择抽检分类"]})
    if not isinstance(month, int) or not 1 <= month <= 12:
        raise ValidationFailed("月份应为 1–12", fields={"month": ["月份应为 1–12"]})
    if not isinstance(batches, int) or not 1 <= batches <= 100000:
        raise ValidationFailed("批次应为 1–100000 的整数", fields={"batches": ["批次应为 1–100000 的整数"]})
    if source not in LineSource.values:
        raise ValidationFailed("来源无效", fields={"source": ["来源无效"]})
    if origin not in LineOrigin.values:
        raise ValidationFailed("编制依据无效", fields={"origin": ["编制依据无效"]})
    line = PlanLine.objects.create(
        plan=plan,
        township=township,
        category=category,
        month=month,
        batches=batches,
        source=source,
        origin=origin,
        origin_ref=(origin_ref or "")[:40],
        note=(note or "")[:200],
        reasons=reasons or [],
    )
    audit_record(
        "sampling.planline_create",
        obj=line,
        actor=actor,
        extra={"plan": plan.pk, "source": source, "origin": origin, "origin_ref": line.origin_ref},
    )
    return line
