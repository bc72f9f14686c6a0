"""Checks of uploaded evidence files (SECURITY.md FILE-07 / FILE-08), shared by inspection photos and the attachments
of a 抽样单: the type comes from the content (never the name or the browser's Content-Type), the size is capped while
reading, images are opened header-first (pixel cap against decompression bombs, decoder verify), PDFs must look like
PDFs, a Word document (DOCX, only where a caller allows it: emergency plans) must be a sound OOXML package without
macros, and the SHA-256 is taken of the bytes as stored. ``file_response`` serves a stored file for download only
(attachment + nosniff + sandbox CSP), behind the caller's scoped view.

Callers pass their own limits (configuration) and the form field the errors belong to."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from dataclasses import dataclass

from django.http import FileResponse, Http404
from django.utils import timezone

from .exceptions import ValidationFailed

JPEG, PNG, WEBP, PDF = "image/jpeg", "image/png", "image/webp", "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
IMAGE_TYPES = (JPEG, PNG, WEBP)
EXTENSIONS = {JPEG: "jpg", PNG: "png", WEBP: "webp", PDF: "pdf", DOCX: "docx"}
PIL_FORMATS = {JPEG: "JPEG", PNG: "PNG", WEBP: "WEBP"}
TYPE_LABELS = {JPEG: "JPEG", PNG: "PNG", WEBP: "WebP", PDF: "PDF", DOCX: "Word（DOCX）"}
# A DOCX is a ZIP: its parts together may hold at most this many bytes uncompressed, in at most this many parts
# (a small upload that inflates to gigabytes is refused before anything is decompressed).
DOCX_MAX_UNCOMPRESSED = 100 * 1024 * 1024
DOCX_MAX_PARTS = 2000
DOCX_MACRO_MARKERS = (b"macroenabled", b"vbaproject", b"vbadata")


def sniff_image_type(head: bytes) -> str | None:
    """The type of an image by its first bytes (never by name or the browser's Content-Type)."""
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    return None


def sniff_type(head: bytes) -> str | None:
    """An image type, ``application/pdf`` for a file starting ``%PDF-``, the DOCX type for a ZIP (``PK\\3\\4``: only
    a candidate, ``check_docx`` decides); None for anything else. A caller that does not allow DOCX refuses a ZIP
    as before, by type."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"PK\x03\x04"):
        return DOCX
    return sniff_image_type(head)


@dataclass(frozen=True)
class CheckedFile:
    data: bytes
    content_type: str
    sha256: str
    width: int | None = None
    height: int | None = None

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.content_type]


def read_capped(upload, *, max_bytes: int, field: str, label: str = "文件") -> bytes:
    """The upload's bytes, refused (``too_large``) as soon as they exceed ``max_bytes`` — whatever size it claims."""
    limit_mb = max(1, max_bytes // (1024 * 1024))
    size = getattr(upload, "size", None)
    if size is None or size > max_bytes:
        raise ValidationFailed(f"{label}不能超过 {limit_mb} MB", fields={field: ["文件过大"]}, code="too_large")
    chunks, total = [], 0
    for chunk in upload.chunks():
        total += len(chunk)
        if total > max_bytes:
            raise ValidationFailed(f"{label}不能超过 {limit_mb} MB", fields={field: ["文件过大"]}, code="too_large")
        chunks.append(chunk)
    data = b"".join(chunks)
    if not data:
        raise ValidationFailed(f"{label}是空文件", fields={field: ["空文件"]})
    return data


def check_image(data: bytes, content_type: str, *, max_pixels: int, field: str, label: str = "照片"):
    """(width, height) of an image whose decoder agrees with its sniffed type, within ``max_pixels``."""
    try:
        from PIL import Image
    except ImportError:  # pragma: no cover - Pillow is in requirements.txt
        return None, None
    try:
        with Image.open(io.BytesIO(data)) as img:
            width, height = img.size  # header only: nothing is decoded yet
            if img.format != PIL_FORMATS[content_type]:
                raise ValueError("format mismatch")
            if width <= 0 or height <= 0 or width * height > max_pixels:
                raise ValidationFailed(
                    f"{label}像素过大（{width}×{height}），上限 {max_pixels // 1_000_000} 百万像素",
                    fields={field: ["像素过大"]},
                )
            img.verify()
    except ValidationFailed:
        raise
    except Exception:  # noqa: BLE001 - a decoder error (or a bomb warning) means "not an acceptable image"
        raise ValidationFailed(f"{label}文件已损坏或不是有效图片", fields={field: ["图片无效"]}) from None
    return width, height


def check_pdf(data: bytes, *, field: str, label: str = "文件") -> None:
    """A PDF must end with its ``%%EOF`` trailer (a renamed file that only starts like a PDF is refused)."""
    if b"%%EOF" not in data[-1024:]:
        raise ValidationFailed(f"{label}已损坏或不是有效的 PDF", fields={field: ["PDF 无效"]})


def check_docx(data: bytes, *, field: str, label: str = "文件") -> None:
    """A Word document: a ZIP holding ``[Content_Types].xml`` and ``word/document.xml``, with the main part typed as
    a plain document — a macro-enabled one (.docm: ``…macroEnabled…`` content type, a ``vbaProject`` part) is
    refused, as is an archive whose parts would inflate past ``DOCX_MAX_UNCOMPRESSED``."""
    import zipfile

    invalid = ValidationFailed(f"{label}已损坏或不是有效的 Word（DOCX）文件", fields={field: ["DOCX 无效"]})
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            if len(infos) > DOCX_MAX_PARTS or sum(i.file_size for i in infos) > DOCX_MAX_UNCOMPRESSED:
                raise ValidationFailed(f"{label}解压后过大", fields={field: ["DOCX 过大"]})
            names = {i.filename for i in infos}
            if "[Content_Types].xml" not in names or "word/document.xml" not in names:
                raise invalid
            if any(marker in name.lower().encode() for name in names for marker in DOCX_MACRO_MARKERS):
                raise _macro_refusal(field, label)
            types = archive.read("[Content_Types].xml").lower()
            if any(marker in types for marker in DOCX_MACRO_MARKERS):
                raise _macro_refusal(field, label)
            if b"wordprocessingml.document.main+xml" not in types:
                raise invalid
    except ValidationFailed:
        raise
    except Exception:  # noqa: BLE001 - a broken archive (bad CRC, truncated, encrypted) is "not a DOCX"
        raise invalid from None


def _macro_refusal(field: str, label: str) -> ValidationFailed:
    return ValidationFailed(
        f"{label}含宏（.docm），不能上传；请另存为不含宏的 Word 文档（.docx）或 PDF", fields={field: ["含宏"]}
    )


def check_upload(
    upload,
    *,
    allowed: tuple[str, ...],
    max_bytes: int,
    max_pixels: int,
    field: str,
    label: str = "文件",
) -> CheckedFile:
    """Read (capped), sniff, check and hash one upload; a ``ValidationFailed`` in Chinese naming ``field``."""
    data = read_capped(upload, max_bytes=max_bytes, field=field, label=label)
    content_type = sniff_type(data[:16])
    if content_type not in allowed:
        kinds = "、".join(TYPE_LABELS[t] for t in allowed)
        raise ValidationFailed(f"{label}只能是 {kinds} 文件", fields={field: ["文件类型不支持"]})
    width = height = None
    if content_type in IMAGE_TYPES:
        width, height = check_image(data, content_type, max_pixels=max_pixels, field=field, label=label)
    elif content_type == DOCX:
        check_docx(data, field=field, label=label)
    else:
        check_pdf(data, field=field, label=label)
    return CheckedFile(
        data=data, content_type=content_type, sha256=hashlib.sha256(data).hexdigest(), width=width, height=height
    )


def exif_taken_at(data: bytes):
    """The EXIF 拍摄时间 of an image, or None (EXIF is optional and often malformed)."""
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
    except Exception:  # noqa: BLE001
        return None


def file_response(field, content_type: str, filename: str):
    """A stored file as a download (FILE-07): ``<img>`` still shows it; opening the URL downloads, never renders."""
    try:
        handle = field.open("rb")
    except (OSError, ValueError):
        raise Http404 from None
    response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=600"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
