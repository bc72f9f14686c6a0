"""Writes for 双随机: plans, commitment (seed + frozen pool), the public randomness value, the draw, re-draws. Each in
one transaction with one audit event. The draw itself is computed by the pure functions in ``algorithm.py``; new
draws are hrs-v2 (sealed seed encrypted at rest, seed derived with a public value, record signed — docs/draw.md),
draws committed before stay hrs-v1."""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from apps.common.audit import audit_record, diff, model_snapshot
from apps.common.exceptions import Conflict, InvalidTransition, ValidationFailed
from apps.common.permissions import require_perm

from ..choices import (
    ALGORITHM_HRS_V2,
    DrawOutcomeStatus,
    DrawPlanStatus,
    DrawStatus,
    RedrawRequestStatus,
    TaskInspectorRole,
    TaskKind,
    TaskSource,
    TaskStatus,
)
from ..models import (
    Draw,
    DrawInspectorAssignment,
    DrawOutcome,
    DrawPlan,
    DrawPublicValue,
    DrawSeal,
    DrawSelection,
    DrawStratum,
    InspectionTask,
    Inspector,
    RedrawRequest,
    TaskInspector,
)
from ..models.draws import STRATUM_COUNT_MAX
from . import algorithm as hrs
from . import signing
from .selectors import commit_draw_date, compose_v2_record, enterprise_names, feasibility_problems, plan_freeze

DEFAULT_TASK_DAYS = 30
PLAN_FIELDS = (
    "name",
    "year",
    "round_label",
    "description",
    "exclude_inspected_months",
    "exclude_closed",
    "exclude_open_same_round",
    "inspectors_per_task",
    "avoid_previous_inspector",
    "avoid_own_township",
    "load_cap",
    "task_due_date",
    "scheduled_at",
    "randomness_kind",
    "randomness_source",
    "randomness_date",
)
PLAN_M2M = ("townships", "business_types", "check_items")


# ---------------------------------------------------------------------------- strata input
def _clean_strata(strata: list[dict]) -> list[dict]:
    """Validate stratum dicts: {"key", "label", "filter", "proportion" | "count"}."""
    if not strata:
        raise ValidationFailed("至少需要一个分层", fields={"strata": ["至少需要一个分层"]})
    out, keys = [], set()
    for i, s in enumerate(strata):
        key = (s.get("key") or "").strip()
        try:
            hrs.validate_key(key, "分层代码")
        except hrs.DrawInputError as exc:
            raise ValidationFailed(str(exc), fields={"strata": [str(exc)]})
        if key in keys:
            raise ValidationFailed(f"分层代码重复：{key}", fields={"strata": [f"分层代码重复：{key}"]})
        keys.add(key)
        proportion, count = s.get("proportion"), s.get("count")
        if proportion in ("", None):
            proportion = None
        if count in ("", None):
            count = None
        try:
            proportion = None if proportion is None else Decimal(str(proportion)).quantize(Decimal("0.0001"))
            count = None if count is None else int(count)
            hrs.stratum_quota(10, proportion=None if proportion is None else str(proportion), count=count)
            if count is not None and count > STRATUM_COUNT_MAX:
                raise hrs.DrawInputError(f"抽取户数应在 0–{STRATUM_COUNT_MAX} 之间")
        except (hrs.DrawInputError, ArithmeticError, ValueError) as exc:
            msg = str(exc) if isinstance(exc, hrs.DrawInputError) else "比例或户数无效"
            raise ValidationFailed(msg, fields={"strata": [f"分层 {key}：{msg}"]})
        filter_ = {
            dim: sorted({str(v) for v in (s.get("filter") or {}).get(dim) or []})
            for dim in ("grades", "credit_classes", "townships", "business_types")
        }
        filter_ = {k: v for k, v in filter_.items() if v}
        out.append(
            {
                "key": key,
                "label": (s.get("label") or "").strip()[:100],
                "filter": filter_,
                "proportion": proportion,
                "count": count,
                "order": i,
            }
        )
    return out


def _set_strata(plan: DrawPlan, strata: list[dict]):
    plan.strata.all().delete()
    DrawStratum.objects.bulk_create([DrawStratum(plan=plan, **s) for s in strata])


# ---------------------------------------------------------------------------- plans
def _full_clean(plan: DrawPlan):
    """Model validators (domain bounds) as a ValidationFailed with the Chinese messages per field."""
    try:
        plan.full_clean(exclude=list(PLAN_M2M))
    except DjangoValidationError as exc:
        fields = exc.message_dict
        raise ValidationFailed("；".join(m for ms in fields.values() for m in ms), fields=fields) from exc


@transaction.atomic
def plan_create(*, actor, strata: list[dict], **data) -> DrawPlan:
    require_perm(actor, "inspections.add_drawplan")
    m2m = {name: data.pop(name, None) for name in PLAN_M2M}
    unknown = set(data) - set(PLAN_FIELDS)
    if unknown:
        raise ValidationFailed(f"未知字段：{', '.join(sorted(unknown))}")
    clean = _clean_strata(strata)
    plan = DrawPlan(created_by=actor, **data)
    _full_clean(plan)
    plan.save()
    for name, values in m2m.items():
        if values is not None:
            getattr(plan, name).set(values)
    _set_strata(plan, clean)
    audit_record(
        "inspections.plan_create", obj=plan, actor=actor, changes=model_snapshot(plan), extra={"strata": clean}
    )
    return plan


@transaction.atomic
def plan_update(
    *, actor, plan_id: int, version: int | None = None, strata: list[dict] | None = None, **data
) -> DrawPlan:
    require_perm(actor, "inspections.change_drawplan")
    plan = DrawPlan.objects.visible_to(actor).select_for_update().get(pk=plan_id)
    if not plan.is_editable:
        raise InvalidTransition("计划已承诺公示，不能再修改（如需变更请取消后重建）")
    if version is not None and version != plan.version:
        raise Conflict()
    before = model_snapshot(plan)
    m2m = {name: data.pop(name, None) for name in PLAN_M2M}
    unknown = set(data) - set(PLAN_FIELDS)
    if unknown:
        raise ValidationFailed(f"未知字段：{', '.join(sorted(unknown))}")
    for field, value in data.items():
        setattr(plan, field, value)
    plan.version += 1
    _full_clean(plan)
    plan.save()
    for name, values in m2m.items():
        if values is not None:
            getattr(plan, name).set(values)
    extra = {}
    if strata is not None:
        clean = _clean_strata(strata)
        _set_strata(plan, clean)
        extra["strata"] = clean
    audit_record(
        "inspections.plan_update", obj=plan, actor=actor, changes=diff(before, model_snapshot(plan)), extra=extra
    )
    return plan


@transaction.atomic
def plan_cancel(*, actor, plan_id: int, reason: str) -> DrawPlan:
    require_perm(actor, "inspections.change_drawplan")
    if not (reason or "").strip():
        raise ValidationFailed("请填写取消原因", fields={"reason": ["请填写取消原因"]})
    plan = DrawPlan.objects.visible_to(actor).select_for_update().get(pk=plan_id)
    if not plan.can_transition_to(DrawPlanStatus.CANCELLED):
        raise InvalidTransition("已抽取或已取消的计划不能取消；如需重新抽取请提出重新抽取申请")
    before = model_snapshot(plan)
    revealed = _reveal_on_cancel(plan=plan, actor=actor, reason=reason.strip())
    plan.status = DrawPlanStatus.CANCELLED
    plan.cancelled_at = timezone.now()
    plan.cancel_reason = reason.strip()[:200]
    plan.version += 1
    plan.save()
    audit_record(
        "inspections.plan_cancel",
        obj=plan,
        actor=actor,
        changes=diff(before, model_snapshot(plan)),
        extra={"revealed_draw": revealed.draw_uid if revealed else None},
    )
    return plan


def _reveal_on_cancel(*, plan: DrawPlan, actor, reason: str) -> Draw | None:
    """Cancelling a committed plan publishes its seed and the hash of the result it would have had, so that nobody
    can commit, peek at the sealed seed, cancel and commit again unseen (every commitment is eventually opened)."""
    from .selectors import draw_inputs

    draw = Draw.objects.filter(plan=plan, outcome__isnull=True).order_by("-attempt").first()
    if draw is None:
        return None
    seal = DrawSeal.objects.get(draw=draw)
    seed = hrs.seed_from_hex(seal.seed_hex)
    now = timezone.now()
    inputs = draw_inputs(draw)
    if not draw.is_v2:
        DrawOutcome.objects.create(
            draw=draw,
            status=DrawOutcomeStatus.CANCELLED,
            seed=seal.seed_hex,
            drawn_at=now,
            drawn_by=actor,
            result_hash=hrs.result_hash(hrs.compute_draw(inputs, seed)),
            selected_count=0,
            error={"cancelled": reason},
        )
        return draw
    # hrs-v2: the seal is opened too; the would-be result exists only once the public value is known
    public_value = DrawPublicValue.objects.filter(draw=draw).select_related("entered_by").first()
    derived_hex, result_hash = None, ""
    if public_value is not None:
        derived, result = hrs.compute_draw_v2(inputs, seed, public_value.values)
        derived_hex, result_hash = derived.hex(), hrs.result_hash(result)
    record = compose_v2_record(
        draw,
        status=DrawOutcomeStatus.CANCELLED,
        seed_hex=seed.hex(),
        derived_seed_hex=derived_hex,
        drawn_at=now,
        drawn_by=actor,
        public_value=public_value,
        result_hash=result_hash or None,
        names={},
    )
    record["cancel_reason"] = reason
    DrawOutcome.objects.create(
        draw=draw,
        status=DrawOutcomeStatus.CANCELLED,
        seed=seed.hex(),
        drawn_at=now,
        drawn_by=actor,
        result_hash=result_hash,
        selected_count=0,
        error={"cancelled": reason},
        record=record,
        signature=signing.sign(hrs.signing_payload(record)),
    )
    return draw


def _draw_uid(plan: DrawPlan, attempt: int) -> str:
    return f"HN{plan.year}-{plan.pk:05d}-{attempt}"


def _commit_draw(*, actor, plan: DrawPlan, attempt: int, parent: Draw | None = None, **redraw) -> Draw:
    scheduled, draw_date = commit_draw_date(plan, redraw=parent is not None)
    draw_uid = _draw_uid(plan, attempt)
    frozen = plan_freeze(plan, draw_uid=draw_uid, draw_date=draw_date, redraw=parent is not None)
    inputs = frozen["inputs"]
    problems = feasibility_problems(inputs)
    if problems:
        raise ValidationFailed("无法承诺：" + "；".join(problems), fields={"plan": problems})
    seed = secrets.token_bytes(hrs.SEED_BYTES)
    published_strata = [
        {**s, "k": q["k"], "pool_hash": q["pool_hash"]}
        for s, q in zip(inputs["strata"], hrs.strata_with_quota(inputs), strict=True)
    ]
    try:
        with transaction.atomic():
            draw = Draw.objects.create(
                plan=plan,
                round=plan.round_label,
                attempt=attempt,
                draw_uid=draw_uid,
                algorithm=ALGORITHM_HRS_V2,
                seed_commitment=hrs.seed_commitment(seed),
                strata=published_strata,
                inspectors=inputs["inspectors"],
                exclusions=inputs["exclusions"],
                enterprise_townships=inputs["enterprise_townships"],
                rules=inputs["rules"],
                excluded=frozen["excluded"],
                public_randomness=inputs["public_randomness"],
                inputs_hash=hrs.inputs_hash(inputs),
                draw_date=draw_date,
                scheduled_at=scheduled,
                committed_by=actor,
                parent=parent,
                **redraw,
            )
            DrawSeal.objects.create(draw=draw, sealed=seed.hex())  # AES-256-GCM at rest (apps.common.crypto)
    except IntegrityError:
        raise Conflict("该计划本批次已承诺或已抽取，不能重复操作")
    # stored JSON must re-hash to the committed inputs (guards against lossy serialisation)
    stored = Draw.objects.get(pk=draw.pk)
    from .selectors import draw_inputs

    if hrs.inputs_hash(draw_inputs(stored)) != stored.inputs_hash:  # pragma: no cover - a programming error
        raise AssertionError("frozen inputs did not survive storage unchanged")
    return stored


@transaction.atomic
def plan_commit(*, actor, plan_id: int) -> Draw:
    """Freeze the pool, generate the seed and publish its commitment — before the draw (PRODUCT.md §4)."""
    require_perm(actor, "inspections.add_draw")
    plan = DrawPlan.objects.visible_to(actor).select_for_update().get(pk=plan_id)
    if not plan.can_transition_to(DrawPlanStatus.COMMITTED):
        raise InvalidTransition("只有草稿状态的计划可以承诺公示")
    draw = _commit_draw(actor=actor, plan=plan, attempt=1)
    before = model_snapshot(plan)
    plan.status = DrawPlanStatus.COMMITTED
    plan.committed_at = draw.committed_at
    plan.approved_by = actor
    plan.version += 1
    plan.save()
    audit_record(
        "inspections.plan_commit",
        obj=plan,
        actor=actor,
        changes=diff(before, model_snapshot(plan)),
        extra=commitment_audit(draw),
    )
    return draw


def commitment_audit(draw: Draw) -> dict:
    """What the audit chain keeps of a commitment (and the daily digest exports, AUD-06)."""
    return {
        "draw_uid": draw.draw_uid,
        "algorithm": draw.algorithm,
        "seed_commitment": draw.seed_commitment,
        "inputs_hash": draw.inputs_hash,
        "public_randomness": draw.public_randomness,
        "pool_hashes": {s["key"]: s["pool_hash"] for s in draw.strata},
    }


# ---------------------------------------------------------------------------- the draw
def _persist_result(*, draw: Draw, plan: DrawPlan, result: dict, actor, now) -> int:
    """Insert selections, inspector assignments, tasks and task inspectors (bulk, a fixed number of queries)."""
    from apps.enterprises.models import Enterprise

    sels = result["selections"]
    codes = [s["code"] for s in sels]
    uscc_codes = [c for c in codes if not c.startswith("HN-")]
    enterprise_ids = dict(Enterprise.objects.filter(uscc__in=uscc_codes).values_list("uscc", "pk"))
    for c in codes:
        if c.startswith("HN-"):
            enterprise_ids[c] = int(c[3:])
    badge_ids = dict(
        Inspector.objects.filter(badge_no__in={i["badge"] for i in draw.inspectors}).values_list("badge_no", "pk")
    )

    sel_table = DrawSelection._meta.db_table
    asg_table = DrawInspectorAssignment._meta.db_table
    if connection.vendor == "postgresql":
        # one statement per table whatever the size: arrays unnested server-side (no model instances)
        with connection.cursor() as cur:
            cur.execute(
                f"""
                INSERT INTO {sel_table} (draw_id, stratum_key, enterprise_id, code, rank, "order")
                SELECT %s, u.stratum_key, u.enterprise_id, u.code, u.rank, u.ord
                FROM unnest(%s::text[], %s::bigint[], %s::text[], %s::text[], %s::int[])
                    AS u(stratum_key, enterprise_id, code, rank, ord)
                """,
                [
                    draw.pk,
                    [x["stratum"] for x in sels],
                    [enterprise_ids[x["code"]] for x in sels],
                    [x["code"] for x in sels],
                    [x["rank"] for x in sels],
                    [x["order"] for x in sels],
                ],
            )
            selected = cur.rowcount
            flat = [(x["order"], i, ins) for x in sels for i, ins in enumerate(x["inspectors"])]
            cur.execute(
                f"""
                INSERT INTO {asg_table} (selection_id, inspector_id, badge, rank, "order")
                SELECT s.id, u.inspector_id, u.badge, u.rank, u.ord
                FROM unnest(%s::int[], %s::bigint[], %s::text[], %s::text[], %s::int[])
                    AS u(sel_order, inspector_id, badge, rank, ord)
                JOIN {sel_table} s ON s.draw_id = %s AND s."order" = u.sel_order
                """,
                [
                    [o for o, _i, _ins in flat],
                    [badge_ids[ins["badge"]] for _o, _i, ins in flat],
                    [ins["badge"] for _o, _i, ins in flat],
                    [ins["rank"] for _o, _i, ins in flat],
                    [i for _o, i, _ins in flat],
                    draw.pk,
                ],
            )
            assigned = cur.rowcount
    else:
        selection_rows = DrawSelection.objects.bulk_create(
            [
                DrawSelection(
                    draw=draw,
                    stratum_key=x["stratum"],
                    enterprise_id=enterprise_ids[x["code"]],
                    code=x["code"],
                    rank=x["rank"],
                    order=x["order"],
                )
                for x in sels
            ]
        )
        assigned = len(
            DrawInspectorAssignment.objects.bulk_create(
                [
                    DrawInspectorAssignment(
                        selection=row,
                        inspector_id=badge_ids[ins["badge"]],
                        badge=ins["badge"],
                        rank=ins["rank"],
                        order=i,
                    )
                    for row, x in zip(selection_rows, sels, strict=True)
                    for i, ins in enumerate(x["inspectors"])
                ]
            )
        )
        selected = len(selection_rows)
    due = plan.task_due_date or (timezone.localdate(now) + dt.timedelta(days=DEFAULT_TASK_DAYS))
    # Tasks and their inspectors are derived from the rows just written, set-based in the database (two statements,
    # no Python objects): task number = "<draw_uid>-<order>", the first drawn inspector leads.
    task_table = InspectionTask._meta.db_table
    link_table = TaskInspector._meta.db_table
    with connection.cursor() as cur:
        cur.execute(
            f"""
            INSERT INTO {task_table} (number, enterprise_id, kind, source, status, plan_id, draw_id, selection_id,
                rule_code, reason, due_date, cancelled_reason, created_by_id, version, created_at, updated_at)
            SELECT %s || '-' || CAST(s."order" AS TEXT), s.enterprise_id, %s, %s, %s, %s, %s, s.id,
                '', '', %s, '', %s, 1, %s, %s
            FROM {sel_table} s WHERE s.draw_id = %s ORDER BY s."order"
            """,
            [
                draw.draw_uid,
                TaskKind.ROUTINE_RANDOM,
                TaskSource.DRAW,
                TaskStatus.ASSIGNED,
                plan.pk,
                draw.pk,
                due,
                getattr(actor, "pk", None),
                now,
                now,
                draw.pk,
            ],
        )
        created = cur.rowcount
        cur.execute(
            f"""
            INSERT INTO {link_table} (task_id, inspector_id, role, "order", assignment_id, assigned_at)
            SELECT t.id, a.inspector_id, CASE WHEN a."order" = 0 THEN %s ELSE %s END, a."order", a.id, %s
            FROM {asg_table} a JOIN {task_table} t ON t.selection_id = a.selection_id
            WHERE t.draw_id = %s ORDER BY a.id
            """,
            [TaskInspectorRole.LEAD, TaskInspectorRole.MEMBER, now, draw.pk],
        )
    if not (created == selected == len(sels)) or assigned != sum(len(x["inspectors"]) for x in sels):
        raise AssertionError("draw rows and tasks disagree")  # pragma: no cover - would roll the draw back
    return created


@transaction.atomic
def draw_execute(*, actor, plan_id: int, now: dt.datetime | None = None) -> Draw:
    """Draw the plan's committed draw: one transaction stores seed, algorithm, result, tasks and the audit event.

    A plan + round is drawn once: a second call gets 409 (Conflict). ``actor=None`` is the beat task.
    """
    require_perm(actor, "inspections.add_draw", system_allowed=True)
    plans = DrawPlan.objects.visible_to(actor) if actor is not None else DrawPlan.objects.all()
    now = now or timezone.now()
    plan = plans.select_for_update().get(pk=plan_id)  # serialises concurrent draws of one plan
    if plan.status == DrawPlanStatus.CANCELLED:
        raise InvalidTransition("计划已取消")
    if plan.can_transition_to(DrawPlanStatus.COMMITTED):
        raise InvalidTransition("计划尚未承诺公示种子与对象库，不能抽取")
    draw = Draw.objects.filter(plan=plan, outcome__isnull=True).order_by("-attempt").first()
    if draw is None or not draw.can_transition_to(DrawStatus.DRAWN):
        raise Conflict("该计划本批次已完成抽取，不能重复抽取（如需重抽请提出申请并经他人批准）")
    if draw.scheduled_at and draw.scheduled_at > now:
        raise Conflict(f"未到公布的抽取时间（{timezone.localtime(draw.scheduled_at):%Y-%m-%d %H:%M}）")
    public_value = None
    if draw.is_v2:
        public_value = DrawPublicValue.objects.filter(draw=draw).select_related("entered_by").first()
        if public_value is None:
            source = draw.public_randomness
            raise Conflict(f"尚未录入公开随机数（{source.get('source')}，{source.get('date')} 起录入），不能抽取")
    seal = DrawSeal.objects.get(draw=draw)
    seed = hrs.seed_from_hex(seal.seed_hex)
    if hrs.seed_commitment(seed) != draw.seed_commitment:  # pragma: no cover - tampering with the seal
        raise Conflict("封存的种子与公布的承诺值不符，抽取中止")

    from .selectors import draw_inputs

    inputs = draw_inputs(draw)
    record = signature = {}
    if public_value is not None:
        derived, result = hrs.compute_draw_v2(inputs, seed, public_value.values)
    else:
        result = hrs.compute_draw(inputs, seed)
    status = DrawOutcomeStatus.INFEASIBLE if result["status"] == "infeasible" else DrawOutcomeStatus.DRAWN
    if public_value is not None:
        record = compose_v2_record(
            draw,
            status=status,
            seed_hex=seed.hex(),
            derived_seed_hex=derived.hex(),
            drawn_at=now,
            drawn_by=actor,
            public_value=public_value,
            result_hash=hrs.result_hash(result),
            names=enterprise_names(s["code"] for s in result["selections"]),
        )
        signature = signing.sign(hrs.signing_payload(record))
    try:
        with transaction.atomic():
            outcome = DrawOutcome.objects.create(
                draw=draw,
                status=status,
                seed=seed.hex(),
                drawn_at=now,
                drawn_by=actor,
                result_hash=hrs.result_hash(result),
                selected_count=len(result["selections"]),
                error=result.get("error") or {},
                record=record,
                signature=signature,
            )
    except IntegrityError:
        raise Conflict("该抽取已执行，不能重复抽取")
    created = 0
    if status == DrawOutcomeStatus.DRAWN:
        created = _persist_result(draw=draw, plan=plan, result=result, actor=actor, now=now)
    if plan.can_transition_to(DrawPlanStatus.DRAWN):  # a re-draw leaves a drawn plan drawn
        DrawPlan.objects.filter(pk=plan.pk).update(
            status=DrawPlanStatus.DRAWN, version=plan.version + 1, updated_at=now
        )
    audit_record(
        "inspections.draw_execute",
        obj=draw,
        actor=actor,
        extra={
            "algorithm": draw.algorithm,
            "seed": outcome.seed,
            "seed_commitment": draw.seed_commitment,
            "result_hash": outcome.result_hash,
            "status": status,
            "selected": outcome.selected_count,
            "tasks_created": created,
            "error": outcome.error,
            "public_values": public_value.values if public_value is not None else None,
            "signature": outcome.signature or None,
        },
    )
    draw.outcome = outcome
    return draw


# ---------------------------------------------------------------------------- hrs-v2: the public value
WITNESS_NAME_MAX = 50


def clean_public_values(draw: Draw, values, witnesses=None) -> tuple[list[str], list[str]]:
    """(normalized values, witness names) or ValidationFailed with the Chinese reason (shared by page and API)."""
    values = [v for v in (values or []) if isinstance(v, str) and v.strip()]
    witnesses = [w.strip() for w in (witnesses or []) if isinstance(w, str) and w.strip()]
    try:
        values = hrs.normalize_public_values(values)
    except hrs.DrawInputError as exc:
        raise ValidationFailed(str(exc), fields={"values": [str(exc)]})
    kind = (draw.public_randomness or {}).get("kind")
    if kind == "lottery":
        if len(values) != 1:
            msg = "开奖号码请作为一个数值录入（一行）"
            raise ValidationFailed(msg, fields={"values": [msg]})
        if witnesses:
            witnesses = witnesses[:1]
    else:
        if len(values) < 2:
            msg = "公开抽取会至少需要 2 名见证人各录入一个数值"
            raise ValidationFailed(msg, fields={"values": [msg]})
        if len(witnesses) != len(values):
            msg = f"请为每个数值写明见证人姓名（{len(values)} 个数值，{len(witnesses)} 个姓名）"
            raise ValidationFailed(msg, fields={"witnesses": [msg]})
    if any(len(w) > WITNESS_NAME_MAX for w in witnesses):
        msg = f"见证人姓名不超过 {WITNESS_NAME_MAX} 个字"
        raise ValidationFailed(msg, fields={"witnesses": [msg]})
    return values, witnesses


def public_value_available_on(draw: Draw) -> dt.date:
    return dt.date.fromisoformat(draw.public_randomness["date"])


@transaction.atomic
def public_value_enter(
    *, actor, plan_id: int, values, witnesses=None, draw_uid: str | None = None, now: dt.datetime | None = None
) -> DrawPublicValue:
    """hrs-v2: record the public value(s) the commitment named — once, not before the stated date. The draw seed is
    then HMAC(sealed seed, canonical values); the draw itself stays the separate, scheduled/confirmed step."""
    require_perm(actor, "inspections.add_draw")
    now = now or timezone.now()
    plan = DrawPlan.objects.visible_to(actor).select_for_update().get(pk=plan_id)
    draw = Draw.objects.filter(plan=plan, outcome__isnull=True).order_by("-attempt").first()
    if draw is None or plan.status == DrawPlanStatus.CANCELLED:
        raise Conflict("该计划没有待抽取的承诺")
    if draw_uid is not None and draw_uid != draw.draw_uid:
        raise Conflict("待抽取的承诺已变化，请重新核对")
    if not draw.is_v2:
        raise InvalidTransition("该抽取使用 hrs-v1 算法，不需要公开随机数")
    available = public_value_available_on(draw)
    if timezone.localdate(now) < available:
        raise Conflict(f"承诺写明的公开随机数日期是 {available:%Y-%m-%d}，此前不能录入")
    values, witnesses = clean_public_values(draw, values, witnesses)
    try:
        with transaction.atomic():
            row = DrawPublicValue.objects.create(
                draw=draw, values=values, witnesses=witnesses, entered_at=now, entered_by=actor
            )
    except IntegrityError:
        raise Conflict("该抽取的公开随机数已录入，不能更改")
    audit_record(
        "inspections.public_value_enter",
        obj=draw,
        actor=actor,
        extra={
            "draw_uid": draw.draw_uid,
            "public_randomness": draw.public_randomness,
            "values": values,
            "witnesses": witnesses,
            "canonical_sha256": hrs.sha256_hex(hrs.canonical_json(values)),
        },
    )
    return row


# ---------------------------------------------------------------------------- re-draws
@transaction.atomic
def redraw_request(*, actor, draw_id: int, reason: str) -> RedrawRequest:
    require_perm(actor, "inspections.add_draw")
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise ValidationFailed("请写明重新抽取的理由", fields={"reason": ["请写明重新抽取的理由（至少 4 个字）"]})
    draw = Draw.objects.visible_to(actor).select_related("plan").get(pk=draw_id)
    if draw.can_transition_to(DrawStatus.DRAWN):  # still committed: nothing drawn yet
        raise InvalidTransition("尚未抽取的抽取不能申请重新抽取")
    if Draw.objects.filter(parent=draw).exists():
        raise InvalidTransition("该抽取已被重新抽取，请对最新一次抽取提出申请")
    try:
        with transaction.atomic():
            req = RedrawRequest.objects.create(draw=draw, reason=reason, requested_by=actor)
    except IntegrityError:
        raise Conflict("该抽取已有待审批的重新抽取申请")
    audit_record(
        "inspections.redraw_request", obj=req, actor=actor, extra={"draw_uid": draw.draw_uid, "reason": reason}
    )
    return req


@transaction.atomic
def redraw_decide(*, actor, request_id: int, approve: bool, note: str = "") -> RedrawRequest:
    """A second user approves (→ a new committed Draw listed beside the first) or rejects a re-draw request."""
    require_perm(actor, "inspections.add_draw")
    req = (
        RedrawRequest.objects.visible_to(actor)
        .select_for_update()
        .select_related("draw", "draw__plan")
        .get(pk=request_id)
    )
    decision = RedrawRequestStatus.APPROVED if approve else RedrawRequestStatus.REJECTED
    if not req.can_transition_to(decision):
        raise InvalidTransition("该申请已处理")
    if req.requested_by_id == actor.pk:
        raise PermissionDenied("重新抽取须由申请人以外的人员批准")
    plan = DrawPlan.objects.select_for_update().get(pk=req.draw.plan_id)
    req.decided_by = actor
    req.decided_at = timezone.now()
    req.decision_note = (note or "").strip()[:200]
    if not approve:
        req.status = RedrawRequestStatus.REJECTED
        req.save()
        audit_record("inspections.redraw_reject", obj=req, actor=actor, extra={"draw_uid": req.draw.draw_uid})
        return req
    parent = req.draw
    # tasks of the replaced draw that have not started are cancelled before the new pool and loads are frozen
    cancelled = InspectionTask.objects.filter(draw=parent, status=TaskStatus.ASSIGNED).update(
        status=TaskStatus.CANCELLED, cancelled_reason=f"已重新抽取：{req.reason}"[:200], updated_at=timezone.now()
    )
    new_draw = _commit_draw(
        actor=actor,
        plan=plan,
        attempt=parent.attempt + 1,
        parent=parent,
        reason=req.reason,
        requested_by=req.requested_by,
        approved_by=actor,
    )
    req.status = RedrawRequestStatus.APPROVED
    req.new_draw = new_draw
    req.save()
    audit_record(
        "inspections.redraw_approve",
        obj=new_draw,
        actor=actor,
        extra={
            "parent": parent.draw_uid,
            "reason": req.reason,
            "requested_by": req.requested_by_id,
            **commitment_audit(new_draw),
            "tasks_cancelled": cancelled,
        },
    )
    return req


# ---------------------------------------------------------------------------- beat
def draws_run_due(*, now: dt.datetime | None = None) -> list[str]:
    """Execute every committed plan whose scheduled time has come (Celery beat). Each plan in its own transaction;
    a plan another worker already drew is skipped (409)."""
    from .selectors import plans_due

    now = now or timezone.now()
    done = []
    for plan_id in list(plans_due(now=now).values_list("pk", flat=True)):
        try:
            draw = draw_execute(actor=None, plan_id=plan_id, now=now)
        except (Conflict, InvalidTransition):
            continue
        done.append(draw.draw_uid)
    return done
