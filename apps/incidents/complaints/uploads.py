"""The attachment check of the public complaint form: one function, so the merge can point it at the platform's.

TODO(lead): point at the common upload check at merge (the photo checks of
apps/inspections/fieldwork/services/photos.py are moving into apps/common)."""

from apps.common.exceptions import ValidationFailed

MAX_BYTES = 5 * 1024 * 1024
MAX_FILES = 3
_SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"%PDF-", "application/pdf", "pdf"),
)


def check_attachment(data: bytes) -> tuple[str, str]:
    """``(content_type, extension)`` of an accepted attachment, judged by its content (never by its name or the
    browser's type); ValidationFailed with a Chinese message otherwise."""
    if not data:
        raise ValidationFailed("附件是空文件", fields={"attachments": ["附件是空文件"]})
    if len(data) > MAX_BYTES:
        message = f"附件不能超过 {MAX_BYTES // (1024 * 1024)} MB"
        raise ValidationFailed(message, fields={"attachments": [message]})
    for magic, content_type, ext in _SIGNATURES:
        if data.startswith(magic):
            return content_type, ext
    message = "附件只能是 JPEG、PNG 图片或 PDF 文件"
    raise ValidationFailed(message, fields={"attachments": [message]})
