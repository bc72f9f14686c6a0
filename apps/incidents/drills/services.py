"""All writes of emergency plans and drills (docs/drills.md).

Every write is one transaction with one audit event (Chinese names in ``contrib.AUDIT_ACTIONS``). Issuing a plan
version locks the plan row (``select_for_update``) and numbers the version max + 1, so concurrent issues of one
plan get 1, 2, 3 … without gaps or duplicates (the unique constraint backs it). A version is never edited after
issue; a new version supersedes it.

Who may write where (the pages and the API refuse the same things, in Chinese):

* a **city plan** (市级) — city-wide staff only; a **township plan** — staff of that township only (city staff see
  township plans but do not write them);
* a **drill** — city-wide staff anywhere (a township's or the city's own drill, township empty); township staff in
  their own township only."""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from apps.common import uploads
from apps.common.audit import audit_record
from apps.common.exceptions import Conflict, OutOfScope, ValidationFailed
from apps.common.permissions import require_perm
from apps.common.scoping import user_sees_all_townships, user_township_ids
from apps.common.text import clean_text

from ..models.drills import Drill, DrillAttachment, DrillKind, EmergencyPlan, PlanLevel, PlanVersion

TEXT_MAX = 5000
PARTICIPANTS_MAX = 100_000
ATTACHMENTS_PER_DRILL = 30
ATTACHMENT_TYPES = (*uploads.IMAGE_TYPES, uploads.PDF)
DOCUMENT_TYPES = (uploads.PDF, uploads.DOCX)


def attachment_max_bytes() -> int:
    return int(getattr(settings, "DRILLS_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024))


def document_max_bytes() -> int:
    return int(getattr(settings, "DRILLS_PLAN_DOCUMENT_MAX_BYTES", 20 * 1024 * 1024))


def attachment_max_pixels() -> int:
    return int(getattr(settings, "DRILLS_ATTACHMENT_MAX_PIXELS", 50_000_000))


# ------------------------------------------------------------------------------------------------ helpers
def _fail(field: str, message: str):
    raise ValidationFailed(message, fields={field: [message]})


def _text(data: dict, field: str, label: str, *, required: bool = False, max_length: int = TEXT_MAX, multiline=True):
    raw = data.get(field)
    raw = "" if raw is None else str(raw)
    try:
        text = (clean_text(raw, multiline=multiline) or "").strip()
    except ValidationError as exc:
        _fail(field, f"{label}：{exc.messages[0]}")
    if required and not text:
        _fail(field, f"请填写{label}")
    if len(text) > max_length:
        _fail(field, f"{label}最多 {max_length} 个字")
    return text


def _date(value, field: str, label: str) -> dt.date:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()
    if not text:
        _fail(field, f"请填写{label}")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        _fail(field, f"{label}格式不正确，应为 年-月-日")


def _township(value):
    """A Township, or None; ``value`` a Township, an id, or empty."""
    from apps.accounts.models import Township

    if value in (None, ""):
        return None
    if isinstance(value, Township):
        return value
    try:
        return Township.objects.get(pk=int(value), is_active=True)
    except (Township.DoesNotExist, ValueError, TypeError):
        _fail("township", "镇街不存在")


def _may_write_drill_in(actor, township) -> bool:
    if user_sees_all_townships(actor):
        return True
    return township is not None and township.pk in user_township_ids(actor)


def _may_write_plan_in(actor, township) -> bool:
    if township is None:
        return user_sees_all_townships(actor)
    return township.pk in user_township_ids(actor)


def _safe_name(upload) -> str:
    name = (getattr(upload, "name", "") or "").replace("\\", "/").rsplit("/", 1)[-1]
    try:
        cleaned = clean_text(name, multiline=False) or ""
    except ValidationError:
        cleaned = ""
    return cleaned.strip()[:120]


# ------------------------------------------------------------------------------------------------ plans
@transaction.atomic
def plan_create(*, actor, data: dict) -> EmergencyPlan:
    """A new plan (no version yet). ``level`` 市级 has no township; 镇街 needs the actor's own township."""
    require_perm(actor, "incidents.add_emergencyplan")
    title = _text(data, "title", "预案名称", required=True, max_length=200, multiline=False)
    level = data.get("level") or ""
    if level not in PlanLevel.values:
        _fail("level", "请选择预案层级（市级或镇街）")
    township = _township(data.get("township"))
    if level == PlanLevel.CITY and township is not None:
        _fail("township", "市级预案不属于任何镇街，镇街请留空")
    if level == PlanLevel.TOWNSHIP and township is None:
        _fail("township", "镇街预案须选择镇街")
    if not _may_write_plan_in(actor, township):
        if township is None:
            _fail("level", "只有市局人员可以登记市级预案")
        _fail("township", "只能登记本镇街的预案")
    department = _text(data, "owner_department", "编制部门", required=True, max_length=100, multiline=False)
    plan = EmergencyPlan.objects.create(
        title=title, level=level, township=township, owner_department=department, created_by=actor
    )
    audit_record(
        "incidents.plan_create",
        obj=plan,
        actor=actor,
        extra={"level": level, "township": township.code if township else None},
    )
    return plan


def _plan_for_write(actor, plan_id) -> EmergencyPlan:
    try:
        plan = (
            EmergencyPlan.objects.visible_to(actor)
            .select_for_update(of=("self",))
            .select_related("township")
            .get(pk=plan_id)
        )
    except (EmergencyPlan.DoesNotExist, ValueError, TypeError):
        raise OutOfScope() from None
    if not _may_write_plan_in(actor, plan.township):
        raise ValidationFailed("市级预案由市局人员修订；镇街预案由本镇街修订", code="forbidden_plan")
    return plan


def current_version(plan) -> PlanVersion | None:
    return plan.versions.issued().order_by("-number").first()


@transaction.atomic
def plan_version_upload(*, actor, plan_id, data: dict, document) -> PlanVersion:
    """Upload a new version's text as a draft (not yet issued: no number). The plan has at most one draft: a new
    upload replaces an earlier draft. The draft is issued (irreversibly) by ``plan_version_issue``."""
    require_perm(actor, "incidents.change_emergencyplan")
    plan = _plan_for_write(actor, plan_id)
    issued_on = _date(data.get("issued_on"), "issued_on", "印发日期")
    if issued_on > timezone.localdate():
        _fail("issued_on", "印发日期不能晚于今天")
    current = current_version(plan)
    if current is not None and issued_on < current.issued_on:
        _fail("issued_on", f"印发日期不能早于现行第 {current.number} 版（{current.issued_on:%Y-%m-%d}）")
    summary = _text(data, "summary", "修订说明", required=True, max_length=2000)
    if document is None:
        _fail("document", "请选择预案文本（PDF 或 Word）")
    checked = uploads.check_upload(
        document,
        allowed=DOCUMENT_TYPES,
        max_bytes=document_max_bytes(),
        max_pixels=attachment_max_pixels(),
        field="document",
        label="预案文本",
    )
    replaced = []
    for draft in plan.versions.filter(number__isnull=True):
        replaced.append(draft.pk)
        draft.document.delete(save=False)
        draft.delete()
    version = PlanVersion(
        plan=plan,
        issued_on=issued_on,
        summary=summary,
        original_name=_safe_name(document),
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=actor,
    )
    version.document.save(f"{uuid.uuid4().hex}.{checked.extension}", ContentFile(checked.data), save=False)
    version.save()
    audit_record(
        "incidents.plan_version_upload",
        obj=version,
        actor=actor,
        extra={"plan": plan.pk, "sha256": checked.sha256, "size": checked.size, "replaced_drafts": replaced},
    )
    return version


@transaction.atomic
def plan_version_issue(*, actor, version_id) -> PlanVersion:
    """Issue a draft: it gets the plan's next number (gap-free) and becomes the current version. Irreversible."""
    require_perm(actor, "incidents.change_emergencyplan")
    try:
        plan_id = PlanVersion.objects.visible_to(actor).values_list("plan_id", flat=True).get(pk=version_id)
    except (PlanVersion.DoesNotExist, ValueError, TypeError):
        raise OutOfScope() from None
    plan = _plan_for_write(actor, plan_id)  # the lock that serialises numbering per plan
    version = PlanVersion.objects.select_for_update().get(pk=version_id)
    if version.is_issued:
        raise Conflict(f"该版本已签发为第 {version.number} 版，不能再次签发")
    current = current_version(plan)
    if current is not None and version.issued_on < current.issued_on:
        raise ValidationFailed(
            f"印发日期早于现行第 {current.number} 版（{current.issued_on:%Y-%m-%d}），请重新上传",
            fields={"issued_on": ["印发日期早于现行版本"]},
        )
    last = plan.versions.aggregate(m=Max("number"))["m"] or 0
    version.number = last + 1
    version.issued_at = timezone.now()
    version.issued_by = actor
    version.save(update_fields=["number", "issued_at", "issued_by"])
    plan.save(update_fields=["updated_at"])  # the plan's feed shows the new current version
    audit_record(
        "incidents.plan_version_issue",
        obj=version,
        actor=actor,
        extra={"plan": plan.pk, "number": version.number, "sha256": version.sha256, "supersedes": last or None},
    )
    return version


# ------------------------------------------------------------------------------------------------ drills
def _clean_drill(actor, data: dict) -> dict:
    today = timezone.localdate()
    date = _date(data.get("date"), "date", "演练日期")
    if date > today:
        _fail("date", "演练日期不能晚于今天：这里登记已经开展的演练")
    if date.year < 2000:
        _fail("date", "演练日期不能早于 2000 年")
    township = _township(data.get("township"))
    if not _may_write_drill_in(actor, township):
        if township is None:
            _fail("township", "请选择本镇街（市级演练由市局人员登记）")
        _fail("township", "只能登记本镇街的演练")
    plan = data.get("plan")
    if plan in ("", None):
        plan = None
    elif not isinstance(plan, EmergencyPlan):
        try:
            plan = EmergencyPlan.objects.visible_to(actor).get(pk=int(plan))
        except (EmergencyPlan.DoesNotExist, ValueError, TypeError):
            _fail("plan", "预案不存在或不在您的管辖范围内")
    if plan is not None and plan.township_id is not None and plan.township_id != (township.pk if township else None):
        _fail("plan", "所选预案属于其他镇街：请选择市级预案或本镇街的预案")
    scenario = _text(data, "scenario", "演练情景", required=True, max_length=300, multiline=False)
    kind = data.get("kind") or ""
    if kind not in DrillKind.values:
        _fail("kind", "请选择演练形式")
    raw_count = data.get("participant_count")
    try:
        count = int(str(raw_count).strip())
    except (TypeError, ValueError):
        _fail("participant_count", "请填写参演人数（整数）")
    if count < 1:
        _fail("participant_count", "参演人数至少为 1 人")
    if count > PARTICIPANTS_MAX:
        _fail("participant_count", f"参演人数不能超过 {PARTICIPANTS_MAX:,} 人")
    return {
        "date": date,
        "township": township,
        "plan": plan,
        "scenario": scenario,
        "kind": kind,
        "participant_count": count,
        "participant_orgs": _text(data, "participant_orgs", "参演单位"),
        "findings": _text(data, "findings", "发现的问题"),
        "improvements": _text(data, "improvements", "改进措施"),
    }


@transaction.atomic
def drill_create(*, actor, data: dict, files=()) -> Drill:
    """Record a drill that took place, with its photos and PDFs (all checked; one bad file refuses the whole)."""
    require_perm(actor, "incidents.add_drill")
    clean = _clean_drill(actor, data)
    drill = Drill.objects.create(**clean, created_by=actor)
    stored = [_attach(actor, drill, upload, caption="") for upload in files if upload]
    audit_record(
        "incidents.drill_create",
        obj=drill,
        actor=actor,
        extra={
            "township": clean["township"].code if clean["township"] else None,
            "date": clean["date"].isoformat(),
            "attachments": [a.sha256 for a in stored],
        },
    )
    return drill


def _drill_for_write(actor, drill_id) -> Drill:
    try:
        drill = Drill.objects.visible_to(actor).select_for_update(of=("self",)).get(pk=drill_id)
    except (Drill.DoesNotExist, ValueError, TypeError):
        raise OutOfScope() from None
    return drill


FIELDS = ("date", "township", "plan", "scenario", "kind", "participant_count", "participant_orgs", "findings",
          "improvements")  # fmt: skip


@transaction.atomic
def drill_update(*, actor, drill_id, data: dict) -> Drill:
    require_perm(actor, "incidents.change_drill")
    drill = _drill_for_write(actor, drill_id)
    clean = _clean_drill(actor, data)
    changes = {}
    for field in FIELDS:
        old = getattr(drill, field)
        new = clean[field]
        if old != new:
            changes[field] = [str(old) if old is not None else None, str(new) if new is not None else None]
            setattr(drill, field, new)
    drill.save()
    audit_record("incidents.drill_update", obj=drill, actor=actor, changes=changes)
    return drill


def _attach(actor, drill, upload, *, caption: str) -> DrillAttachment:
    if DrillAttachment.objects.filter(drill=drill).count() >= ATTACHMENTS_PER_DRILL:
        _fail("files", f"每次演练最多 {ATTACHMENTS_PER_DRILL} 个附件")
    checked = uploads.check_upload(
        upload,
        allowed=ATTACHMENT_TYPES,
        max_bytes=attachment_max_bytes(),
        max_pixels=attachment_max_pixels(),
        field="files",
        label="附件",
    )
    attachment = DrillAttachment(
        drill=drill,
        original_name=_safe_name(upload),
        caption=caption,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=actor,
    )
    attachment.file.save(f"{uuid.uuid4().hex}.{checked.extension}", ContentFile(checked.data), save=False)
    attachment.save()
    return attachment


@transaction.atomic
def drill_attachment_add(*, actor, drill_id, files, caption: str = "") -> list[DrillAttachment]:
    require_perm(actor, "incidents.change_drill")
    drill = _drill_for_write(actor, drill_id)
    files = [f for f in files if f]
    if not files:
        _fail("files", "请选择要上传的照片或 PDF")
    caption = _text({"caption": caption}, "caption", "说明", max_length=200, multiline=False)
    stored = [_attach(actor, drill, upload, caption=caption) for upload in files]
    drill.save(update_fields=["updated_at"])
    audit_record(
        "incidents.drill_attachment_add",
        obj=drill,
        actor=actor,
        extra={"attachments": [{"id": a.pk, "sha256": a.sha256, "type": a.content_type} for a in stored]},
    )
    return stored
