"""Small real image files for upload tests (the upload check opens and verifies images: fake headers are refused)."""

import io


def tiny_png(width: int = 4, height: int = 4, color=(200, 30, 30)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, format="PNG")
    return buffer.getvalue()
