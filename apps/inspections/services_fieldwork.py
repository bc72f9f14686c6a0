"""Writes of the inspection fieldwork (issue 5 points 5–9): tasks by rule (重点检查) or by hand (飞行检查), the result
on a phone (draft → save → finalise, photos, signatures, corrections), rectification orders with follow-up tasks,
publication (一公开) with the objection window, and the beat task that publishes what is due.

Every function is one transaction with one audit event (several for a batch). Rules of who may write a result
(SECURITY.md ACL-05): the task must be visible to the actor (else 404), the actor needs
``inspections.add_inspectionresult`` (else 403), and a person must be one of the task's assigned inspectors (else
403); an API client's service account with ``inspections:write`` writes for the tasks in its scope. A final result
is never changed: a second finalisation or an edit answers 409 (CONC-03); a correction is a new linked record.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import uuid
from collections import defaultdict
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.common import hooks
from apps.common.audit import audit_record, diff, model_snapshot
from apps.common.exceptions import Conflict, DomainError, InvalidTransition, OutOfScope, ValidationFailed
from apps.common.permissions import require_perm
from apps.common.workdays import WorkdayCalendar, add_working_days
from apps.enterprises.choices import EnterpriseStatus
from apps.enterprises.models import Enterprise
from apps.standards.models import CheckItem

from .choices import (
    InspectionOutcome,
    ItemVerdict,
    ObjectionDecision,
    PenaltyKind,
    PublicationStatus,
    RectificationStatus,
    ResultStatus,
    TaskInspectorRole,
    TaskKind,
    TaskSource,
    TaskStatus,
)
from .models import (
    InspectionResult,
    InspectionTask,
    Inspector,
    ItemResult,
    Objection,
    Photo,
    Publication,
    Rectification,
    TaskInspector,
)
from .selectors import enterprise_strata_attributes, inspector_exclusions
from .selectors_fieldwork import (
    content_digest,
    failed_check_items,
    key_rule_matches,
    key_rules_in_force,
    publication_hold,
    publications_due,
    result_content,
    seal_of,
    task_check_items,
)

log = logging.getLogger(__name__)


# ---------------------------------------------------------------------------- configuration (settings override)
def _setting(name: str, default):
    return getattr(settings, name, default)


def publication_working_days() -> int:
    """Order 49 Art 39: results are published within 20 working days of being formed."""
    return int(_setting("INSPECTION_PUBLICATION_WORKING_DAYS", 20))


def objection_working_days() -> int:
    """The enterprise may object within this many working days; publication waits for the window (and decisions)."""
    return int(_setting("INSPECTION_OBJECTION_WORKING_DAYS", 5))


def rectification_working_days_default() -> int:
    return int(_setting("INSPECTION_RECTIFICATION_WORKING_DAYS", 10))


def follow_up_extra_working_days() -> int:
    """The follow-up inspection is due this many working days after the rectification deadline."""
    return int(_setting("INSPECTION_FOLLOW_UP_WORKING_DAYS", 5))


def flying_due_working_days() -> int:
    return int(_setting("INSPECTION_FLYING_DUE_WORKING_DAYS", 5))


def photo_max_bytes() -> int:
    return int(_setting("INSPECTION_PHOTO_MAX_BYTES", 10 * 1024 * 1024))


def photo_max_pixels() -> int:
    """Decompression-bomb cap (FILE-08): width × height of an accepted photo."""
    return int(_setting("INSPECTION_PHOTO_MAX_PIXELS", 50_000_000))


PHOTOS_PER_RESULT = 30
SIGNATURE_MAX_BYTES = 512 * 1024
SIGNATURE_MAX_PIXELS = 4_000_000
RECTIFICATION_DAYS_RANGE = (1, 60)

RESULT_FIELDS = (
    "outcome",
    "summary",
    "inspected_at",
    "case_number",
    "penalty_kind",
    "penalty_decision_no",
    "penalty_amount",
    "penalised_person_name",
    "penalised_person_position",
    "penalised_person_amount",
    "rectification_requirements",
    "rectification_working_days",
    "operator_signer_name",
    "operator_refused_to_sign",
    "latitude",
    "longitude",
    "location_accuracy_m",
    "correction_reason",
)


def _is_service(actor) -> bool:
    return bool(getattr(actor, "is_service_account", False))


def _new_number(prefix: str, day: dt.date) -> str:
    return f"{prefix}{day:%Y%m%d}-{uuid.uuid4().hex[:6].upper()}"


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
    from .selectors import inspector_pool

    pool = inspector_pool(draw_date=on)
    townships = dict(Inspector.objects.filter(pk__in=[i["id"] for i in pool]).values_list("pk", "township_id"))
    return [{**i, "township_id": townships.get(i["id"])} for i in pool]


# ---------------------------------------------------------------------------- results: access
def _task_for_write(actor, task_id, *, lock: bool = True) -> InspectionTask:
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise PermissionDenied
    qs = InspectionTask.objects.visible_to(actor)
    if lock:
        qs = qs.select_for_update(of=("self",))
    try:
        task = qs.get(pk=task_id)
    except (InspectionTask.DoesNotExist, ValueError, TypeError):
        raise OutOfScope() from None
    if not actor.has_perm("inspections.add_inspectionresult"):
        raise PermissionDenied
    if not _is_service(actor) and not TaskInspector.objects.filter(task=task, inspector__user=actor).exists():
        raise PermissionDenied("只有被指派的检查人员可以填写检查结果")
    return task


def _result_for_write(actor, result_id) -> tuple[InspectionResult, InspectionTask]:
    """The result locked for update (its task checked for write access first)."""
    try:
        task_id = InspectionResult.objects.visible_to(actor).values_list("task_id", flat=True).get(pk=result_id)
    except (InspectionResult.DoesNotExist, ValueError, TypeError):
        raise OutOfScope() from None
    task = _task_for_write(actor, task_id)
    result = InspectionResult.objects.select_for_update(of=("self",)).get(pk=result_id)
    return result, task


# ---------------------------------------------------------------------------- results: draft
@transaction.atomic
def result_start(*, actor, task_id: int) -> InspectionResult:
    """Open (or return) the task's draft record; the task moves to 检查中."""
    task = _task_for_write(actor, task_id)
    if not task.can_transition_to(TaskStatus.FINALISED):
        raise InvalidTransition("任务已完成或已取消；如需修改已定稿的记录，请提出更正")
    draft = InspectionResult.objects.filter(task=task, status=ResultStatus.DRAFT).first()
    if draft is not None:
        return draft
    now = timezone.now()
    revision = (
        InspectionResult.objects.filter(task=task).order_by("-revision").values_list("revision", flat=True).first() or 0
    ) + 1
    try:
        with transaction.atomic():
            draft = InspectionResult.objects.create(task=task, revision=revision, inspected_at=now, created_by=actor)
    except IntegrityError:
        raise Conflict("该任务已有正在填写的记录，请刷新") from None
    if task.can_transition_to(TaskStatus.IN_PROGRESS):
        task.status = TaskStatus.IN_PROGRESS
        task.started_at = now
        task.version += 1
        task.save(update_fields=["status", "started_at", "version", "updated_at"])
    audit_record("inspections.result_start", obj=draft, actor=actor, extra={"task": task.number})
    return draft


def _clean_decimal(value, field: str, errors: dict, *, low=None, high=None):
    if value in (None, ""):
        return None
    try:
        d = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        errors[field] = ["必须是数字"]
        return None
    if not d.is_finite() or (low is not None and d < low) or (high is not None and d > high):
        errors[field] = ["超出允许范围"]
        return None
    return d


def _clean_fields(data: dict) -> tuple[dict, dict]:
    """Validate the editable fields of a draft; returns (clean values, errors by field)."""
    errors: dict[str, list[str]] = {}
    unknown = sorted(set(data) - set(RESULT_FIELDS))
    if unknown:
        raise ValidationFailed(f"未知字段：{', '.join(unknown)}", fields={k: ["未知字段"] for k in unknown})
    clean = {}
    for key, value in data.items():
        if key == "outcome":
            value = value or ""
            if value and value not in InspectionOutcome.values:
                errors[key] = ["无效的检查结论"]
        elif key == "penalty_kind":
            value = value or ""
            if value and value not in PenaltyKind.values:
                errors[key] = ["无效的处罚种类"]
        elif key in ("penalty_amount", "penalised_person_amount"):
            value = _clean_decimal(value, key, errors, low=Decimal(0), high=Decimal("9999999999.99"))
            if value is not None:
                value = value.quantize(Decimal("0.01"))
        elif key == "latitude":
            value = _clean_decimal(value, key, errors, low=Decimal(-90), high=Decimal(90))
            value = None if value is None else value.quantize(Decimal("0.000001"))
        elif key == "longitude":
            value = _clean_decimal(value, key, errors, low=Decimal(-180), high=Decimal(180))
            value = None if value is None else value.quantize(Decimal("0.000001"))
        elif key == "location_accuracy_m":
            d = _clean_decimal(value, key, errors, low=Decimal(0), high=Decimal(100000))
            value = None if d is None else int(d)
        elif key == "rectification_working_days":
            low, high = RECTIFICATION_DAYS_RANGE
            d = _clean_decimal(value, key, errors, low=Decimal(low), high=Decimal(high))
            if d is not None and d != int(d):
                errors[key] = ["必须是整数"]
            value = None if d is None else int(d)
        elif key == "operator_refused_to_sign":
            value = bool(value) and str(value).lower() not in ("0", "false", "off", "")
        elif key == "inspected_at":
            if value in (None, ""):
                value = None
            elif isinstance(value, str):
                from django.utils.dateparse import parse_datetime

                parsed = parse_datetime(value)
                if parsed is None:
                    errors[key] = ["时间格式无效"]
                    continue
                value = timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed
            if value is not None and value > timezone.now() + dt.timedelta(minutes=10):
                errors[key] = ["检查时间不能晚于当前时间"]
        else:
            value = "" if value is None else str(value).strip()
            limit = InspectionResult._meta.get_field(key).max_length
            if limit and len(value) > limit:
                errors[key] = [f"不能超过 {limit} 个字"]
        clean[key] = value
    return clean, errors


def _clean_items(task: InspectionTask, items) -> dict[int, tuple[str, str]]:
    """items: {check item id: (verdict, note)} or [{"check_item": id, "verdict": .., "note": ..}]."""
    if isinstance(items, list):
        try:
            items = {int(row["check_item"]): (row.get("verdict") or "", row.get("note") or "") for row in items}
        except (KeyError, TypeError, ValueError):
            raise ValidationFailed("检查事项格式有误", fields={"items": ["每项需要 check_item 和 verdict"]}) from None
    allowed = {ci.pk for ci in task_check_items(task)}
    errors = {}
    clean = {}
    for pk, (verdict, note) in items.items():
        if pk not in allowed:
            errors[f"item-{pk}"] = ["不是本任务的检查事项"]
            continue
        verdict = verdict or ""
        if verdict and verdict not in ItemVerdict.values:
            errors[f"item-{pk}"] = ["无效的判定"]
            continue
        note = (note or "").strip()
        if len(note) > 500:
            errors[f"item-{pk}"] = ["说明不能超过 500 字"]
            continue
        clean[pk] = (verdict, note)
    if errors:
        raise ValidationFailed("检查事项有误", fields=errors)
    return clean


def _png_dimensions(data: bytes) -> tuple[int, int]:
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def _clean_signature(data: bytes, label: str) -> bytes:
    """A drawn signature: a PNG (by content), ≤ 512 KB, ≤ 4 Mpx; decoded by Pillow when it is installed."""
    if not data or len(data) > SIGNATURE_MAX_BYTES:
        raise ValidationFailed(f"{label}无效或过大", fields={"signature": [f"{label}无效或过大"]})
    if not data.startswith(b"\x89PNG\r\n\x1a\n") or data[12:16] != b"IHDR":
        raise ValidationFailed(f"{label}必须是 PNG 图片", fields={"signature": [f"{label}必须是 PNG 图片"]})
    width, height = _png_dimensions(data)
    if not (0 < width and 0 < height and width * height <= SIGNATURE_MAX_PIXELS):
        raise ValidationFailed(f"{label}尺寸无效", fields={"signature": [f"{label}尺寸无效"]})
    try:
        from PIL import Image
    except ImportError:  # pragma: no cover - Pillow is in requirements.txt
        return data
    try:
        with Image.open(io.BytesIO(data)) as img:
            img.verify()
    except Exception:  # noqa: BLE001 - any decoder error means "not a valid PNG"
        raise ValidationFailed(f"{label}图片已损坏", fields={"signature": [f"{label}图片已损坏"]}) from None
    return data


def _store_signature(result: InspectionResult, which: str, data: bytes, now):
    field = getattr(result, f"{which}_signature")
    field.save(f"{uuid.uuid4().hex}.png", ContentFile(data), save=False)
    setattr(result, f"{which}_signature_sha256", hashlib.sha256(data).hexdigest())
    setattr(result, f"{which}_signed_at", now)


@transaction.atomic
def result_save(
    *,
    actor,
    result_id: int,
    version: int | None = None,
    data: dict | None = None,
    items=None,
    inspector_signature: bytes | None = None,
    operator_signature: bytes | None = None,
    clear_signatures=(),
) -> InspectionResult:
    """Save a draft (fields, item verdicts, drawn signatures). A final result answers 409; so does a stale version."""
    result, task = _result_for_write(actor, result_id)
    if not result.can_transition_to(ResultStatus.FINAL):
        raise Conflict("该检查结果已定稿，不能修改；如需修改请提出更正", code="result_final")
    if version is not None and int(version) != result.version:
        raise Conflict("该记录已在其他设备上修改，请刷新后再保存")
    before = model_snapshot(result)
    clean, errors = _clean_fields(dict(data or {}))
    if "correction_reason" in clean and not result.supersedes_id:
        clean.pop("correction_reason")
    if errors:
        raise ValidationFailed("检查结果有误", fields=errors)
    for key, value in clean.items():
        setattr(result, key, value)
    now = timezone.now()
    for which in clear_signatures or ():
        if which in ("inspector", "operator"):
            setattr(result, f"{which}_signature", "")
            setattr(result, f"{which}_signature_sha256", "")
            setattr(result, f"{which}_signed_at", None)
    if inspector_signature:
        _store_signature(result, "inspector", _clean_signature(inspector_signature, "检查人员签名"), now)
    if operator_signature:
        _store_signature(result, "operator", _clean_signature(operator_signature, "被检查单位签名"), now)
        result.operator_refused_to_sign = False
    item_changes = {}
    if items is not None:
        clean_items = _clean_items(task, items)
        existing = {ir.check_item_id: ir for ir in result.items.all()}
        new_rows, changed_rows = [], []
        for pk, (verdict, note) in clean_items.items():
            row = existing.get(pk)
            if not verdict:
                if row is not None:
                    item_changes[pk] = [row.verdict, ""]
                    row.delete()
                continue
            if row is None:
                new_rows.append(ItemResult(result=result, check_item_id=pk, verdict=verdict, note=note))
                item_changes[pk] = ["", verdict]
            elif (row.verdict, row.note) != (verdict, note):
                item_changes[pk] = [row.verdict, verdict]
                row.verdict, row.note = verdict, note
                changed_rows.append(row)
        ItemResult.objects.bulk_create(new_rows)
        if changed_rows:
            ItemResult.objects.bulk_update(changed_rows, ["verdict", "note"])
    result.version += 1
    result.save()
    changes = diff(before, model_snapshot(result))
    changes.pop("version", None)
    changes.pop("updated_at", None)
    audit_record(
        "inspections.result_save",
        obj=result,
        actor=actor,
        changes=changes,
        extra={"items": {str(k): v for k, v in item_changes.items()}} if item_changes else None,
    )
    return result


# ---------------------------------------------------------------------------- photos (FILE-08)
JPEG, PNG, WEBP = "image/jpeg", "image/png", "image/webp"
EXTENSIONS = {JPEG: "jpg", PNG: "png", WEBP: "webp"}
PIL_FORMATS = {JPEG: "JPEG", PNG: "PNG", WEBP: "WEBP"}


def sniff_image_type(head: bytes) -> str | None:
    """The type of an image by its first bytes (never by name or the browser's Content-Type)."""
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    return None


def _photo_check(data: bytes) -> tuple[str, int | None, int | None]:
    content_type = sniff_image_type(data[:16])
    if content_type is None:
        raise ValidationFailed("照片只能是 JPEG、PNG 或 WebP 图片", fields={"photos": ["文件类型不支持"]})
    try:
        from PIL import Image
    except ImportError:  # pragma: no cover - Pillow is in requirements.txt
        return content_type, None, None
    try:
        with Image.open(io.BytesIO(data)) as img:
            width, height = img.size  # header only: nothing is decoded yet
            if img.format != PIL_FORMATS[content_type]:
                raise ValueError("format mismatch")
            if width <= 0 or height <= 0 or width * height > photo_max_pixels():
                raise ValidationFailed(
                    f"照片像素过大（{width}×{height}），上限 {photo_max_pixels() // 1_000_000} 百万像素",
                    fields={"photos": ["像素过大"]},
                )
            img.verify()
    except ValidationFailed:
        raise
    except Exception:  # noqa: BLE001 - a decoder error (or a bomb warning) means "not an acceptable image"
        raise ValidationFailed("照片文件已损坏或不是有效图片", fields={"photos": ["图片无效"]}) from None
    return content_type, width, height


def _exif_taken_at(data: bytes):
    try:
        from PIL import Image
    except ImportError:  # pragma: no cover
        return None
    try:
        with Image.open(io.BytesIO(data)) as img:
            raw = img.getexif().get_ifd(0x8769).get(36867) or img.getexif().get(306)
        if not raw:
            return None
        parsed = dt.datetime.strptime(str(raw).strip(), "%Y:%m:%d %H:%M:%S")
        return timezone.make_aware(parsed)
    except Exception:  # noqa: BLE001 - EXIF is optional and often malformed
        return None


@transaction.atomic
def photo_add(*, actor, result_id: int, upload, caption: str = "", check_item_id: int | None = None) -> Photo:
    """Store one photo of a draft unchanged (EXIF kept: this is the evidence copy), with its SHA-256 taken now."""
    result, task = _result_for_write(actor, result_id)
    if not result.can_transition_to(ResultStatus.FINAL):
        raise Conflict("该检查结果已定稿，不能再添加照片", code="result_final")
    size = getattr(upload, "size", None)
    if size is None or size > photo_max_bytes():
        raise ValidationFailed(
            f"照片不能超过 {photo_max_bytes() // (1024 * 1024)} MB", fields={"photos": ["文件过大"]}, code="too_large"
        )
    if Photo.objects.filter(result=result).count() >= PHOTOS_PER_RESULT:
        raise ValidationFailed(f"每份记录最多 {PHOTOS_PER_RESULT} 张照片", fields={"photos": ["数量超限"]})
    chunks, total = [], 0
    for chunk in upload.chunks():
        total += len(chunk)
        if total > photo_max_bytes():
            raise ValidationFailed("照片过大", fields={"photos": ["文件过大"]}, code="too_large")
        chunks.append(chunk)
    data = b"".join(chunks)
    content_type, width, height = _photo_check(data)
    item_result = None
    if check_item_id:
        item_result = ItemResult.objects.filter(result=result, check_item_id=check_item_id).first()
    photo = Photo(
        task=task,
        result=result,
        item_result=item_result,
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        width=width,
        height=height,
        caption=(caption or "").strip()[:200],
        taken_at=_exif_taken_at(data),
        uploaded_by=actor,
    )
    photo.file.save(f"{uuid.uuid4().hex}.{EXTENSIONS[content_type]}", ContentFile(data), save=False)
    photo.save()
    InspectionResult.objects.filter(pk=result.pk).update(version=result.version + 1, updated_at=timezone.now())
    audit_record(
        "inspections.photo_add",
        obj=photo,
        actor=actor,
        extra={"result": result.pk, "sha256": photo.sha256, "size": photo.size, "type": content_type},
    )
    return photo


@transaction.atomic
def photo_delete(*, actor, photo_id: int) -> None:
    try:
        result_id = Photo.objects.visible_to(actor).values_list("result_id", flat=True).get(pk=photo_id)
    except (Photo.DoesNotExist, ValueError, TypeError):
        raise OutOfScope() from None
    result, _task = _result_for_write(actor, result_id)
    if not result.can_transition_to(ResultStatus.FINAL):
        raise Conflict("该检查结果已定稿，照片不能删除", code="result_final")
    photo = Photo.objects.get(pk=photo_id)
    name, digest = photo.file.name, photo.sha256
    photo.delete()
    if not Photo.objects.filter(file=name).exists():  # a correction copies photos: keep a file still referenced
        transaction.on_commit(lambda: photo.file.storage.delete(name))
    InspectionResult.objects.filter(pk=result.pk).update(version=result.version + 1, updated_at=timezone.now())
    audit_record("inspections.photo_delete", obj=result, actor=actor, extra={"photo": photo_id, "sha256": digest})


# ---------------------------------------------------------------------------- results: finalise (CONC-03)
def finalise_problems(result: InspectionResult, task: InspectionTask) -> dict[str, list[str]]:
    """What is still missing before a draft may be finalised (field → messages)."""
    problems: dict[str, list[str]] = defaultdict(list)
    verdicts = {ir.check_item_id: ir.verdict for ir in result.items.all()}
    missing = [ci for ci in task_check_items(task) if ci.pk not in verdicts]
    if missing:
        problems["items"].append(f"还有 {len(missing)} 项检查事项未判定（如 {missing[0].code} {missing[0].item}）")
    if not result.outcome:
        problems["outcome"].append("请选择检查结论")
    nonconform = sum(1 for v in verdicts.values() if v == ItemVerdict.NONCONFORM)
    if result.outcome == InspectionOutcome.PASS and nonconform:
        problems["outcome"].append(f"有 {nonconform} 项不符合，检查结论不能为合格")
    if result.outcome == InspectionOutcome.RECTIFY and not result.rectification_requirements.strip():
        problems["rectification_requirements"].append("责令整改须写明整改要求")
    if result.outcome == InspectionOutcome.CASE:
        if not result.case_number.strip():
            problems["case_number"].append("立案查处须填写立案号")
        if result.penalised_person_amount is not None and not result.penalised_person_name.strip():
            problems["penalised_person_name"].append("填写了处罚到人的罚款金额，须填写被处罚人姓名")
    if not result.inspector_signature_sha256:
        problems["inspector_signature"].append("检查人员尚未签名")
    if not result.operator_signature_sha256 and not result.operator_refused_to_sign:
        problems["operator_signature"].append("被检查单位尚未签名（拒绝签字的请勾选“拒绝签字”）")
    if result.supersedes_id and not result.correction_reason.strip():
        problems["correction_reason"].append("更正记录须写明更正理由")
    return dict(problems)


@transaction.atomic
def result_finalise(*, actor, result_id: int, version: int | None = None) -> InspectionResult:
    """Seal the record: content hash over fields + verdicts + photo and signature digests (+ HMAC seal); the task is
    done; a rectification order and follow-up task, the publication (20 working days) and the dynamic risk score
    follow. Two devices at once: the row lock serialises them, the second sees a final record and gets 409."""
    result, task = _result_for_write(actor, result_id)
    if not result.can_transition_to(ResultStatus.FINAL):
        raise Conflict("该检查结果已定稿（可能已在其他设备上提交）", code="result_final")
    if version is not None and int(version) != result.version:
        raise Conflict("该记录已在其他设备上修改，请刷新后再提交")
    problems = finalise_problems(result, task)
    if problems:
        first = next(iter(problems.values()))[0]
        raise ValidationFailed(f"检查记录不完整：{first}", fields=problems, code="incomplete")
    now = timezone.now()
    result.status = ResultStatus.FINAL
    result.finalised_at = now
    result.finalised_by = actor
    result.inspected_at = result.inspected_at or now
    if result.outcome == InspectionOutcome.RECTIFY and not result.rectification_working_days:
        result.rectification_working_days = rectification_working_days_default()
    content = result_content(result)
    result.sealed_content = content
    result.content_hash = content_digest(content)
    result.seal = seal_of(result.content_hash)
    result.version += 1
    result.save()

    first_completion = task.can_transition_to(TaskStatus.FINALISED)
    if first_completion:
        task.status = TaskStatus.FINALISED
        task.completed_at = now
        task.version += 1
        task.save(update_fields=["status", "completed_at", "version", "updated_at"])

    calendar = WorkdayCalendar()
    day = timezone.localdate(now)
    extra = {"task": task.number, "content_hash": result.content_hash, "outcome": result.outcome}
    if result.supersedes_id:
        extra["supersedes"] = result.supersedes_id
        extra["withdrawn_publication"] = _withdraw_superseded(result, actor=actor, now=now)
    if result.outcome == InspectionOutcome.RECTIFY:
        rect = _rectification_issue(result, task, actor=actor, day=day, calendar=calendar)
        extra["rectification"] = rect.pk
    if task.kind == TaskKind.FOLLOW_UP and first_completion:
        extra["rectification_followed"] = _rectification_close(task, result, actor=actor, now=now)
    publication = Publication.objects.create(
        result=result,
        due_by=add_working_days(day, publication_working_days(), calendar=calendar),
        objection_window_ends=add_working_days(day, objection_working_days(), calendar=calendar),
    )
    extra["publication_due_by"] = publication.due_by.isoformat()
    extra.update(_result_finalised_hook(result, task, actor=actor))
    audit_record("inspections.result_finalise", obj=result, actor=actor, extra=extra)
    return result


def _withdraw_superseded(result: InspectionResult, *, actor, now) -> int | None:
    old = Publication.objects.select_for_update().filter(result_id=result.supersedes_id).first()
    if old is None or not old.can_transition_to(PublicationStatus.WITHDRAWN):
        return None
    old.status = PublicationStatus.WITHDRAWN
    old.withdrawn_at = now
    old.withdraw_reason = f"已更正，见第 {result.revision} 版记录"[:200]
    old.version += 1
    old.save()
    audit_record("inspections.publication_withdraw", obj=old, actor=actor, extra={"superseded_by": result.pk})
    return old.pk


def _rectification_issue(result, task, *, actor, day, calendar) -> Rectification:
    days = result.rectification_working_days or rectification_working_days_default()
    deadline = add_working_days(day, days, calendar=calendar)
    follow_up = InspectionTask.objects.create(
        number=_new_number("FC", day),
        enterprise_id=task.enterprise_id,
        kind=TaskKind.FOLLOW_UP,
        source=TaskSource.MANUAL,
        origin_task=task,
        reason=f"整改复查（原任务 {task.number}）",
        due_date=add_working_days(deadline, follow_up_extra_working_days(), calendar=calendar),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    TaskInspector.objects.bulk_create(
        [
            TaskInspector(task=follow_up, inspector_id=ti.inspector_id, order=ti.order, role=ti.role)
            for ti in task.task_inspectors.all()
        ]
    )
    # the re-check looks again at what failed (不符合, else 基本符合), not at the whole checklist
    follow_up.check_items.set(failed_check_items(result) or task.check_items.all())
    rect = Rectification.objects.create(
        task=task,
        result=result,
        number=f"ZG{day:%Y}-{result.pk:06d}",
        requirements=result.rectification_requirements,
        deadline_working_days=days,
        deadline=deadline,
        follow_up_task=follow_up,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(
        "inspections.rectification_issue",
        obj=rect,
        actor=actor,
        extra={"deadline": deadline.isoformat(), "working_days": days, "follow_up_task": follow_up.number},
    )
    return rect


def _rectification_close(task, result, *, actor, now) -> int | None:
    rect = Rectification.objects.select_for_update().filter(follow_up_task=task).first()
    if rect is None:
        return None
    to_status = RectificationStatus.VERIFIED if result.outcome == InspectionOutcome.PASS else RectificationStatus.FAILED
    if not rect.can_transition_to(to_status):
        return None
    rect.status = to_status
    rect.verified_at = now
    rect.verified_by = actor if getattr(actor, "is_authenticated", False) else None
    rect.version += 1
    rect.save()
    audit_record("inspections.rectification_verify", obj=rect, actor=actor, extra={"status": rect.status})
    return rect.pk


def _result_finalised_hook(result, task, *, actor) -> dict:
    """Tell the apps that follow finalised results (apps.risk: dynamic score, coverage) through the common hook;
    their notes go into the audit event. This app imports none of them."""
    labels = dict(ItemVerdict.choices)
    outcomes: dict[str, list[str]] = defaultdict(list)
    for ir in result.items.select_related("check_item"):
        if ir.verdict and ir.verdict != ItemVerdict.NOT_APPLICABLE:
            outcomes[ir.check_item.code].append(labels[ir.verdict])
    narrowed = task.check_items.exists() or bool(task.plan_id and task.plan.check_items.exists())
    return hooks.emit(
        "inspections.result_finalised",
        result_id=result.pk,
        enterprise_id=task.enterprise_id,
        inspected_on=timezone.localdate(result.inspected_at or result.finalised_at),
        outcomes=dict(outcomes),
        full_coverage=task.kind != TaskKind.FOLLOW_UP and not narrowed,
        actor=actor,
    )


# ---------------------------------------------------------------------------- corrections
@transaction.atomic
def result_correct(*, actor, result_id: int, reason: str) -> InspectionResult:
    """Start a correction: a new draft (next revision) that ``supersedes`` the latest final record, pre-filled with
    its content and photos. Signatures are not copied: the corrected record is signed again."""
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise ValidationFailed("请写明更正理由", fields={"correction_reason": ["请写明更正理由（至少 4 个字）"]})
    original, task = _result_for_write(actor, result_id)
    if original.status != ResultStatus.FINAL:
        raise InvalidTransition("只有已定稿的记录可以更正")
    if InspectionResult.objects.filter(supersedes=original).exists():
        raise Conflict("该记录已有更正记录，请对最新一版提出更正")
    if InspectionResult.objects.filter(task=task, status=ResultStatus.DRAFT).exists():
        raise Conflict("该任务已有正在填写的更正记录")
    latest = InspectionResult.objects.filter(task=task).order_by("-revision").values_list("revision", flat=True)[0]
    copy_fields = [f for f in RESULT_FIELDS if f not in ("correction_reason", "operator_refused_to_sign")]
    draft = InspectionResult.objects.create(
        task=task,
        revision=latest + 1,
        supersedes=original,
        correction_reason=reason,
        created_by=actor,
        **{f: getattr(original, f) for f in copy_fields},
    )
    ItemResult.objects.bulk_create(
        [
            ItemResult(result=draft, check_item_id=ir.check_item_id, verdict=ir.verdict, note=ir.note)
            for ir in original.items.all()
        ]
    )
    Photo.objects.bulk_create(
        [
            Photo(
                task=task,
                result=draft,
                file=p.file.name,
                content_type=p.content_type,
                size=p.size,
                sha256=p.sha256,
                width=p.width,
                height=p.height,
                caption=p.caption,
                taken_at=p.taken_at,
                uploaded_by=p.uploaded_by,
            )
            for p in original.photos.all()
        ]
    )
    audit_record(
        "inspections.result_correct",
        obj=draft,
        actor=actor,
        extra={"supersedes": original.pk, "reason": reason, "original_hash": original.content_hash},
    )
    return draft


# ---------------------------------------------------------------------------- rectification
@transaction.atomic
def rectification_submit(*, actor, rectification_id: int, note: str) -> Rectification:
    """Record that the business reported its rectification done (the follow-up inspection verifies it)."""
    require_perm(actor, "inspections.change_rectification")
    try:
        rect = Rectification.objects.visible_to(actor).select_for_update(of=("self",)).get(pk=rectification_id)
    except (Rectification.DoesNotExist, ValueError, TypeError):
        raise OutOfScope() from None
    if not rect.can_transition_to(RectificationStatus.SUBMITTED):
        raise InvalidTransition("只有整改中的通知可以登记整改情况")
    note = (note or "").strip()
    if not note:
        raise ValidationFailed("请填写整改情况说明", fields={"submission_note": ["必填"]})
    rect.status = RectificationStatus.SUBMITTED
    rect.submitted_at = timezone.now()
    rect.submission_note = note[:2000]
    rect.version += 1
    rect.save()
    audit_record("inspections.rectification_submit", obj=rect, actor=actor, extra={"note": rect.submission_note})
    return rect


# ---------------------------------------------------------------------------- publication (一公开)
def _publication_locked(actor, publication_id) -> Publication:
    require_perm(actor, "inspections.change_publication")
    try:
        return (
            Publication.objects.visible_to(actor)
            .select_for_update(of=("self",))
            .select_related("result")
            .get(pk=publication_id)
        )
    except (Publication.DoesNotExist, ValueError, TypeError):
        raise OutOfScope() from None


def _publish(publication: Publication, *, actor, now) -> Publication:
    publication.status = PublicationStatus.PUBLISHED
    publication.published_at = now
    publication.published_by = actor if getattr(actor, "is_authenticated", False) else None
    publication.version += 1
    publication.save()
    audit_record(
        "inspections.publication_publish",
        obj=publication,
        actor=actor,
        extra={
            "result": publication.result_id,
            "due_by": publication.due_by.isoformat(),
            "by": "staff" if actor else "beat",
        },
    )
    return publication


@transaction.atomic
def publication_publish(*, actor, publication_id: int, now=None) -> Publication:
    """Publish now (staff), once the objection window has ended and no objection is undecided."""
    publication = _publication_locked(actor, publication_id)
    now = now or timezone.now()
    hold = publication_hold(publication, today=timezone.localdate(now))
    if hold:
        raise InvalidTransition(hold)
    return _publish(publication, actor=actor, now=now)


BULK_PUBLISH_MAX = 500


@transaction.atomic
def publications_publish_many(*, actor, publication_ids, now=None) -> dict:
    """批量公示 (city staff): publish each chosen publication that may be published now — one audit event each, the
    same checks as one by one. Those that cannot (out of scope, held, window still open) are listed with the reason;
    one refusal never blocks the others. At most ``BULK_PUBLISH_MAX`` in one go."""
    require_perm(actor, "inspections.change_publication")
    ids = []
    for raw in publication_ids or []:
        try:
            value = int(raw)
        except (TypeError, ValueError):
            raise ValidationFailed("公示记录编号无效", fields={"ids": ["编号无效"]}) from None
        if value > 0 and value not in ids:
            ids.append(value)
    if not ids:
        raise ValidationFailed("请选择要公示的记录", fields={"ids": ["请至少选择 1 条"]})
    if len(ids) > BULK_PUBLISH_MAX:
        raise ValidationFailed(f"一次最多公示 {BULK_PUBLISH_MAX} 条", fields={"ids": ["选择过多"]})
    now = now or timezone.now()
    published, refused = [], {}
    for pk in sorted(ids):  # lock order: by pk
        try:
            with transaction.atomic():
                publication_publish(actor=actor, publication_id=pk, now=now)
        except OutOfScope:
            refused[pk] = "不存在或不在您的管辖范围内"
        except DomainError as exc:
            refused[pk] = exc.message
        else:
            published.append(pk)
    return {"published": published, "refused": refused}


def publications_publish_due(*, now=None) -> list[int]:
    """Celery beat: publish every pending result whose objection window has ended (each in its own transaction;
    a row another worker already published is skipped)."""
    now = now or timezone.now()
    done = []
    for pk in list(publications_due(today=timezone.localdate(now)).values_list("pk", flat=True)):
        with transaction.atomic():
            publication = (
                Publication.objects.select_for_update().filter(pk=pk, status=PublicationStatus.PENDING).first()
            )
            if publication is None or publication.objections.filter(decision=ObjectionDecision.PENDING).exists():
                continue
            _publish(publication, actor=None, now=now)
            done.append(pk)
    return done


@transaction.atomic
def objection_record(
    *, actor, publication_id: int, text: str, submitter_name: str = "", submitter_contact: str = "", submitted_at=None
) -> Objection:
    """An enterprise's objection (异议), received within the window: publication is held until it is decided."""
    publication = _publication_locked(actor, publication_id)
    text = (text or "").strip()
    if len(text) < 4:
        raise ValidationFailed("请填写异议内容", fields={"text": ["请填写异议内容"]})
    submitted_at = submitted_at or timezone.now()
    if publication.status != PublicationStatus.HELD and not publication.can_transition_to(PublicationStatus.HELD):
        raise InvalidTransition("已公示或已撤回的结果不能再提出异议")
    if publication.objection_window_ends and timezone.localdate(submitted_at) > publication.objection_window_ends:
        raise ValidationFailed(
            f"异议期已于 {publication.objection_window_ends:%Y-%m-%d} 届满", fields={"submitted_at": ["超过异议期"]}
        )
    objection = Objection.objects.create(
        publication=publication,
        text=text[:5000],
        submitter_name=(submitter_name or "").strip()[:50],
        submitter_contact=(submitter_contact or "").strip()[:50],
        submitted_at=submitted_at,
    )
    publication.status = PublicationStatus.HELD
    publication.version += 1
    publication.save()
    audit_record("inspections.objection_record", obj=objection, actor=actor, extra={"publication": publication.pk})
    return objection


@transaction.atomic
def objection_decide(*, actor, objection_id: int, decision: str, note: str = "", now=None) -> Objection:
    """Staff decide an objection. ``rejected`` (异议不成立 — the result stands): publication resumes and, if the window
    is over, is published now. ``upheld`` (异议成立): publication stays held until the inspector finalises a correction
    (which withdraws this publication and starts a new one)."""
    require_perm(actor, "inspections.change_publication")
    if decision not in (ObjectionDecision.UPHELD, ObjectionDecision.REJECTED):
        raise ValidationFailed("请选择处理结果", fields={"decision": ["请选择异议成立或不成立"]})
    note = (note or "").strip()
    if not note:
        raise ValidationFailed("请填写处理意见", fields={"decision_note": ["必填"]})
    try:
        publication_id = (
            Objection.objects.visible_to(actor).values_list("publication_id", flat=True).get(pk=objection_id)
        )
    except (Objection.DoesNotExist, ValueError, TypeError):
        raise OutOfScope() from None
    publication = _publication_locked(actor, publication_id)
    objection = Objection.objects.select_for_update().get(pk=objection_id)
    if objection.decided:
        raise InvalidTransition("该异议已处理")
    now = now or timezone.now()
    objection.decision = decision
    objection.decision_note = note[:2000]
    objection.decided_at = now
    objection.decided_by = actor
    objection.save()
    audit_record("inspections.objection_decide", obj=objection, actor=actor, extra={"decision": decision, "note": note})
    undecided = publication.objections.filter(decision=ObjectionDecision.PENDING).exists()
    upheld = publication.objections.filter(decision=ObjectionDecision.UPHELD).exists()
    if publication.can_transition_to(PublicationStatus.PENDING) and not undecided and not upheld:
        publication.status = PublicationStatus.PENDING
        publication.version += 1
        publication.save()
        if publication.objection_window_ends is None or timezone.localdate(now) > publication.objection_window_ends:
            _publish(publication, actor=actor, now=now)
    return objection


# ---------------------------------------------------------------------------- nightly evidence verification (CRY-03)
def evidence_verify(*, limit: int | None = None) -> dict:
    """Re-check every sealed record: content hash, seal, live rows against the sealed content, signature and photo
    files against their digests. Writes one audit event with the findings (an empty ``broken`` list is the norm)."""
    from .selectors_fieldwork import result_verify

    qs = (
        InspectionResult.objects.filter(status=ResultStatus.FINAL)
        .prefetch_related("items__check_item", "photos")
        .order_by("pk")
    )
    if limit:
        qs = qs[:limit]
    checked, broken = 0, []
    for result in qs.iterator(chunk_size=200):
        checked += 1
        verification = result_verify(result, check_photos=True)
        if not verification.ok:
            broken.append({"result": result.pk, "problems": verification.problems})
    report = {"checked": checked, "broken": broken[:100], "broken_count": len(broken)}
    audit_record(
        "inspections.evidence_verify",
        object_type="inspections.inspectionresult",
        object_repr="现场检查记录封存校验",
        extra=report,
        outcome="success" if not broken else "failure",
    )
    if broken:
        log.critical("inspection evidence verification: %s sealed records do not match", len(broken))
    return report
