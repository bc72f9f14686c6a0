"""Writes of the photos of a draft result (FILE-08): type by content, size and pixel caps, EXIF kept (the checks are
``apps.common.uploads``, shared with the attachments of a 抽样单)."""

from __future__ import annotations

import uuid

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from apps.common import uploads
from apps.common.audit import audit_record
from apps.common.exceptions import Conflict, OutOfScope, ValidationFailed

from ...choices import ResultStatus
from ...models import InspectionResult, ItemResult, Photo
from ._common import _result_for_write, _setting


def photo_max_bytes() -> int:
    return int(_setting("INSPECTION_PHOTO_MAX_BYTES", 10 * 1024 * 1024))


def photo_max_pixels() -> int:
    """Decompression-bomb cap (FILE-08): width × height of an accepted photo."""
    return int(_setting("INSPECTION_PHOTO_MAX_PIXELS", 50_000_000))


PHOTOS_PER_RESULT = 30


# ---------------------------------------------------------------------------- photos (FILE-08)
PHOTO_TYPES = uploads.IMAGE_TYPES  # JPEG, PNG, WebP: type sniffing, caps and hashing live in apps.common.uploads


@transaction.atomic
def photo_add(*, actor, result_id: int, upload, caption: str = "", check_item_id: int | None = None) -> Photo:
    """Store one photo of a draft unchanged (EXIF kept: this is the evidence copy), with its SHA-256 taken now."""
    result, task = _result_for_write(actor, result_id)
    if not result.can_transition_to(ResultStatus.FINAL):
        raise Conflict("该检查结果已定稿，不能再添加照片", code="result_final")
    if Photo.objects.filter(result=result).count() >= PHOTOS_PER_RESULT:
        raise ValidationFailed(f"每份记录最多 {PHOTOS_PER_RESULT} 张照片", fields={"photos": ["数量超限"]})
    checked = uploads.check_upload(
        upload,
        allowed=PHOTO_TYPES,
        max_bytes=photo_max_bytes(),
        max_pixels=photo_max_pixels(),
        field="photos",
        label="照片",
    )
    data, content_type, width, height = checked.data, checked.content_type, checked.width, checked.height
    item_result = None
    if check_item_id:
        item_result = ItemResult.objects.filter(result=result, check_item_id=check_item_id).first()
    photo = Photo(
        task=task,
        result=result,
        item_result=item_result,
        content_type=content_type,
        size=len(data),
        sha256=checked.sha256,
        width=width,
        height=height,
        caption=(caption or "").strip()[:200],
        taken_at=uploads.exif_taken_at(data),
        uploaded_by=actor,
    )
    photo.file.save(f"{uuid.uuid4().hex}.{checked.extension}", ContentFile(data), save=False)
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
