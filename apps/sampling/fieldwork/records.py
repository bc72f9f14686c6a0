"""The printable 抽样单 as a PDF: Chinese fonts (Noto CJK via fontconfig), ``lang="zh-Hans"``, one A4 page per copy
of the five-part form (5 联: 组织监管部门 / 检验机构 / 标称生产者 / 抽样单位 / 被抽样单位), each page naming its copy.

WeasyPrint renders HTML + CSS (the same pattern as the inspection record, ``apps.inspections.fieldwork.records``);
it needs Debian's pango at run time. Where it cannot be imported (the embedded mode without pango)
``sample_pdf`` raises ``PdfUnavailable`` and the view serves the printable HTML instead. Rendering never touches the
network or the file system: the URL fetcher only allows ``data:`` URIs. After the five copies, one page lists the
抽样单's attachments with their SHA-256 (taken at upload); photos appear as small JPEG thumbnails made here and
inlined as ``data:`` URIs (the stored originals are never sent to the renderer)."""

from __future__ import annotations

import base64
import io

from django.template.loader import render_to_string
from django.utils import timezone

from apps.common.exceptions import DomainError

from ..models import Sample
from .rules import region
from .selectors import category_path

COPIES = ("组织监管部门", "检验机构", "标称生产者", "抽样单位", "被抽样单位")


class PdfUnavailable(DomainError):
    code = "pdf_unavailable"
    status_code = 503
    default_message = "PDF 生成组件（WeasyPrint / pango）未安装，请使用打印版页面"


THUMBNAIL_PX = 240


def thumbnail_data_uri(attachment) -> str:
    """A small JPEG of an image attachment as a ``data:`` URI, or "" (not an image, unreadable file)."""
    if not attachment.is_image:
        return ""
    try:
        from PIL import Image

        with attachment.file.open("rb") as handle, Image.open(handle) as img:
            img.draft("RGB", (THUMBNAIL_PX, THUMBNAIL_PX))  # JPEG: decode at a reduced scale
            img = img.convert("RGB")
            img.thumbnail((THUMBNAIL_PX, THUMBNAIL_PX))
            out = io.BytesIO()
            img.save(out, "JPEG", quality=70)
    except Exception:  # noqa: BLE001 - a missing or unreadable file: list it without a thumbnail
        return ""
    return "data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode("ascii")


def _decorate_attachments(attachments) -> list:
    index = {a.pk: i for i, a in enumerate(attachments, start=1)}
    for a in attachments:
        a.thumbnail = thumbnail_data_uri(a)
        a.corrects_index = index.get(a.corrects_id)
    return list(attachments)


def record_context(sample: Sample, *, copies=COPIES, attachments=()) -> dict:
    province, city, county = (region() + ["", "", ""])[:3]
    return {
        "attachments": _decorate_attachments(list(attachments)),
        "sample": sample,
        "plan": sample.task.plan,
        "org": sample.sampling_org,
        "lab": sample.lab,
        "categories": category_path(sample.category),
        "copies": [{"index": i, "name": name} for i, name in enumerate(copies, start=1)],
        "copy_count": len(copies),
        "region": {"province": province, "city": city, "county": county},
        "printed_at": timezone.localtime(),
    }


def record_html(sample: Sample, *, for_pdf: bool = True, copies=COPIES, attachments=()) -> str:
    return render_to_string(
        "sampling/fieldwork/sample_pdf.html",
        {**record_context(sample, copies=copies, attachments=attachments), "for_pdf": for_pdf},
    )


def sample_pdf(sample: Sample, *, copies=COPIES, attachments=()) -> bytes:
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: the pango library is missing
        raise PdfUnavailable() from exc
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols={"data"})
    return weasyprint.HTML(
        string=record_html(sample, copies=copies, attachments=attachments), url_fetcher=fetcher
    ).write_pdf()
