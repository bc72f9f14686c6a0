"""Writes of sampling tasks (抽样任务): city staff give a plan line's batches to enterprises, a sampling organisation
and a lab (抽检分离), one at a time or N at once; an open task can be cancelled with a reason."""

from __future__ import annotations

import calendar
import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date

from apps.common.audit import audit_record, model_snapshot
from apps.common.exceptions import InvalidTransition, OutOfScope, ValidationFailed
from apps.common.permissions import require_perm
from apps.common.workdays import add_working_days
from apps.enterprises.choices import EnterpriseStatus
from apps.enterprises.models import BusinessType, Enterprise

from ...choices import PlanStatus, TaskStatus
from ...models import Organisation, PlanLine, SamplingTask
from ..rules import assert_separated, check_organisation_kinds

DEFAULT_LATE_DUE_WORKING_DAYS = 10  # a line whose month is over: the task is due this many working days from today
MAX_BULK = 500
CANCEL_REASON_MIN = 4


def _date(value, field: str, label: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    parsed = None
    try:
        parsed = parse_date(str(value).strip())
    except ValueError:
        parsed = None
    if parsed is None:
        raise ValidationFailed(f"{label}格式无效（应为 年-月-日）", fields={field: ["日期格式无效，应为 年-月-日"]})
    return parsed


def _organisation(pk, field: str, label: str) -> Organisation:
    if pk in (None, ""):
        raise ValidationFailed(f"请选择{label}", fields={field: [f"请选择{label}"]})
    try:
        return Organisation.objects.get(pk=int(getattr(pk, "pk", pk)))
    except (Organisation.DoesNotExist, TypeError, ValueError):
        raise ValidationFailed(f"{label}不存在", fields={field: [f"{label}不存在"]}) from None


def default_due_on(line: PlanLine, *, today: dt.date | None = None) -> dt.date:
    """The last day of the line's month; when that is past, ``DEFAULT_LATE_DUE_WORKING_DAYS`` working days on."""
    today = today or timezone.localdate()
    year = line.plan.year
    end = dt.date(year, line.month, calendar.monthrange(year, line.month)[1])
    return end if end >= today else add_working_days(today, DEFAULT_LATE_DUE_WORKING_DAYS)


def line_business_type_ids(line: PlanLine) -> set[int] | None:
    """A line for a business type takes that type and its children; None: any type."""
    if not line.business_type_id:
        return None
    children = BusinessType.objects.filter(parent_id=line.business_type_id).values_list("pk", flat=True)
    return {line.business_type_id, *children}


def open_task_count(line: PlanLine) -> int:
    return line.tasks.exclude(status=TaskStatus.CANCELLED).count()


def _lock_line(actor, plan_line_id) -> PlanLine:
    try:
        line = (
            PlanLine.objects.visible_to(actor)
            .select_for_update(of=("self",))
            .select_related("plan", "township", "category", "enterprise")
            .get(pk=plan_line_id)
        )
    except (PlanLine.DoesNotExist, TypeError, ValueError):
        raise OutOfScope("计划明细不存在或不在您的管辖范围内") from None
    if line.plan.status != PlanStatus.APPROVED:
        raise InvalidTransition(
            f"计划“{line.plan.name}”{line.plan.get_status_display()}，只有已下达的计划可以下达抽样任务"
        )
    return line


def _enterprises_for(actor, line: PlanLine, enterprise_ids) -> list[Enterprise]:
    ids: list[int] = []
    for raw in enterprise_ids or []:
        try:
            value = int(getattr(raw, "pk", raw))
        except (TypeError, ValueError):
            raise ValidationFailed("被抽样单位编号无效", fields={"enterprises": ["编号无效"]}) from None
        if value not in ids:
            ids.append(value)
    if not ids:
        raise ValidationFailed("请选择被抽样单位", fields={"enterprises": ["请至少选择一家被抽样单位"]})
    if len(ids) > MAX_BULK:
        raise ValidationFailed(f"一次最多下达 {MAX_BULK} 个任务", fields={"enterprises": [f"最多 {MAX_BULK} 家"]})
    found = {e.pk: e for e in Enterprise.objects.visible_to(actor).select_related("township").filter(pk__in=ids)}
    errors = []
    allowed_types = line_business_type_ids(line)
    for pk in ids:
        ent = found.get(pk)
        if ent is None:
            errors.append(f"被抽样单位 {pk} 不存在或不在您的管辖范围内")
        elif line.enterprise_id and ent.pk != line.enterprise_id:
            errors.append(f"{ent.name} 不是该靶向计划明细指定的对象（{line.enterprise.name}）")
        elif ent.township_id != line.township_id:
            errors.append(f"{ent.name} 不在{line.township.name}（计划明细的镇街）")
        elif ent.status != EnterpriseStatus.OPERATING:
            errors.append(f"{ent.name} 已停业或注销")
        elif allowed_types is not None and ent.business_type_id not in allowed_types:
            errors.append(f"{ent.name} 的业态不是计划明细指定的业态")
    if errors:
        raise ValidationFailed(
            "；".join(errors[:5]) + ("……" if len(errors) > 5 else ""), fields={"enterprises": errors}
        )
    return [found[pk] for pk in ids]


def _create(*, actor, plan_line_id, enterprise_ids, sampling_org_id, lab_id, due_on) -> tuple[PlanLine, list]:
    require_perm(actor, "sampling.add_samplingtask")
    line = _lock_line(actor, plan_line_id)
    sampler = _organisation(sampling_org_id, "sampling_org", "抽样机构")
    lab = _organisation(lab_id, "lab", "检验机构")
    check_organisation_kinds(sampler, lab)
    assert_separated(sampler, lab)
    enterprises = _enterprises_for(actor, line, enterprise_ids)
    used = open_task_count(line)
    left = line.batches - used
    if len(enterprises) > left:
        message = f"该计划明细共 {line.batches} 批，已下达 {used} 批，最多还能下达 {max(left, 0)} 批"
        raise ValidationFailed(message, fields={"enterprises": [message]})
    today = timezone.localdate()
    due = _date(due_on, "due_on", "抽样期限") or default_due_on(line, today=today)
    if due < today:
        raise ValidationFailed("抽样期限不能早于今天", fields={"due_on": ["不能早于今天"]})
    tasks = [
        SamplingTask.objects.create(
            plan=line.plan,
            plan_line=line,
            enterprise=ent,
            category=line.category,
            sampling_org=sampler,
            lab=lab,
            due_on=due,
            created_by=actor,
        )
        for ent in enterprises
    ]
    return line, tasks


@transaction.atomic
def task_create(*, actor, plan_line_id, enterprise_id, sampling_org_id, lab_id, due_on=None) -> SamplingTask:
    """One task for a plan line: an enterprise of the line's township (the line's own enterprise for a targeted line
    that names one), a sampling organisation and a different lab (抽检分离), a due date (default: the line's month end)."""
    line, tasks = _create(
        actor=actor,
        plan_line_id=plan_line_id,
        enterprise_ids=[enterprise_id] if enterprise_id not in (None, "") else [],
        sampling_org_id=sampling_org_id,
        lab_id=lab_id,
        due_on=due_on,
    )
    task = tasks[0]
    audit_record("sampling.task_create", obj=task, actor=actor, changes=model_snapshot(task))
    return task


@transaction.atomic
def task_bulk_create(
    *, actor, plan_line_id, enterprise_ids, sampling_org_id, lab_id, due_on=None
) -> list[SamplingTask]:
    """N tasks for a plan line at once (one per enterprise picked), within the line's remaining batches."""
    line, tasks = _create(
        actor=actor,
        plan_line_id=plan_line_id,
        enterprise_ids=enterprise_ids,
        sampling_org_id=sampling_org_id,
        lab_id=lab_id,
        due_on=due_on,
    )
    audit_record(
        "sampling.task_bulk_create",
        obj=line,
        actor=actor,
        extra={
            "tasks": [t.pk for t in tasks],
            "enterprises": [t.enterprise_id for t in tasks],
            "sampling_org": tasks[0].sampling_org_id,
            "lab": tasks[0].lab_id,
            "due_on": tasks[0].due_on,
        },
    )
    return tasks


@transaction.atomic
def task_cancel(*, actor, task_id, reason: str) -> SamplingTask:
    """Cancel an open task (待抽样) with a reason; a sampled task cannot be cancelled (its 抽样单 stands)."""
    require_perm(actor, "sampling.change_samplingtask")
    reason = " ".join(str(reason or "").split())
    if len(reason) < CANCEL_REASON_MIN:
        raise ValidationFailed("请写明取消原因（至少 4 个字）", fields={"reason": ["请写明取消原因（至少 4 个字）"]})
    if len(reason) > 200:
        raise ValidationFailed("取消原因不能超过 200 个字", fields={"reason": ["不能超过 200 个字"]})
    try:
        task = SamplingTask.objects.visible_to(actor).select_for_update(of=("self",)).get(pk=task_id)
    except (SamplingTask.DoesNotExist, TypeError, ValueError):
        raise OutOfScope() from None
    if not task.can_transition_to(TaskStatus.CANCELLED):
        raise InvalidTransition(f"任务{task.get_status_display()}，不能取消")
    before = task.status
    task.status = TaskStatus.CANCELLED
    task.cancel_reason = reason
    task.save(update_fields=["status", "cancel_reason", "updated_at"])
    audit_record(
        "sampling.task_cancel",
        obj=task,
        actor=actor,
        changes={"status": [before, task.status]},
        extra={"reason": reason},
    )
    return task
