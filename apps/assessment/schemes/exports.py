"""The final ranking of a round as Excel (``apps.common.excel``) and PDF (WeasyPrint, Noto CJK via fontconfig, the
URL fetcher limited to ``data:`` as the 抽样单 PDF). Both show what the caller may see (a township: its own row)."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from apps.common.excel import ExportColumn, write_workbook
from apps.common.exceptions import DomainError

COLUMNS = (
    ExportColumn("排名", 8, "number"),
    ExportColumn("镇街", 14),
    ExportColumn("总分", 10, "number"),
    ExportColumn("星级", 8, "number"),
)


class PdfUnavailable(DomainError):
    code = "pdf_unavailable"
    status_code = 503
    default_message = "PDF 生成组件（WeasyPrint / pango）未安装"


def ranking_xlsx(*, actor, rnd, scores, indicators, items) -> bytes:
    columns = COLUMNS + tuple(ExportColumn(f"{i.label}（{i.weight}）", 12, "number") for i in indicators)

    def rows():
        for s in scores:
            by_ind = {it.indicator_id: it.weighted for it in items.get(s.pk, ())}
            yield (s.rank, s.township.name, s.total, s.stars, *(by_ind.get(i.pk) for i in indicators))

    content, _count = write_workbook(
        sheet_title="考核排名",
        columns=columns,
        rows=rows(),
        about={
            "考核": str(rnd),
            "方案": str(rnd.scheme) + ("（默认方案，待市局确认）" if rnd.scheme.is_default else ""),
            "状态": rnd.get_status_display(),
            "数据截至": f"{rnd.as_of:%Y-%m-%d}" if rnd.as_of else "—",
            "导出人": str(actor),
            "导出时间": f"{timezone.localtime():%Y-%m-%d %H:%M}",
        },
        title=f"{rnd.year} 年度镇街考核排名",
    )
    return content


def ranking_pdf(*, rnd, scores) -> bytes:
    try:
        import weasyprint
    except (ImportError, OSError) as exc:
        raise PdfUnavailable() from exc
    from weasyprint.urls import URLFetcher

    html = render_to_string(
        "assessment/schemes/ranking_pdf.html",
        {"round": rnd, "scores": scores, "generated": timezone.localtime()},
    )
    return weasyprint.HTML(string=html, url_fetcher=URLFetcher(allowed_protocols={"data"})).write_pdf()
