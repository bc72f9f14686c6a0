"""The on-site inspection record (现场检查笔录) as a PDF: it parses, carries the Chinese business name (Noto CJK text,
extractable), links to the public verification page, and its QR code encodes exactly that URL.

No QR decoder is installed here, so the QR image embedded in the PDF is compared module by module with the QR matrix
qrcode builds for the URL (same version, error correction and mask: the encoding is deterministic)."""

import io

import pytest
from django.test import Client
from django.urls import reverse

from apps.inspections.fieldwork.records import qr_png, record_pdf, verification_url
from apps.inspections.fieldwork.services.results import result_finalise

from .fieldwork_helpers import field_fixture  # noqa: F401

pytestmark = pytest.mark.django_db
pypdf = pytest.importorskip("pypdf")


def _matrix_of_image(img, modules: int) -> list[list[bool]]:
    gray = img.convert("L")
    width, height = gray.size
    step = width / modules
    return [
        [gray.getpixel((int((x + 0.5) * step), int((y + 0.5) * height / modules))) < 128 for x in range(modules)]
        for y in range(modules)
    ]


def _expected_matrix(url: str) -> list[list[bool]]:
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=6, border=4)
    qr.add_data(url)
    qr.make(fit=True)
    return qr.get_matrix()


@pytest.fixture
def final(field):
    return result_finalise(
        actor=field.user,
        result_id=field.complete_draft(
            outcome="rectify", verdict="basic", rectification_requirements="更换防蝇设施"
        ).pk,
    )


def test_pdf_parses_with_chinese_text_link_and_qr(final, settings):
    settings.PUBLIC_BASE_URL = "https://foodsafety.haining.example"
    pdf = record_pdf(final)
    assert pdf.startswith(b"%PDF")
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = "".join(page.extract_text() for page in reader.pages)
    compact = text.replace(" ", "").replace("\n", "")  # the title is letter-spaced
    assert "海宁市硖石美味餐饮店" in text and "现场检查笔录" in compact and "责令整改" in text
    assert final.content_hash in compact
    url = verification_url(final)
    assert url == f"https://foodsafety.haining.example/public/results/{final.public_id}/"
    links = [
        annot.get_object().get("/A", {}).get("/URI") for page in reader.pages for annot in (page.get("/Annots") or [])
    ]
    assert url in links
    fonts = {
        str(font.get_object().get("/BaseFont"))
        for page in reader.pages
        for font in (page["/Resources"].get("/Font") or {}).values()
    }
    assert any("CJK" in f for f in fonts), fonts  # the Noto CJK fonts are embedded
    expected = _expected_matrix(url)
    images = [image.image for page in reader.pages for image in page.images]
    assert any(img.size[0] == img.size[1] and _matrix_of_image(img, len(expected)) == expected for img in images), (
        "no embedded image encodes the verification URL"
    )


def test_qr_png_is_the_matrix_of_the_url():
    from PIL import Image

    url = "http://localhost:8000/public/results/00000000-0000-0000-0000-000000000001/"
    expected = _expected_matrix(url)
    assert _matrix_of_image(Image.open(io.BytesIO(qr_png(url))), len(expected)) == expected


def test_pdf_view_is_scoped_and_only_for_final_records(final, field, staff_b, city_staff):
    url = reverse("inspections:result_pdf", args=[final.pk])
    client = Client()
    client.force_login(staff_b)
    assert client.get(url).status_code == 404
    client.force_login(city_staff)
    response = client.get(url)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_pdf_record_does_not_change_when_the_registry_does(final):
    enterprise = final.task.enterprise
    enterprise.name = "改名后的餐饮店"
    enterprise.save()
    final.refresh_from_db()
    reader = pypdf.PdfReader(io.BytesIO(record_pdf(final)))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "海宁市硖石美味餐饮店" in text and "改名后的餐饮店" not in text


def test_without_weasyprint_the_printable_html_is_served(final, city_staff, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_weasyprint(name, *args, **kwargs):
        if name == "weasyprint" or name.startswith("weasyprint."):
            raise OSError("cannot load library 'pango-1.0-0'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_weasyprint)
    client = Client()
    client.force_login(city_staff)
    response = client.get(reverse("inspections:result_pdf", args=[final.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert "现场检查笔录" in response.content.decode() and "海宁市硖石美味餐饮店" in response.content.decode()
