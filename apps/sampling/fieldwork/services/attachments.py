"""Writes of the attachments of a 抽样单 (DOMAIN.md §3.3): on-site photos and the signed scans of the 抽样单 and the
告知书. Every file is checked by ``apps.common.uploads`` (type by content, size cap while reading, pixel cap, PDF
trailer) and stored unchanged with the SHA-256 taken at upload, in the same transaction as its audit event.

Until the sample is with the lab (``Sample.attachments_locked``: received or concluded) a sampler may delete an
attachment (audited). Afterwards attachments are immutable: nothing is deleted or replaced, and anything added is a
correction or a supplement that must say why (``reason``), optionally naming the attachment it corrects."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction

from apps.common import uploads
from apps.common.audit import audit_record
from apps.common.exceptions import Conflict, OutOfScope, ValidationFailed
from apps.common.permissions import require_perm
from apps.common.text import clean_text

from ...choices import AttachmentKind
from ...models import Sample, SampleAttachment

ATTACHMENTS_PER_SAMPLE = 40
PHOTO_TYPES = uploads.IMAGE_TYPES
SCAN_TYPES = (*uploads.IMAGE_TYPES, uploads.PDF)  # a signed scan may be a photo of the paper or a PDF


def attachment_max_bytes() -> int:
    return int(getattr(settings, "SAMPLING_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024))


def attachment_max_pixels() -> int:
    return int(getattr(settings, "SAMPLING_ATTACHMENT_MAX_PIXELS", 50_000_000))


def _short_text(value, *, field: str, label: str, max_length: int = 200) -> str:
    try:
        text = clean_text(value or "", multiline=False) or ""
    except ValidationError as exc:
        raise ValidationFailed(f"{label}：{exc.messages[0]}", fields={field: exc.messages}) from None
    text = text.strip()
    if len(text) > max_length:
        raise ValidationFailed(f"{label}最多 {max_length} 个字", fields={field: [f"最多 {max_length} 个字"]})
    return text


def _sample_for_write(actor, sample_id) -> Sample:
    try:
        return Sample.objects.visible_to(actor).select_for_update(of=("self",)).get(pk=sample_id)
    except (Sample.DoesNotExist, ValueError, TypeError):
        raise OutOfScope() from None


@transaction.atomic
def attachment_add(
    *, actor, sample_id, upload, kind: str, caption: str = "", reason: str = "", corrects_id=None
) -> SampleAttachment:
    """Store one checked file on the sample. After sending to the lab a ``reason`` is required (a correction)."""
    require_perm(actor, "sampling.add_sampleattachment")
    sample = _sample_for_write(actor, sample_id)
    if kind not in AttachmentKind.values:
        raise ValidationFailed("请选择附件类型", fields={"kind": ["请选择附件类型"]})
    caption = _short_text(caption, field="caption", label="说明")
    reason = _short_text(reason, field="reason", label="更正原因")
    corrects = None
    if corrects_id not in (None, ""):
        try:
            corrects = SampleAttachment.objects.get(pk=int(corrects_id), sample=sample)
        except (SampleAttachment.DoesNotExist, ValueError, TypeError):
            raise ValidationFailed("要更正的附件不属于此样品", fields={"corrects": ["附件无效"]}) from None
        if not reason:
            raise ValidationFailed("更正附件须填写更正原因", fields={"reason": ["请填写更正原因"]})
    if sample.attachments_locked and not reason:
        raise ValidationFailed(
            f"样品已{sample.get_status_display()}，原附件不可更改；补充或更正附件须填写原因",
            fields={"reason": ["样品已送检，须填写补充或更正原因"]},
        )
    if upload is None:
        raise ValidationFailed("请选择要上传的文件", fields={"files": ["请选择文件"]})
    if SampleAttachment.objects.filter(sample=sample).count() >= ATTACHMENTS_PER_SAMPLE:
        raise ValidationFailed(f"每份抽样单最多 {ATTACHMENTS_PER_SAMPLE} 个附件", fields={"files": ["数量超限"]})
    label = AttachmentKind(kind).label
    checked = uploads.check_upload(
        upload,
        allowed=PHOTO_TYPES if kind == AttachmentKind.PHOTO else SCAN_TYPES,
        max_bytes=attachment_max_bytes(),
        max_pixels=attachment_max_pixels(),
        field="files",
        label=label,
    )
    original = (getattr(upload, "name", "") or "").replace("\\", "/").rsplit("/", 1)[-1]
    attachment = SampleAttachment(
        sample=sample,
        kind=kind,
        original_name=_safe_name(original),
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        width=checked.width,
        height=checked.height,
        caption=caption,
        corrects=corrects,
        correction_reason=reason,
        uploaded_by=actor,
    )
    attachment.file.save(f"{uuid.uuid4().hex}.{checked.extension}", ContentFile(checked.data), save=False)
    attachment.save()
    audit_record(
        "sampling.attachment_add",
        obj=attachment,
        actor=actor,
        extra={
            "sample": sample.pk,
            "number": sample.number,
            "kind": kind,
            "sha256": checked.sha256,
            "size": checked.size,
            "type": checked.content_type,
            "after_sending": sample.attachments_locked,
            "corrects": corrects.pk if corrects else None,
            "reason": reason,
        },
    )
    return attachment


def _safe_name(name: str) -> str:
    """The uploaded name, for display only (the stored name is random): printable, at most 120 characters."""
    try:
        cleaned = clean_text(name, multiline=False) or ""
    except ValidationError:
        cleaned = ""
    return cleaned.strip()[:120]


@transaction.atomic
def attachment_delete(*, actor, attachment_id) -> None:
    """Delete an attachment of a sample not yet sent to the lab (audited with its hash)."""
    require_perm(actor, "sampling.delete_sampleattachment")
    try:
        sample_id = SampleAttachment.objects.visible_to(actor).values_list("sample_id", flat=True).get(pk=attachment_id)
    except (SampleAttachment.DoesNotExist, ValueError, TypeError):
        raise OutOfScope() from None
    sample = _sample_for_write(actor, sample_id)
    if sample.attachments_locked:
        raise Conflict(
            f"样品已{sample.get_status_display()}，附件不能删除；如有错误请上传更正附件并写明原因",
            code="attachments_locked",
        )
    attachment = SampleAttachment.objects.get(pk=attachment_id)
    if attachment.corrections.exists():
        raise Conflict("该附件已有更正附件，不能删除", code="attachment_corrected")
    name, digest, kind = attachment.file.name, attachment.sha256, attachment.kind
    storage = attachment.file.storage
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(name))
    audit_record(
        "sampling.attachment_delete",
        obj=sample,
        actor=actor,
        extra={"attachment": int(attachment_id), "kind": kind, "sha256": digest},
    )
