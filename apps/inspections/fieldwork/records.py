"""The on-site inspection record (现场检查笔录) as a PDF: Chinese fonts (Noto CJK via fontconfig), rendered from the
sealed content of a final result, with a QR code that links to its public verification page.

WeasyPrint (STACK.md) renders HTML + CSS; it needs Debian's pango at run time. Where it cannot be imported (the
embedded mode without pango) ``record_pdf`` raises ``PdfUnavailable`` and the page offers the printable HTML
record instead. Rendering never touches the network: only ``data:`` URIs are fetched (images are inlined).
"""

from __future__ import annotations

import base64
import datetime as dt
import io

from django.template.loader import render_to_string
from django.urls import reverse

from apps.common.exceptions import DomainError

from ..choices import InspectionOutcome, ItemVerdict, PenaltyKind
from ..models import InspectionResult
from .selectors import public_base_url


class PdfUnavailable(DomainError):
    code = "pdf_unavailable"
    status_code = 503
    default_message = "PDF 生成组件（WeasyPrint / pango）未安装，请使用打印版页面"


def verification_url(result: InspectionResult, request=None) -> str:
    return public_base_url(request) + reverse("public_results:detail", args=[result.public_id])


def qr_png(url: str) -> bytes:
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=6, border=4)
    qr.add_data(url)
    qr.make(fit=True)
    buf = io.BytesIO()
    qr.make_image().save(buf, format="PNG")
    return buf.getvalue()


def _data_uri(data: bytes, content_type: str = "image/png") -> str:
    return f"data:{content_type};base64," + base64.b64encode(data).decode("ascii")


def _file_data_uri(field) -> str:
    if not field:
        return ""
    try:
        with field.open("rb") as fh:
            return _data_uri(fh.read())
    except OSError:
        return ""


def record_context(result: InspectionResult, *, request=None) -> dict:
    """Everything the record shows, from the sealed content (never from the live registry)."""
    content = result.sealed_content or {}
    url = verification_url(result, request)
    verdicts = dict(ItemVerdict.choices)
    items = [
        {"code": code, "item": item, "verdict": verdict, "verdict_label": verdicts.get(verdict, verdict), "note": note}
        for code, item, verdict, note in content.get("items", [])
    ]
    penalty = content.get("penalty") or {}

    def when(key):
        value = content.get(key)
        return dt.datetime.fromisoformat(value) if value else None

    return {
        "inspected_at": when("inspected_at"),
        "finalised_at": when("finalised_at"),
        "result": result,
        "content": content,
        "items": items,
        "outcome_label": dict(InspectionOutcome.choices).get(content.get("outcome"), ""),
        "penalty": penalty,
        "penalty_kind_label": dict(PenaltyKind.choices).get(penalty.get("kind") or "", ""),
        "verification_url": url,
        "qr_data_uri": _data_uri(qr_png(url)),
        "inspector_signature": _file_data_uri(result.inspector_signature),
        "operator_signature": _file_data_uri(result.operator_signature),
    }


def record_html(result: InspectionResult, *, request=None, for_pdf: bool = True) -> str:
    return render_to_string(
        "inspections/tasks/record_pdf.html", {**record_context(result, request=request), "for_pdf": for_pdf}
    )


def record_pdf(result: InspectionResult, *, request=None) -> bytes:
    if not result.is_final:
        raise DomainError("只有已定稿的检查记录可以生成笔录", code="not_final")
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: the pango library is missing
        raise PdfUnavailable() from exc
    from weasyprint.urls import URLFetcher

    html = record_html(result, request=request)
    fetcher = URLFetcher(allowed_protocols={"data"})  # inline images only: no file or network access
    return weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf()
