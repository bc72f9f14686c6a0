"""Writes of inspection tasks: 飞行检查 by hand, (re-)assigning inspectors with 回避, and the key-inspection
tasks (重点检查) that the rules in force make for the whole city."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from apps.common.audit import audit_record, model_snapshot
from apps.common.exceptions import Conflict, InvalidTransition, OutOfScope, ValidationFailed
from apps.common.permissions import require_perm
from apps.common.workdays import WorkdayCalendar, add_working_days
from apps.enterprises.choices import EnterpriseStatus
from apps.enterprises.models import Enterprise
from apps.standards.models import CheckItem

from ...choices import TaskInspectorRole, TaskKind, TaskSource, TaskStatus
from ...draws.selectors import enterprise_strata_attributes, inspector_exclusions
from ...models import InspectionTask, Inspector, TaskInspector
from ..selectors import key_rule_matches, key_rules_in_force
from ._common import _new_number, _setting


def flying_due_working_days() -> int:
    return int(_setting("INSPECTION_FLYING_DUE_WORKING_DAYS", 5))


# ---------------------------------------------------------------------------- inspectors and 回避
def _check_inspectors(*, enterprise: Enterprise, inspector_ids, avoid_previous: bool = True) -> list[Inspector]:
    """≥ 2 distinct active inspectors with a valid enforcement certificate, none of them to be avoided (回避:
    declared conflicts; the inspectors of the latest finished inspection of this enterprise if ``avoid_previous``)."""
    ids = []
    for raw in inspector_ids or []:
        try:
            value = int(raw)
        except (TypeError, ValueError):
            raise ValidationFailed("检查人员编号无效", fields={"inspectors": ["编号无效"]}) from None
        if value not in ids:
            ids.append(value)
    if len(ids) < 2:
        raise ValidationFailed("每项检查至少需要 2 名执法人员", fields={"inspectors": ["至少选择 2 名检查人员"]})
    found = {i.pk: i for i in Inspector.objects.filter(pk__in=ids)}
    today = timezone.localdate()
    errors = []
    for pk in ids:
        inspector = found.get(pk)
        if inspector is None:
            errors.append(f"检查人员 {pk} 不存在")
        elif not inspector.is_active:
            errors.append(f"{inspector} 不在岗")
        elif not inspector.is_certified_on(today):
            errors.append(f"{inspector} 的执法证无效或已过期")
    avoid = inspector_exclusions([enterprise.pk], avoid_previous=avoid_previous).get(enterprise.pk, set())
    for pk in ids:
        inspector = found.get(pk)
        if inspector is not None and inspector.badge_no in avoid:
            errors.append(f"{inspector} 须回避该检查对象（申报回避或上次检查人员）")
    if errors:
        raise ValidationFailed("；".join(errors), fields={"inspectors": errors})
    return [found[pk] for pk in ids]


def _set_task_inspectors(task: InspectionTask, inspectors: list[Inspector]):
    TaskInspector.objects.filter(task=task).delete()
    TaskInspector.objects.bulk_create(
        [
            TaskInspector(
                task=task,
                inspector=inspector,
                order=i,
                role=TaskInspectorRole.LEAD if i == 0 else TaskInspectorRole.MEMBER,
            )
            for i, inspector in enumerate(inspectors)
        ]
    )


# ---------------------------------------------------------------------------- 飞行检查 (by hand)
@transaction.atomic
def flying_task_create(
    *,
    actor,
    enterprise_id: int,
    reason: str,
    inspector_ids,
    due_date: dt.date | None = None,
    check_item_ids=None,
) -> InspectionTask:
    """An unannounced inspection: enterprise, reason, ≥ 2 inspectors after 回避; same task model as drawn tasks."""
    require_perm(actor, "inspections.add_inspectiontask")
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise ValidationFailed("请写明飞行检查的事由", fields={"reason": ["请写明事由（至少 4 个字）"]})
    try:
        enterprise = Enterprise.objects.visible_to(actor).select_related("business_type").get(pk=enterprise_id)
    except (Enterprise.DoesNotExist, ValueError, TypeError):
        raise OutOfScope("检查对象不存在或不在您的管辖范围内") from None
    if enterprise.status != EnterpriseStatus.OPERATING:
        raise ValidationFailed("该检查对象已停业或注销", fields={"enterprise": ["已停业或注销"]})
    inspectors = _check_inspectors(enterprise=enterprise, inspector_ids=inspector_ids)
    today = timezone.localdate()
    due = due_date or add_working_days(today, flying_due_working_days())
    if due < today:
        raise ValidationFailed("完成期限不能早于今天", fields={"due_date": ["不能早于今天"]})
    task = InspectionTask.objects.create(
        number=_new_number("FX", today),
        enterprise=enterprise,
        kind=TaskKind.FLYING,
        source=TaskSource.MANUAL,
        reason=reason,
        due_date=due,
        created_by=actor,
    )
    _set_task_inspectors(task, inspectors)
    if check_item_ids:
        task.check_items.set(CheckItem.objects.active().filter(pk__in=check_item_ids))
    audit_record(
        "inspections.flying_task_create",
        obj=task,
        actor=actor,
        changes=model_snapshot(task),
        extra={"inspectors": [i.badge_no for i in inspectors], "reason": reason},
    )
    return task


def flying_create_provider(actor, *, enterprise_id, reason: str, source_ref: str) -> dict:
    """The ``inspections.flying_create`` provider (apps/common/hooks.py): a flying inspection asked for by another app
    (a 舆情 event), with two inspectors picked as for key inspections (least loaded, own township first, 回避), then
    through ``flying_task_create`` (its permission, scope and checks). Runs in the caller's transaction."""
    from django.urls import reverse

    require_perm(actor, "inspections.add_inspectiontask")
    try:
        enterprise = Enterprise.objects.visible_to(actor).get(pk=enterprise_id)
    except (Enterprise.DoesNotExist, ValueError, TypeError):
        raise OutOfScope("检查对象不存在或不在您的管辖范围内") from None
    today = timezone.localdate()
    avoid = inspector_exclusions([enterprise.pk], avoid_previous=True).get(enterprise.pk, set())
    picked = _auto_pick(enterprise_township=enterprise.township_id, pool=_pool_with_townships(today), avoid=avoid, n=2)
    if len(picked) < 2:
        raise ValidationFailed("回避后没有两名可派的检查人员，请在“检查任务”中新建飞行检查并指定人员")
    text = (reason or "").strip()
    task = flying_task_create(
        actor=actor,
        enterprise_id=enterprise.pk,
        reason=f"{text}（来源：{source_ref}）" if source_ref else text,
        inspector_ids=[i["id"] for i in picked],
    )
    return {
        "task_id": task.pk,
        "ref": f"inspection-task:{task.pk}",
        "url": reverse("inspections:task_detail", args=[task.pk]),
    }


@transaction.atomic
def task_assign_inspectors(*, actor, task_id: int, inspector_ids, version: int | None = None) -> InspectionTask:
    """(Re-)assign the inspectors of an open task that was not drawn (drawn pairs come from the immutable draw)."""
    require_perm(actor, "inspections.change_inspectiontask")
    try:
        task = (
            InspectionTask.objects.visible_to(actor)
            .select_for_update(of=("self",))
            .select_related("enterprise")
            .get(pk=task_id)
        )
    except (InspectionTask.DoesNotExist, ValueError, TypeError):
        raise OutOfScope() from None
    if task.source == TaskSource.DRAW:
        raise InvalidTransition("随机抽取任务的检查人员由抽取结果确定，不能改派（如需变更请申请重新抽取）")
    if not task.can_transition_to(TaskStatus.FINALISED):
        raise InvalidTransition("任务已完成或已取消，不能改派")
    if task.results.exists():
        raise InvalidTransition("已开始填写检查结果的任务不能改派")
    if version is not None and version != task.version:
        raise Conflict()
    before = [ti.inspector.badge_no for ti in task.task_inspectors.select_related("inspector")]
    inspectors = _check_inspectors(enterprise=task.enterprise, inspector_ids=inspector_ids)
    _set_task_inspectors(task, inspectors)
    task.version += 1
    task.save(update_fields=["version", "updated_at"])
    audit_record(
        "inspections.task_assign",
        obj=task,
        actor=actor,
        changes={"inspectors": [before, [i.badge_no for i in inspectors]]},
    )
    return task


# ---------------------------------------------------------------------------- 重点检查 (by rule)
def _key_attributes(enterprise_ids: list[int], *, on: dt.date) -> dict[int, dict]:
    """Per enterprise: sector, grade, business type (and parent), food category codes — a fixed number of queries."""
    base = enterprise_strata_attributes(enterprise_ids, on=on)
    sectors = dict(Enterprise.objects.filter(pk__in=enterprise_ids).values_list("pk", "business_type__sector"))
    categories: dict[int, set[str]] = defaultdict(set)
    through = Enterprise.food_categories.through
    for eid, code in through.objects.filter(enterprise_id__in=enterprise_ids).values_list(
        "enterprise_id", "foodcategory__code"
    ):
        categories[eid].add(code)
    return {
        pk: {**attrs, "sector": sectors.get(pk) or "", "food_categories": categories.get(pk, set())}
        for pk, attrs in base.items()
    }


def key_task_matches(*, on: dt.date, township_ids=None) -> dict[int, list]:
    """{enterprise id: [rules in force that it matches]} over the operating businesses (optionally some townships)."""
    rules = key_rules_in_force(on=on)
    if not rules:
        return {}
    qs = Enterprise.objects.filter(status=EnterpriseStatus.OPERATING)
    if township_ids:
        qs = qs.filter(township_id__in=list(township_ids))
    ids = list(qs.values_list("pk", flat=True))
    attrs = _key_attributes(ids, on=on)
    out = {}
    for pk in ids:
        a = attrs.get(pk)
        if a is None:
            continue
        matched = [r for r in rules if key_rule_matches(r.criteria or {}, a)]
        if matched:
            out[pk] = matched
    return out


def _auto_pick(*, enterprise_township: int | None, pool: list[dict], avoid: set[str], n: int) -> list[dict]:
    """Least-loaded eligible inspectors, preferring the enterprise's own township (its 市场监管所); ties by badge."""
    eligible = [i for i in pool if i["badge"] not in avoid]
    eligible.sort(key=lambda i: (i["township_id"] != enterprise_township, i["load"], i["badge"]))
    return eligible[:n]


@transaction.atomic
def key_tasks_generate(*, actor, on: dt.date | None = None, township_ids=None, progress=None) -> dict:
    """Create this year's key-inspection tasks (重点检查) for every operating business that a rule in force matches.

    Idempotent per business and year: a business that already has a rule-made key task this year (not cancelled) is
    skipped, so the job, the button and the command may all run again. Two inspectors are put on each task
    automatically (least loaded, own township first, 回避 honoured); a task for which two cannot be found is created
    without inspectors and counted as ``unassigned`` for staff to assign by hand. ``actor=None``: the system.
    """
    require_perm(actor, "inspections.add_inspectiontask", system_allowed=True)
    on = on or timezone.localdate()
    if actor is not None and township_ids is None:
        from apps.common.scoping import user_sees_all_townships, user_township_ids

        if not user_sees_all_townships(actor):
            township_ids = sorted(user_township_ids(actor))
    matches = key_task_matches(on=on, township_ids=township_ids)
    year_start = dt.date(on.year, 1, 1)
    already = set(
        InspectionTask.objects.filter(
            enterprise_id__in=list(matches),
            kind=TaskKind.KEY,
            source=TaskSource.RULE,
            created_at__date__gte=year_start,
        )
        .exclude(status=TaskStatus.CANCELLED)
        .values_list("enterprise_id", flat=True)
    )
    existing_counts: dict[int, int] = defaultdict(int)
    for eid in InspectionTask.objects.filter(
        enterprise_id__in=list(matches), kind=TaskKind.KEY, source=TaskSource.RULE, created_at__date__gte=year_start
    ).values_list("enterprise_id", flat=True):
        existing_counts[eid] += 1
    todo = sorted(eid for eid in matches if eid not in already)
    townships = dict(Enterprise.objects.filter(pk__in=todo).values_list("pk", "township_id"))
    avoid = inspector_exclusions(todo, avoid_previous=True)
    pool = _pool_with_townships(on)
    calendar = WorkdayCalendar()
    tasks, links, unassigned, by_rule = [], [], 0, defaultdict(int)
    for n, eid in enumerate(todo, start=1):
        rules = matches[eid]
        days = min(r.due_working_days for r in rules)
        task = InspectionTask(
            number=f"ZD{on.year}-{eid:06d}-{existing_counts[eid] + 1}",
            enterprise_id=eid,
            kind=TaskKind.KEY,
            source=TaskSource.RULE,
            rule_code="+".join(r.code for r in rules)[:64],
            reason="重点检查：" + "；".join(r.name for r in rules),
            due_date=add_working_days(on, days, calendar=calendar),
            created_by=actor if actor is not None else None,
        )
        picked = _auto_pick(enterprise_township=townships.get(eid), pool=pool, avoid=avoid.get(eid, set()), n=2)
        if len(picked) < 2:
            picked = []
            unassigned += 1
        for i in picked:
            i["load"] += 1
        tasks.append(task)
        links.append(picked)
        for r in rules:
            by_rule[r.code] += 1
        if progress and n % 500 == 0:
            progress(min(90, int(90 * n / max(1, len(todo)))), f"已生成 {n} / {len(todo)} 项")
    created = InspectionTask.objects.bulk_create(tasks, batch_size=1000)
    TaskInspector.objects.bulk_create(
        [
            TaskInspector(
                task=task,
                inspector_id=i["id"],
                order=k,
                role=TaskInspectorRole.LEAD if k == 0 else TaskInspectorRole.MEMBER,
            )
            for task, picked in zip(created, links, strict=True)
            for k, i in enumerate(picked)
        ],
        batch_size=1000,
    )
    summary = {
        "on": on.isoformat(),
        "matched": len(matches),
        "created": len(created),
        "skipped_this_year": len(already),
        "unassigned": unassigned,
        "by_rule": dict(sorted(by_rule.items())),
    }
    audit_record(
        "inspections.key_tasks_generate",
        object_type="inspections.inspectiontask",
        object_repr=f"重点检查任务 {on.year}",
        actor=actor,
        extra={**summary, "townships": sorted(township_ids) if township_ids else "all"},
    )
    return summary


def _pool_with_townships(on: dt.date) -> list[dict]:
    from ...draws.selectors import inspector_pool

    pool = inspector_pool(draw_date=on)
    townships = dict(Inspector.objects.filter(pk__in=[i["id"] for i in pool]).values_list("pk", "township_id"))
    return [{**i, "township_id": townships.get(i["id"])} for i in pool]
