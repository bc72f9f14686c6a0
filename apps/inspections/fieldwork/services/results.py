"""Writes of inspection results: draft → save → finalise (sealed, immutable; CONC-03), drawn signatures,
corrections as new linked records, the nightly evidence verification (CRY-03)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import uuid
from collections import defaultdict
from decimal import Decimal, InvalidOperation

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.common import hooks
from apps.common.audit import audit_record, diff, model_snapshot
from apps.common.exceptions import Conflict, InvalidTransition, ValidationFailed
from apps.common.workdays import WorkdayCalendar, add_working_days

from ...choices import InspectionOutcome, ItemVerdict, PenaltyKind, ResultStatus, TaskKind, TaskStatus
from ...models import InspectionResult, InspectionTask, ItemResult, Photo, Publication
from ..selectors import content_digest, result_content, seal_of, task_check_items
from ._common import _result_for_write, _task_for_write
from .publications import _withdraw_superseded, objection_working_days, publication_working_days
from .rectifications import _rectification_close, _rectification_issue, rectification_working_days_default

log = logging.getLogger(__name__)
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


# ---------------------------------------------------------------------------- results: draft
@transaction.atomic
def result_start(*, actor, task_id: int, new_only: bool = False) -> InspectionResult:
    """Open (or return) the task's draft record; the task moves to 检查中. ``new_only`` (the API's create): an
    existing draft is a 409, decided under the task's row lock, so of N devices opening the task at once exactly
    one creates the draft and the others are told (CONC-02)."""
    task = _task_for_write(actor, task_id)
    if not task.can_transition_to(TaskStatus.FINALISED):
        raise InvalidTransition("任务已完成或已取消；如需修改已定稿的记录，请提出更正")
    draft = InspectionResult.objects.filter(task=task, status=ResultStatus.DRAFT).first()
    if draft is not None:
        if new_only:
            raise Conflict("该任务已有检查结果草稿，请用 PATCH 修改（携带 version）", code="draft_exists")
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


# ---------------------------------------------------------------------------- nightly evidence verification (CRY-03)
def evidence_verify(*, limit: int | None = None) -> dict:
    """Re-check every sealed record: content hash, seal, live rows against the sealed content, signature and photo
    files against their digests. Writes one audit event with the findings (an empty ``broken`` list is the norm)."""
    from ..selectors import result_verify

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
