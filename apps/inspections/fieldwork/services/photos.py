"""Writes of the photos of a draft result (FILE-08): type by content, size and pixel caps, EXIF kept."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import uuid

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

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
