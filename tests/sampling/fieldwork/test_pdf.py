"""The printable 抽样单: a PDF (5 联, one page per copy, Chinese text, lang zh-Hans), scoped like the sample, and the
printable HTML when WeasyPrint's native libraries cannot load."""

import io
import shutil
import subprocess

import pytest
from django.test import Client
from django.urls import reverse

from apps.sampling.fieldwork.records import COPIES, record_html, sample_pdf
from apps.sampling.fieldwork.selectors import sample_get
from tests.factories import sampling as factories

pytestmark = pytest.mark.django_db


def _weasyprint_or_skip():
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as exc:
        pytest.skip(f"WeasyPrint 无法加载（{exc}）：嵌入模式下由打印版页面代替 PDF")


def _cjk_fonts() -> bool:
    if not shutil.which("fc-list"):
        return False
    out = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, check=False).stdout
    return bool(out.strip())


@pytest.fixture
def sample(township_a, city_staff):
    made = factories.SampleFactory(task__plan_line__township=township_a, site_name="海宁市硖石美味餐饮店", name="青菜")
    return sample_get(actor=city_staff, pk=made.pk)


def test_pdf_has_one_page_per_copy_and_the_chinese_text(sample):
    _weasyprint_or_skip()
    pdf = sample_pdf(sample)
    assert pdf.startswith(b"%PDF") and len(pdf) > 5000
    pypdf = pytest.importorskip("pypdf")
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == len(COPIES) + 1 == 6  # the five copies, then the list of attachments
    if not _cjk_fonts():
        pytest.skip("本机没有中文字体（fonts-noto-cjk），不检查文字提取；PDF 已生成")
    assert "附件清单" in reader.pages[-1].extract_text().replace(" ", "")
    for page, copy in zip(reader.pages[: len(COPIES)], COPIES, strict=True):
        text = page.extract_text().replace(" ", "").replace("\n", "")
        assert sample.number in text and copy in text and "食品安全抽样检验抽样单" in text
        assert "海宁市硖石美味餐饮店" in text


def test_html_names_the_five_copies_and_the_fields(sample):
    html = record_html(sample)
    assert '<html lang="zh-Hans">' in html
    for i, copy in enumerate(COPIES, start=1):
        assert f"第{i}联　{copy}" in html
    for text in (
        sample.number,
        "海宁市硖石美味餐饮店",
        "青菜",
        sample.backup_seal_no,
        "王抽样、李抽样",
        sample.lab.name,
    ):
        assert text in html


def test_pdf_view_is_scoped(sample, staff_b, city_staff):
    _weasyprint_or_skip()
    url = reverse("sampling:sample_pdf", args=[sample.pk])
    client = Client()
    client.force_login(staff_b)
    assert client.get(url).status_code == 404
    client.force_login(city_staff)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_without_weasyprint_the_printable_html_is_served(sample, city_staff, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_weasyprint(name, *args, **kwargs):
        if name == "weasyprint" or name.startswith("weasyprint."):
            raise OSError("cannot load library 'pango-1.0-0'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_weasyprint)
    client = Client()
    client.force_login(city_staff)
    response = client.get(reverse("sampling:sample_pdf", args=[sample.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert "第5联　被抽样单位" in response.content.decode()
