"""Reads for 双随机: every read starts from ``Model.objects.visible_to(actor)`` (public draw records excepted)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.apps import apps as django_apps
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.utils import timezone

from apps.common.filters import filter_queryset
from apps.enterprises.choices import EnterpriseStatus
from apps.enterprises.models import Enterprise

from . import draw as hrs
from .choices import OPEN_TASK_STATUSES, DrawOutcomeStatus, DrawPlanStatus, TaskKind, TaskStatus
from .filters import DrawFilterSet, DrawPlanFilterSet
from .models import (
    Draw,
    DrawInspectorAssignment,
    DrawPlan,
    DrawSelection,
    DrawStratum,
    InspectionTask,
    Inspector,
    InspectorConflict,
    RedrawRequest,
    TaskInspector,
)


# ---------------------------------------------------------------------------- codes
def enterprise_code(uscc: str | None, pk: int) -> str:
    """The public code of an enterprise in a draw: its USCC, or ``HN-<id>`` for a business without one."""
    return uscc or f"HN-{pk}"


# ---------------------------------------------------------------------------- strata attributes
def _risk_model(name: str):
    try:
        return django_apps.get_model("risk", name)
    except LookupError:
        return None


def enterprise_strata_attributes(enterprise_ids, *, on: dt.date | None = None) -> dict[int, dict]:
    """{enterprise id: {"grade", "credit_class", "township", "business_type", "business_type_parent"}}.

    ``enterprise_ids`` may be a list or a queryset of ids (sub-query). Grade: the current RiskAssessment; credit
    class: the latest CreditClass as of ``on``. Both are "" while apps.risk is absent or has no row for the business.
    A fixed number of queries whatever the number of enterprises.
    """
    rows = Enterprise.objects.filter(pk__in=enterprise_ids).values_list(
        "pk", "township__code", "business_type__code", "business_type__parent__code"
    )
    out = {
        pk: {
            "grade": "",
            "credit_class": "",
            "township": township or "",
            "business_type": bt or "",
            "business_type_parent": parent or "",
        }
        for pk, township, bt, parent in rows
    }
    assessment = _risk_model("RiskAssessment")
    if assessment is not None:
        for pk, grade in assessment.objects.filter(enterprise_id__in=enterprise_ids, is_current=True).values_list(
            "enterprise_id", "grade"
        ):
            if pk in out:
                out[pk]["grade"] = grade or ""
    credit = _risk_model("CreditClass")
    if credit is not None:
        qs = credit.objects.filter(enterprise_id__in=enterprise_ids)
        if on is not None:
            qs = qs.filter(as_of__lte=on)
        for pk, cls in qs.order_by("enterprise_id", "as_of", "id").values_list("enterprise_id", "credit_class"):
            if pk in out:
                out[pk]["credit_class"] = cls or ""  # the last row per enterprise wins (latest as_of)
    return out


def stratum_matches(filter_: dict, attrs: dict) -> bool:
    """Does an enterprise (attributes as above) fall in a stratum filter? Each listed dimension must match."""
    grades = filter_.get("grades") or []
    if grades and attrs["grade"] not in grades:
        return False
    credit = filter_.get("credit_classes") or []
    if credit and attrs["credit_class"] not in credit:
        return False
    townships = filter_.get("townships") or []
    if townships and attrs["township"] not in townships:
        return False
    types = filter_.get("business_types") or []
    if types and attrs["business_type"] not in types and attrs["business_type_parent"] not in types:
        return False
    return True


# ---------------------------------------------------------------------------- plans / draws (staff)
def plan_list(*, actor, filters=None):
    """Plans (scoped), newest year first, through ``DrawPlanFilterSet`` (page and API)."""
    return (
        filter_queryset(DrawPlanFilterSet, DrawPlan.objects.visible_to(actor), filters)
        .select_related("created_by")
        .prefetch_related("townships", "business_types")
        .annotate(draw_count=Count("draws", distinct=True))
        .order_by("-year", "-created_at", "-id")
    )


def plan_get(*, actor, pk):
    return (
        DrawPlan.objects.visible_to(actor)
        .select_related("created_by", "approved_by")
        .prefetch_related("townships", "business_types", "check_items", "strata")
        .get(pk=pk)
    )


def draw_list(*, actor, filters=None):
    """Draws (scoped) through ``DrawFilterSet``."""
    return (
        filter_queryset(DrawFilterSet, Draw.objects.visible_to(actor), filters)
        .select_related("plan", "outcome", "parent", "committed_by", "requested_by", "approved_by")
        .order_by("-committed_at", "-id")
    )


def draw_get(*, actor, pk):
    return draw_list(actor=actor).get(pk=pk)


def draws_of_plan(*, actor, plan):
    return draw_list(actor=actor).filter(plan=plan).order_by("attempt")


def redraw_requests_of_plan(*, actor, plan):
    return (
        RedrawRequest.objects.visible_to(actor)
        .filter(draw__plan=plan)
        .select_related("draw", "requested_by", "decided_by", "new_draw")
    )


def plans_due(*, now: dt.datetime):
    """Committed plans whose scheduled time has come (for the beat task; system-level, not user-scoped)."""
    return DrawPlan.objects.filter(status=DrawPlanStatus.COMMITTED, scheduled_at__lte=now).order_by(
        "scheduled_at", "pk"
    )


def pending_draw_of_plan(plan) -> Draw | None:
    """The newest draw of a plan that is committed but not yet drawn."""
    return Draw.objects.filter(plan=plan, outcome__isnull=True).order_by("-attempt").first()


# ---------------------------------------------------------------------------- pool freezing helpers (system-level)
def _months_before(day: dt.date, months: int) -> dt.date:
    month0 = day.month - 1 - months
    year = day.year + month0 // 12
    month = month0 % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def plan_scope_queryset(plan: DrawPlan):
    """Enterprises in the plan's scope (townships, business types incl. their sub-types), before exclusions."""
    qs = Enterprise.objects.all()
    township_ids = list(plan.townships.values_list("pk", flat=True))
    if township_ids:
        qs = qs.filter(township_id__in=township_ids)
    type_ids = list(plan.business_types.values_list("pk", flat=True))
    if type_ids:
        qs = qs.filter(Q(business_type_id__in=type_ids) | Q(business_type__parent_id__in=type_ids))
    return qs


def plan_exclusion_sets(plan: DrawPlan, scope_qs, *, today: dt.date) -> dict[str, set[int]]:
    """Enterprise ids excluded from the pool, by reason (a fixed number of queries)."""
    out: dict[str, set[int]] = {}
    if plan.exclude_closed:
        out["closed"] = set(scope_qs.exclude(status=EnterpriseStatus.OPERATING).values_list("pk", flat=True))
    if plan.exclude_inspected_months:
        since = _months_before(today, plan.exclude_inspected_months)
        out["inspected_recently"] = set(
            InspectionTask.objects.filter(
                enterprise__in=scope_qs.values("pk"),
                status=TaskStatus.FINALISED,
                completed_at__date__gte=since,
            ).values_list("enterprise_id", flat=True)
        )
    if plan.exclude_open_same_round:
        out["open_same_round"] = set(
            InspectionTask.objects.filter(
                enterprise__in=scope_qs.values("pk"),
                status__in=OPEN_TASK_STATUSES,
                plan__year=plan.year,
                plan__round_label=plan.round_label,
            )
            .exclude(plan=plan)
            .values_list("enterprise_id", flat=True)
        )
    return out


def inspector_pool(*, draw_date: dt.date) -> list[dict]:
    """Active inspectors with a valid enforcement certificate on the draw date, with their current open load."""
    rows = (
        Inspector.objects.active()
        .certified_on(draw_date)
        .select_related("township")
        .annotate(
            open_load=Count("task_links", filter=Q(task_links__task__status__in=OPEN_TASK_STATUSES), distinct=True)
        )
        .order_by("badge_no")
    )
    return [
        {
            "badge": i.badge_no,
            "name": i.name,
            "township": i.township.code if i.township_id else "",
            "certificate_valid_until": i.certificate_valid_until.isoformat(),
            "load": i.open_load,
            "id": i.pk,
        }
        for i in rows
    ]


def inspector_exclusions(enterprise_ids, *, avoid_previous: bool) -> dict[int, set[str]]:
    """{enterprise id: {badge}} — declared conflicts, and the inspectors of the latest finalised task (回避)."""
    out: dict[int, set[str]] = defaultdict(set)
    for eid, badge in InspectorConflict.objects.filter(enterprise_id__in=enterprise_ids).values_list(
        "enterprise_id", "inspector__badge_no"
    ):
        out[eid].add(badge)
    if avoid_previous:
        latest: dict[int, tuple] = {}
        rows = (
            TaskInspector.objects.filter(task__enterprise_id__in=enterprise_ids, task__status=TaskStatus.FINALISED)
            .values_list("task__enterprise_id", "task__completed_at", "task_id", "inspector__badge_no")
            .order_by("task__enterprise_id", "task__completed_at", "task_id")
        )
        for eid, completed, task_id, badge in rows:
            key = (completed, task_id)
            prev = latest.get(eid)
            if prev is None or key > prev[0]:
                latest[eid] = (key, {badge})
            elif key == prev[0]:
                prev[1].add(badge)
        for eid, (_key, badges) in latest.items():
            out[eid] |= badges
    return out


# ---------------------------------------------------------------------------- public verification record
def draw_public_get(draw_uid: str) -> Draw:
    """Draw records are public (一公开): no actor, any draw by its uid."""
    return Draw.objects.select_related("plan", "outcome", "parent", "redraw").get(draw_uid=draw_uid)


def draw_inputs(draw: Draw) -> dict:
    """The frozen hrs-v1 inputs exactly as committed (what ``inputs_hash`` covers)."""
    return {
        "algorithm": draw.algorithm,
        "draw_uid": draw.draw_uid,
        "draw_date": draw.draw_date.isoformat(),
        "strata": [{k: s[k] for k in ("key", "label", "filter", "proportion", "count", "codes")} for s in draw.strata],
        "inspectors": [
            {k: i[k] for k in ("badge", "name", "township", "certificate_valid_until", "load")} for i in draw.inspectors
        ],
        "exclusions": draw.exclusions,
        "enterprise_townships": draw.enterprise_townships,
        "rules": draw.rules,
    }


def draw_stored_result(draw: Draw) -> dict | None:
    """The result as stored in the draw tables, in the canonical hrs-v1 shape (None before the draw)."""
    outcome = draw.outcome_or_none
    if outcome is None or outcome.status == DrawOutcomeStatus.CANCELLED:
        return None
    result = {"algorithm": draw.algorithm, "draw_uid": draw.draw_uid, "status": outcome.status, "selections": []}
    if outcome.error:
        result["error"] = outcome.error
    selections = (
        DrawSelection.objects.filter(draw=draw)
        .order_by("order")
        .prefetch_related(Prefetch("assignments", queryset=DrawInspectorAssignment.objects.order_by("order")))
    )
    for sel in selections:
        result["selections"].append(
            {
                "order": sel.order,
                "stratum": sel.stratum_key,
                "code": sel.code,
                "rank": sel.rank,
                "inspectors": [{"badge": a.badge, "rank": a.rank} for a in sel.assignments.all()],
            }
        )
    return result


def draw_record(draw: Draw) -> dict:
    """The public verification document (JSON download; input of tools/verify_draw.py)."""
    outcome = draw.outcome_or_none
    result = draw_stored_result(draw)
    names: dict[str, str] = {}
    if result and result["selections"]:
        ids = DrawSelection.objects.filter(draw=draw).values_list("code", "enterprise__name")
        names = dict(ids)
    plan = draw.plan
    return {
        "format": "hrs-v1/draw-record/1",
        "algorithm": draw.algorithm,
        "draw_uid": draw.draw_uid,
        "status": draw.status,
        "plan": {
            "id": plan.pk,
            "name": plan.name,
            "year": plan.year,
            "round": draw.round,
            "attempt": draw.attempt,
        },
        "redraw_of": draw.parent.draw_uid if draw.parent_id else None,
        "redraw_reason": draw.reason or None,
        "committed_at": draw.committed_at.isoformat(),
        "scheduled_at": draw.scheduled_at.isoformat() if draw.scheduled_at else None,
        "drawn_at": outcome.drawn_at.isoformat() if outcome else None,
        "seed_commitment": draw.seed_commitment,
        "seed": outcome.seed if outcome else None,
        "inputs": draw_inputs(draw),
        "inputs_hash": draw.inputs_hash,
        "pool_hashes": {s["key"]: s["pool_hash"] for s in draw.strata},
        "quotas": {s["key"]: s["k"] for s in draw.strata},
        "excluded_counts": {reason: len(codes) for reason, codes in (draw.excluded or {}).items()},
        "result": result,
        "result_hash": outcome.result_hash if outcome else None,
        "enterprise_names": names,
    }


def draw_differences(draw: Draw) -> list[str]:
    """Re-compute a stored draw from its own published record; [] when everything matches (DRW-01)."""
    problems: list[str] = []
    inputs = draw_inputs(draw)
    if hrs.inputs_hash(inputs) != draw.inputs_hash:
        problems.append("输入哈希与承诺时公布的不一致")
    for stratum, published in zip(hrs.strata_with_quota(inputs), draw.strata, strict=True):
        if stratum["pool_hash"] != published["pool_hash"]:
            problems.append(f"分层 {stratum['key']} 的对象库哈希不一致")
        if stratum["k"] != published["k"]:
            problems.append(f"分层 {stratum['key']} 的抽取户数不一致")
    outcome = draw.outcome_or_none
    if outcome is None:
        return problems
    seed = hrs.seed_from_hex(outcome.seed)
    if hrs.seed_commitment(seed) != draw.seed_commitment:
        problems.append("种子与事先公布的承诺值不符")
    if outcome.status == DrawOutcomeStatus.CANCELLED:
        if hrs.result_hash(hrs.compute_draw(inputs, seed)) != outcome.result_hash:
            problems.append("作废抽取公布的结果哈希与重新计算的不符")
        return problems
    stored = draw_stored_result(draw)
    if hrs.result_hash(stored) != outcome.result_hash:
        problems.append("存储的抽取结果与结果哈希不符")
    expected = hrs.compute_draw(inputs, seed)
    if expected != stored:
        exp_sel = {s["order"]: s for s in expected["selections"]}
        got_sel = {s["order"]: s for s in stored["selections"]}
        if expected["status"] != stored["status"]:
            problems.append(f"结果状态不同：应为 {expected['status']}，记录为 {stored['status']}")
        for order in sorted(set(exp_sel) | set(got_sel)):
            if exp_sel.get(order) != got_sel.get(order):
                problems.append(f"第 {order} 户不同：应为 {exp_sel.get(order)}，记录为 {got_sel.get(order)}")
                if len(problems) > 20:
                    break
    return problems


# ---------------------------------------------------------------------------- tasks
def task_list(*, actor):
    return (
        InspectionTask.objects.visible_to(actor)
        .select_related("enterprise", "enterprise__township", "enterprise__business_type", "draw", "plan")
        .prefetch_related(
            Prefetch("task_inspectors", queryset=TaskInspector.objects.select_related("inspector").order_by("order"))
        )
        .order_by("due_date", "id")
    )


def tasks_of_draw(*, actor, draw):
    return task_list(actor=actor).filter(draw=draw).select_related("selection").order_by("selection__order")


def strata_of_plan(plan) -> Iterable[DrawStratum]:
    return plan.strata.all()


def completed_inspections(enterprise_ids, year: int) -> dict[int, list[tuple[dt.date, bool]]]:
    """Inspection source for apps.risk.coverage: finalised tasks since 1 January of ``year - 2``.

    ``full_coverage`` (Order 49 floor): a routine, key or flying inspection whose check items were not narrowed
    (neither the task nor its plan lists a subset of items). Follow-up inspections of a rectification are not.
    """
    since = dt.date(year - 2, 1, 1)
    task_items = InspectionTask.check_items.through.objects.filter(inspectiontask_id=OuterRef("pk"))
    plan_items = DrawPlan.check_items.through.objects.filter(drawplan_id=OuterRef("plan_id"))
    rows = (
        InspectionTask.objects.filter(
            enterprise_id__in=enterprise_ids, status=TaskStatus.FINALISED, completed_at__date__gte=since
        )
        .annotate(narrowed_task=Exists(task_items), narrowed_plan=Exists(plan_items))
        .values_list("enterprise_id", "completed_at", "kind", "narrowed_task", "narrowed_plan")
    )
    out: dict[int, list[tuple[dt.date, bool]]] = defaultdict(list)
    for eid, completed, kind, narrowed_task, narrowed_plan in rows:
        full = kind != TaskKind.FOLLOW_UP and not narrowed_task and not narrowed_plan
        out[eid].append((timezone.localdate(completed), full))
    return dict(out)


# Fieldwork reads that other apps look up here by name (home-page KPIs, the inspector's home list).
from .selectors_fieldwork import (  # noqa: E402, F401
    overdue_inspection_count,
    overdue_rectification_count,
    task_list_for_inspector,
    unpublished_result_count,
)


# ---------------------------------------------------------------------------- home-page figures
def active_draw_plan_count(*, actor) -> int:
    """Plans committed and not yet drawn, plus drawn plans of this year that still have open tasks."""
    year = timezone.localdate().year
    open_tasks = InspectionTask.objects.filter(plan_id=OuterRef("pk"), status__in=OPEN_TASK_STATUSES)
    return (
        plan_list(actor=actor)
        .annotate(has_open=Exists(open_tasks))
        .filter(Q(status=DrawPlanStatus.COMMITTED) | Q(status=DrawPlanStatus.DRAWN, year=year, has_open=True))
        .count()
    )


def inspection_completion_percent(*, actor) -> int | None:
    """Share of this year's random-check tasks (not cancelled) that are finalised; None when there are none."""
    year = timezone.localdate().year
    counts = (
        InspectionTask.objects.visible_to(actor)
        .filter(kind=TaskKind.ROUTINE_RANDOM, due_date__year=year)
        .exclude(status=TaskStatus.CANCELLED)
        .aggregate(total=Count("id"), done=Count("id", filter=Q(status=TaskStatus.FINALISED)))
    )
    if not counts["total"]:
        return None
    return round(100 * counts["done"] / counts["total"])
