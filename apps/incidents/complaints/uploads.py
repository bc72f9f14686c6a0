"""The attachment check of the public complaint form, on the platform's one upload check (apps/common/uploads.py:
type by content, pixel cap and decoder verify for images, the PDF trailer)."""

from apps.common.exceptions import ValidationFailed
from apps.common.uploads import EXTENSIONS, JPEG, PDF, PNG, check_image, check_pdf, sniff_type

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 50_000_000
MAX_FILES = 3
ALLOWED = (JPEG, PNG, PDF)


def check_attachment(data: bytes) -> tuple[str, str]:
    """``(content_type, extension)`` of an accepted attachment, judged by its content (never by its name or the
    browser's type); ValidationFailed with a Chinese message otherwise."""
    if not data:
        raise ValidationFailed("附件是空文件", fields={"attachments": ["附件是空文件"]})
    if len(data) > MAX_BYTES:
        message = f"附件不能超过 {MAX_BYTES // (1024 * 1024)} MB"
        raise ValidationFailed(message, fields={"attachments": [message]})
    content_type = sniff_type(data[:16])
    if content_type not in ALLOWED:
        message = "附件只能是 JPEG、PNG 图片或 PDF 文件"
        raise ValidationFailed(message, fields={"attachments": [message]})
    if content_type == PDF:
        check_pdf(data, field="attachments", label="附件")
    else:
        check_image(data, content_type, max_pixels=MAX_PIXELS, field="attachments", label="附件")
    return content_type, EXTENSIONS[content_type]
