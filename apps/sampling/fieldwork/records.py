"""The printable 抽样单 as a PDF: Chinese fonts (Noto CJK via fontconfig), ``lang="zh-Hans"``, one A4 page per copy
of the five-part form (5 联: 组织监管部门 / 检验机构 / 标称生产者 / 抽样单位 / 被抽样单位), each page naming its copy.

WeasyPrint renders HTML + CSS (the same pattern as the inspection record, ``apps.inspections.fieldwork.records``);
it needs Debian's pango at run time. Where it cannot be imported (the embedded mode without pango)
``sample_pdf`` raises ``PdfUnavailable`` and the view serves the printable HTML instead. Rendering never touches the
network or the file system: the URL fetcher only allows ``data:`` URIs (there are no images)."""

from __future__ import annotations

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


def record_context(sample: Sample, *, copies=COPIES) -> dict:
    province, city, county = (region() + ["", "", ""])[:3]
    return {
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


def record_html(sample: Sample, *, for_pdf: bool = True, copies=COPIES) -> str:
    return render_to_string(
        "sampling/fieldwork/sample_pdf.html", {**record_context(sample, copies=copies), "for_pdf": for_pdf}
    )


def sample_pdf(sample: Sample, *, copies=COPIES) -> bytes:
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: the pango library is missing
        raise PdfUnavailable() from exc
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols={"data"})
    return weasyprint.HTML(string=record_html(sample, copies=copies), url_fetcher=fetcher).write_pdf()
