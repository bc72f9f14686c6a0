"""Reads for 双随机: every read starts from ``Model.objects.visible_to(actor)`` (public draw records excepted)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from apps.accounts.models import Township
from apps.common import hooks
from apps.common.exceptions import ValidationFailed
from apps.common.filters import filter_queryset
from apps.enterprises.choices import EnterpriseStatus
from apps.enterprises.models import BusinessType, Enterprise

from ..choices import (
    ALGORITHM_HRS_V2,
    EXCLUSION_REASON_LABELS,
    OPEN_TASK_STATUSES,
    STRATUM_DIMENSION_LABELS,
    DrawOutcomeStatus,
    DrawPlanStatus,
    RandomnessKind,
    TaskStatus,
)
from ..models import (
    Draw,
    DrawInspectorAssignment,
    DrawPlan,
    DrawSelection,
    InspectionTask,
    Inspector,
    InspectorConflict,
    RedrawRequest,
    TaskInspector,
)
from . import algorithm as hrs
from .filters import DrawFilterSet, DrawPlanFilterSet


# ---------------------------------------------------------------------------- codes
def enterprise_code(uscc: str | None, pk: int) -> str:
    """The public code of an enterprise in a draw: its USCC, or ``HN-<id>`` for a business without one."""
    return uscc or f"HN-{pk}"


# ---------------------------------------------------------------------------- strata attributes
RISK_ATTRIBUTES_HOOK = "risk.enterprise_attributes"


def enterprise_strata_attributes(enterprise_ids, *, on: dt.date | None = None) -> dict[int, dict]:
    """{enterprise id: {"grade", "credit_class", "township", "business_type", "business_type_parent"}}.

    ``enterprise_ids`` may be a list or a queryset of ids (sub-query). Grade: the current RiskAssessment; credit
    class: the latest CreditClass as of ``on`` — both from the ``risk.enterprise_attributes`` provider
    (apps.common.hooks); "" while apps.risk is absent or has no row for the business.
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
    # grade and credit class belong to apps.risk, which offers them as a provider (it and we import neither other)
    for provider in hooks.providers(RISK_ATTRIBUTES_HOOK).values():
        for pk, extra in provider(enterprise_ids, on=on).items():
            if pk in out:
                out[pk].update(extra)
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
        .select_related("plan", "outcome", "public_value", "parent", "committed_by", "requested_by", "approved_by")
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


def redraw_request_get(*, actor, pk):
    return (
        RedrawRequest.objects.visible_to(actor)
        .select_related("draw", "draw__plan", "draw__outcome", "requested_by", "decided_by")
        .get(pk=pk)
    )


def redraw_cancellable_task_count(*, actor, draw) -> int:
    """Tasks of a draw that an approved re-draw would cancel (not started yet)."""
    return InspectionTask.objects.visible_to(actor).filter(draw=draw, status=TaskStatus.ASSIGNED).count()


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


# ---------------------------------------------------------------------------- freezing the pool (system-level reads)
def commit_draw_date(plan: DrawPlan, *, redraw: bool = False, now: dt.datetime | None = None):
    """(scheduled_at or None, draw date) of a draw committed now: a future scheduled time of a first draw is kept,
    and the pool (certificates, exclusions) is judged on that day."""
    now = now or timezone.now()
    scheduled = plan.scheduled_at if (plan.scheduled_at and plan.scheduled_at > now and not redraw) else None
    return scheduled, timezone.localdate(scheduled) if scheduled else timezone.localdate(now)


WITNESS_SOURCE_DEFAULT = "公开抽取会见证人现场录入的数值"


def plan_public_randomness(plan: DrawPlan, *, draw_date: dt.date, redraw: bool = False) -> dict:
    """hrs-v2: the public randomness the commitment names — {"kind", "source", "date" (ISO)}. A lottery needs a
    named draw (checked by ``feasibility_problems``); the witnesses' session defaults to the draw date. A re-draw
    whose plan names a date already past (that value is public now) uses witnesses on the re-draw's date."""
    kind = plan.randomness_kind or RandomnessKind.WITNESSES
    source = (plan.randomness_source or "").strip()
    if redraw and plan.randomness_date is not None and plan.randomness_date < draw_date:
        kind, source = RandomnessKind.WITNESSES, WITNESS_SOURCE_DEFAULT
        return {"kind": str(kind), "source": source, "date": draw_date.isoformat()}
    if not source and kind == RandomnessKind.WITNESSES:
        source = WITNESS_SOURCE_DEFAULT
    return {"kind": str(kind), "source": source, "date": (plan.randomness_date or draw_date).isoformat()}


def public_inspector_entries(pool: list[dict], *, load_cap, own_township: bool, total_k: int) -> list[dict]:
    """The inspector pool as frozen and published: only what re-computing the draw needs (docs/draw.md).

    The badge always (the assignment names inspectors by it); the home township only when the "not from the
    enterprise's own township" rule is on; the remaining capacity ``load_cap − open tasks`` only where the cap can
    bind in this draw (it is below the number of enterprises to be drawn). Never the name, the certificate expiry
    (the pool holds only inspectors certified on the draw date) or the open workload.
    """
    out = []
    for i in pool:
        entry = {"badge": i["badge"]}
        if own_township:
            entry["township"] = i["township"]
        if load_cap is not None:
            room = max(0, load_cap - i["load"])
            if room < total_k:
                entry["capacity"] = room
        out.append(entry)
    return out


def plan_freeze(plan: DrawPlan, *, draw_uid: str, draw_date: dt.date, redraw: bool = False) -> dict:
    """Everything a draw depends on, computed from the database now (a fixed number of queries)."""
    strata = list(plan.strata.all())
    if not strata:
        raise ValidationFailed("计划没有分层，无法承诺")
    scope = plan_scope_queryset(plan)
    excluded_sets = plan_exclusion_sets(plan, scope, today=draw_date)
    excluded_ids = set().union(*excluded_sets.values()) if excluded_sets else set()
    candidates = list(scope.values_list("pk", "uscc"))
    attrs = enterprise_strata_attributes(scope.values("pk"), on=draw_date)

    code_of = {pk: enterprise_code(uscc, pk) for pk, uscc in candidates}
    pools: dict[str, list[str]] = {s.key: [] for s in strata}
    pool_ids: dict[str, int] = {}
    unmatched = []
    for pk, _uscc in candidates:
        if pk in excluded_ids:
            continue
        a = attrs.get(pk)
        for s in strata:
            if a is not None and stratum_matches(s.filter or {}, a):
                pools[s.key].append(code_of[pk])
                pool_ids[code_of[pk]] = pk
                break
        else:
            unmatched.append(code_of[pk])

    inspectors = inspector_pool(draw_date=draw_date)
    badges = {i["badge"] for i in inspectors}
    excl_by_id = inspector_exclusions(list(pool_ids.values()), avoid_previous=plan.avoid_previous_inspector)
    exclusions = {
        code_of[eid]: sorted(b for b in bs if b in badges)
        for eid, bs in excl_by_id.items()
        if code_of.get(eid) in pool_ids
    }
    exclusions = {k: v for k, v in sorted(exclusions.items()) if v}
    townships = {}
    if plan.avoid_own_township:
        townships = {code: attrs[eid]["township"] for code, eid in sorted(pool_ids.items())}

    rules = {
        "inspectors_per_task": plan.inspectors_per_task,
        "load_cap": plan.load_cap,
        "avoid_own_township": plan.avoid_own_township,
        "avoid_previous_inspector": plan.avoid_previous_inspector,
        "avoid_declared_conflicts": True,
    }
    frozen_strata = [
        {
            "key": s.key,
            "label": s.label,
            "filter": s.filter or {},
            "proportion": None if s.proportion is None else str(s.proportion),
            "count": s.count,
            "codes": sorted(pools[s.key]),
        }
        for s in strata
    ]
    try:
        total_k = sum(q["k"] for q in hrs.strata_with_quota({"strata": frozen_strata}))
    except hrs.DrawInputError as exc:
        raise ValidationFailed(str(exc)) from exc
    inputs = {
        "algorithm": ALGORITHM_HRS_V2,
        "draw_uid": draw_uid,
        "draw_date": draw_date.isoformat(),
        "public_randomness": plan_public_randomness(plan, draw_date=draw_date, redraw=redraw),
        "strata": frozen_strata,
        "inspectors": public_inspector_entries(
            inspectors, load_cap=plan.load_cap, own_township=plan.avoid_own_township, total_k=total_k
        ),
        "exclusions": exclusions,
        "enterprise_townships": townships,
        "rules": rules,
    }
    try:
        hrs.validate_inputs(inputs)
    except hrs.DrawInputError as exc:
        raise ValidationFailed(str(exc)) from exc
    excluded = {reason: sorted(code_of[i] for i in ids if i in code_of) for reason, ids in excluded_sets.items()}
    excluded["no_stratum"] = sorted(unmatched)
    return {"inputs": inputs, "excluded": excluded}


def feasibility_problems(inputs: dict) -> list[str]:
    """Cheap necessary conditions, checked at commitment so a committed draw is very unlikely to be infeasible."""
    rules = inputs["rules"]
    n = rules["inspectors_per_task"]
    inspectors = inputs["inspectors"]
    total_k = sum(s["k"] for s in hrs.strata_with_quota(inputs))
    problems = []
    public = inputs.get("public_randomness")
    if public is not None:
        if not public["source"]:
            problems.append("请写明公开随机数的来源，如“中国福利彩票 双色球 第2026140期 开奖号码”")
        if public["date"] < inputs["draw_date"]:
            problems.append(f"公开随机数日期（{public['date']}）不能早于抽取日（{inputs['draw_date']}）")
    if total_k == 0:
        problems.append("冻结后的对象库为空或各分层抽取户数均为 0")
    if len(inspectors) < n:
        problems.append(f"执法证有效的在岗检查人员仅 {len(inspectors)} 人，少于每户 {n} 人")
    cap = rules.get("load_cap")
    if cap is not None:
        # an inspector serves each enterprise at most once: total_k is the most anyone can take in this draw
        room = sum(
            min(total_k, i["capacity"] if "capacity" in i else max(0, cap - int(i.get("load") or 0)))
            for i in inspectors
        )
        if room < n * total_k:
            problems.append(f"检查人员任务上限剩余容量 {room} 人次，少于需要的 {n * total_k} 人次")
    township_count: dict[str, int] = {}
    for i in inspectors:
        township = i.get("township") or ""
        township_count[township] = township_count.get(township, 0) + 1
    own = inputs.get("enterprise_townships") or {}
    short = []
    for s in inputs["strata"]:
        for code in s["codes"]:
            available = (
                len(inspectors)
                - len(inputs["exclusions"].get(code, ()))
                - township_count.get(own.get(code, ""), 0) * bool(own)
            )
            if available < n:
                short.append(code)
    if short:
        problems.append(f"{len(short)} 个对象回避后可抽检查人员少于 {n} 人（如 {', '.join(short[:3])}）")
    return problems


def enterprise_names(codes: Iterable[str]) -> dict[str, str]:
    """{draw code: enterprise name} for USCC and ``HN-<id>`` codes (two queries)."""
    codes = list(codes)
    usccs = [c for c in codes if not c.startswith("HN-")]
    ids = {int(c[3:]): c for c in codes if c.startswith("HN-") and c[3:].isdigit()}
    out = dict(Enterprise.objects.filter(uscc__in=usccs).values_list("uscc", "name")) if usccs else {}
    if ids:
        out.update({ids[pk]: name for pk, name in Enterprise.objects.filter(pk__in=ids).values_list("pk", "name")})
    return out


def stratum_conditions(filters: Iterable[dict]) -> list[list[str]]:
    """Each stratum filter in words: ["风险等级：C 级、D 级", "镇街：硖石街道"] (codes replaced by names; 2 queries)."""
    filters = list(filters)
    wanted = {dim: {v for f in filters for v in (f or {}).get(dim) or []} for dim in ("townships", "business_types")}
    names = {
        "townships": dict(Township.objects.filter(code__in=wanted["townships"]).values_list("code", "name"))
        if wanted["townships"]
        else {},
        "business_types": dict(
            BusinessType.objects.filter(code__in=wanted["business_types"]).values_list("code", "name")
        )
        if wanted["business_types"]
        else {},
        "grades": {g: f"{g} 级" for g in "ABCD"},
        "credit_classes": {c: f"{c} 类" for c in "ABCD"},
    }
    out = []
    for f in filters:
        lines = []
        for dim, label in STRATUM_DIMENSION_LABELS.items():
            values = (f or {}).get(dim) or []
            if values:
                lines.append(f"{label}：" + "、".join(names[dim].get(v, v) for v in values))
        out.append(lines or ["不限"])
    return out


def _rule_text(proportion, count) -> str:
    if proportion is not None:
        percent = (Decimal(str(proportion)) * 100).normalize()
        return f"{percent:f}%（向上取整）"
    return f"{count} 户"


def plan_commit_preview(plan: DrawPlan, *, listed: int = 200) -> dict:
    """What "承诺公示" would freeze right now: pool and quota per stratum, the excluded businesses by reason (with
    names), the inspector pool and the problems that would refuse the commitment. Reads only (the plan is got
    through ``plan_get(actor=…)`` by the caller); the commitment itself re-computes all of it under lock."""
    scheduled, draw_date = commit_draw_date(plan)
    base = {"draw_date": draw_date, "scheduled": scheduled, "listed": listed}
    try:
        frozen = plan_freeze(plan, draw_uid=f"HN{plan.year}-{plan.pk:05d}-0", draw_date=draw_date)
    except ValidationFailed as exc:
        return {**base, "problems": [exc.message], "strata": [], "exclusions": []}
    inputs = frozen["inputs"]
    quotas = hrs.strata_with_quota(inputs)
    conditions = stratum_conditions(s["filter"] for s in inputs["strata"])
    strata = [
        {
            "label": s["label"] or f"分层 {i + 1}",
            "conditions": conditions[i],
            "rule": _rule_text(s["proportion"], s["count"]),
            "pool": len(s["codes"]),
            "k": q["k"],
        }
        for i, (s, q) in enumerate(zip(inputs["strata"], quotas, strict=True))
    ]
    shown = {reason: codes[:listed] for reason, codes in frozen["excluded"].items()}
    names = enterprise_names(c for codes in shown.values() for c in codes)
    exclusions = [
        {
            "reason": reason,
            "label": EXCLUSION_REASON_LABELS.get(reason, reason),
            "count": len(codes),
            "rows": [(c, names.get(c, "")) for c in shown[reason]],
        }
        for reason, codes in frozen["excluded"].items()
    ]
    if plan.exclude_inspected_months:
        for e in exclusions:
            if e["reason"] == "inspected_recently":
                e["label"] = f"近 {plan.exclude_inspected_months} 个月内已检查的对象"
    return {
        **base,
        "strata": strata,
        "total_pool": sum(s["pool"] for s in strata),
        "total_k": sum(s["k"] for s in strata),
        "exclusions": exclusions,
        "excluded_total": sum(e["count"] for e in exclusions),
        "inspector_count": len(inputs["inspectors"]),
        "avoidance_count": len(inputs["exclusions"]),
        "inspectors_per_task": plan.inspectors_per_task,
        "public_randomness": inputs["public_randomness"],
        "problems": feasibility_problems(inputs),
    }


def draw_preview(draw: Draw) -> dict:
    """What "执行抽取" will draw from a committed draw: the published pools and quotas (no reads beyond the row)."""
    conditions = stratum_conditions(s.get("filter") or {} for s in draw.strata)
    strata = [
        {
            "label": s.get("label") or f"分层 {i + 1}",
            "conditions": conditions[i],
            "rule": _rule_text(s.get("proportion"), s.get("count")),
            "pool": len(s.get("codes") or []),
            "k": s.get("k", 0),
        }
        for i, s in enumerate(draw.strata)
    ]
    return {
        "strata": strata,
        "total_pool": sum(s["pool"] for s in strata),
        "total_k": sum(s["k"] for s in strata),
        "inspector_count": len(draw.inspectors),
        "inspectors_per_task": (draw.rules or {}).get("inspectors_per_task"),
    }


def draw_strata_display(draw: Draw) -> dict[str, str]:
    """{stratum key: its Chinese name} of a draw (the key is what the verifier uses; people read the label)."""
    return {s["key"]: s.get("label") or f"分层 {i + 1}" for i, s in enumerate(draw.strata)}


# ---------------------------------------------------------------------------- public verification record
def public_draws():
    """Every draw record, newest first (一公开: no actor)."""
    return Draw.objects.select_related("plan", "outcome").order_by("-committed_at", "-id")


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
        # as frozen: {"badge"[, "township"][, "capacity"]} since issue 8 (docs/draw.md); older draws keep the full
        # entries their published inputs_hash covers
        "inspectors": [dict(i) for i in draw.inspectors],
        "exclusions": draw.exclusions,
        "enterprise_townships": draw.enterprise_townships,
        "rules": draw.rules,
        **({"public_randomness": draw.public_randomness} if draw.algorithm == ALGORITHM_HRS_V2 else {}),
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


def person_name(user) -> str | None:
    """How a record names a person (the platform's display name); None for nobody."""
    return str(user) if user is not None else None


SYSTEM_ACTOR_NAME = "定时任务（系统）"


def utc_iso(value: dt.datetime | None) -> str | None:
    """A timestamp as signed records print it: ISO 8601 in UTC (the same instant whatever the request's zone)."""
    return value.astimezone(dt.UTC).isoformat() if value is not None else None


def excluded_published(draw: Draw) -> dict:
    """The exclusions as published: {reason: {"label", "codes"}} — the enterprise codes, not only counts."""
    return {
        reason: {"label": EXCLUSION_REASON_LABELS.get(reason, reason), "codes": list(codes)}
        for reason, codes in (draw.excluded or {}).items()
    }


def public_value_published(public_value) -> dict | None:
    if public_value is None:
        return None
    return {
        "values": list(public_value.values),
        "witnesses": list(public_value.witnesses or []),
        "canonical_sha256": hrs.sha256_hex(hrs.canonical_json(list(public_value.values))),
        "entered_at": utc_iso(public_value.entered_at),
        "entered_by": person_name(public_value.entered_by),
    }


def compose_v2_record(
    draw: Draw,
    *,
    status: str,
    seed_hex: str | None,
    derived_seed_hex: str | None,
    drawn_at,
    drawn_by,
    public_value,
    result_hash: str | None,
    names: dict[str, str],
) -> dict:
    """The signed part of the hrs-v2 record (docs/draw.md "hrs-v2, exactly"), stored in ``DrawOutcome.record`` and
    signed as ``hrs.signing_payload(record)`` at the draw; the published record adds ``inputs`` and ``result``
    (bound by ``inputs_hash`` / ``result_hash``) and the signature."""
    plan = draw.plan
    return {
        "format": "hrs-v2/draw-record/1",
        "algorithm": draw.algorithm,
        "draw_uid": draw.draw_uid,
        "status": status,
        "plan": {"id": plan.pk, "name": plan.name, "year": plan.year, "round": draw.round, "attempt": draw.attempt},
        "redraw_of": draw.parent.draw_uid if draw.parent_id else None,
        "redraw_reason": draw.reason or None,
        "redraw_requested_by": person_name(draw.requested_by) if draw.requested_by_id else None,
        "redraw_approved_by": person_name(draw.approved_by) if draw.approved_by_id else None,
        "committed_at": utc_iso(draw.committed_at),
        "committed_by": person_name(draw.committed_by) if draw.committed_by_id else None,
        "scheduled_at": utc_iso(draw.scheduled_at),
        "seed_commitment": draw.seed_commitment,
        "public_randomness": dict(draw.public_randomness),
        "public_value": public_value_published(public_value),
        "seed": seed_hex,
        "derived_seed": derived_seed_hex,
        "drawn_at": utc_iso(drawn_at),
        "drawn_by": (person_name(drawn_by) if drawn_by is not None else SYSTEM_ACTOR_NAME) if drawn_at else None,
        "inputs_hash": draw.inputs_hash,
        "pool_hashes": {s["key"]: s["pool_hash"] for s in draw.strata},
        "quotas": {s["key"]: s["k"] for s in draw.strata},
        "excluded": excluded_published(draw),
        "excluded_counts": {reason: len(codes) for reason, codes in (draw.excluded or {}).items()},
        "result_hash": result_hash,
        "enterprise_names": names,
    }


def _v2_record(draw: Draw) -> dict:
    outcome = draw.outcome_or_none
    if outcome is not None and outcome.record:
        # exactly as signed at the draw (names and times as they were); the public key is published beside it
        from . import signing

        return {
            **outcome.record,
            # bound by the signed inputs_hash / result_hash: rebuilt from the rows, as for hrs-v1
            "inputs": draw_inputs(draw),
            "result": draw_stored_result(draw),
            "signature": {**outcome.signature, "public_key": signing.public_key_b64()},
        }
    return {
        **compose_v2_record(
            draw,
            status=draw.status,
            seed_hex=None,
            derived_seed_hex=None,
            drawn_at=None,
            drawn_by=None,
            public_value=draw.public_value_or_none,
            result_hash=None,
            names={},
        ),
        "inputs": draw_inputs(draw),
        "result": None,
        "signature": None,
    }


def draw_record(draw: Draw) -> dict:
    """The public verification document (JSON download; input of tools/verify_draw.py)."""
    if draw.is_v2:
        return _v2_record(draw)
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
        "excluded": excluded_published(draw),
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
    if draw.is_v2:
        public_value = draw.public_value_or_none
        problems += signed_record_problems(draw, outcome, public_value)
        if public_value is None:  # a cancelled hrs-v2 draw before its public value: nothing to re-compute
            if outcome.status != DrawOutcomeStatus.CANCELLED:
                problems.append("已抽取的 hrs-v2 抽取没有公开随机数")
            return problems
        seed = hrs.derive_seed_v2(
            seed, draw_uid=draw.draw_uid, inputs_hash=draw.inputs_hash, public_values=public_value.values
        )
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


def signed_record_problems(draw: Draw, outcome, public_value) -> list[str]:
    """hrs-v2: the stored signed record carries a valid platform signature and says what the rows say."""
    from . import signing

    record = outcome.record or {}
    if not record or not signing.verify(hrs.signing_payload(record), outcome.signature or {}):
        return ["公示记录的平台签名无效或缺失"]
    problems = []
    expected = {
        "draw_uid": draw.draw_uid,
        "algorithm": draw.algorithm,
        "status": outcome.status,
        "seed_commitment": draw.seed_commitment,
        "seed": outcome.seed,
        "inputs_hash": draw.inputs_hash,
        "result_hash": outcome.result_hash or None,
        "public_randomness": dict(draw.public_randomness),
    }
    for key, value in expected.items():
        if record.get(key) != value:
            problems.append(f"签名记录的 {key} 与存储的抽取不一致")
    recorded_values = (record.get("public_value") or {}).get("values")
    if recorded_values != (list(public_value.values) if public_value is not None else None):
        problems.append("签名记录的公开随机数与录入的不一致")
    if "inputs" in record or "result" in record:  # stored without them: bound by the hashes above
        problems.append("签名记录的结构不对")
    return problems


# ---------------------------------------------------------------------------- the tasks of a draw
def tasks_of_draw(*, actor, draw):
    """The tasks a draw produced (scoped), in the order of its selections, with their inspectors."""
    return (
        InspectionTask.objects.visible_to(actor)
        .filter(draw=draw)
        .select_related("enterprise", "enterprise__township", "enterprise__business_type", "draw", "plan", "selection")
        .prefetch_related(
            Prefetch("task_inspectors", queryset=TaskInspector.objects.select_related("inspector").order_by("order"))
        )
        .order_by("selection__order")
    )


# ---------------------------------------------------------------------------- home-page figures
# Each figure counts the rows of a list page opened with the filter named beside it (apps.dashboard links so).
def active_draw_plan_count(*, actor) -> int:
    """Home figure 进行中的抽查计划; its link is the plan list with ``?active=1`` (the same FilterSet)."""
    return plan_list(actor=actor, filters={"active": "1"}).count()
