"""The DOCX check added to apps/common/uploads.py (emergency plan texts): a sound OOXML word-processing package is
accepted; a macro-enabled one (.docm), a ZIP that is not a Word document, a broken archive and one that inflates
past the cap are refused in Chinese; callers that do not allow DOCX refuse a ZIP as before."""

import pytest

from apps.common import uploads
from apps.common.exceptions import ValidationFailed

from .helpers import DOCM_MAIN, docx_bytes, pdf_bytes, png_bytes, upload


def _check(data, allowed=(uploads.PDF, uploads.DOCX)):
    return uploads.check_upload(
        upload("x.docx", data), allowed=allowed, max_bytes=5 * 1024 * 1024, max_pixels=10_000_000, field="document"
    )


def test_a_docx_is_accepted_by_content():
    checked = _check(docx_bytes())
    assert checked.content_type == uploads.DOCX and checked.extension == "docx" and len(checked.sha256) == 64


def test_a_docm_is_refused_by_its_content_type():
    with pytest.raises(ValidationFailed) as exc:
        _check(docx_bytes(main_type=DOCM_MAIN))
    assert "含宏" in exc.value.message and exc.value.fields == {"document": ["含宏"]}


def test_a_vba_project_part_is_refused_even_with_a_plain_content_type():
    with pytest.raises(ValidationFailed) as exc:
        _check(docx_bytes(extra_parts=[("word/vbaProject.bin", b"\x00" * 10)]))
    assert "含宏" in exc.value.message


@pytest.mark.parametrize(
    "data",
    [
        docx_bytes(with_document=False),  # a ZIP without word/document.xml
        docx_bytes(main_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"),
        b"PK\x03\x04" + b"\x00" * 64,  # a broken archive
    ],
    ids=["no-document-part", "not-wordprocessing", "broken-zip"],
)
def test_a_zip_that_is_not_a_word_document_is_refused(data):
    with pytest.raises(ValidationFailed) as exc:
        _check(data)
    assert "DOCX" in exc.value.message


def test_an_archive_that_inflates_past_the_cap_is_refused(monkeypatch):
    monkeypatch.setattr(uploads, "DOCX_MAX_UNCOMPRESSED", 1000)
    with pytest.raises(ValidationFailed) as exc:
        _check(docx_bytes(extra_parts=[("word/media/big.bin", b"0" * 5000)]))
    assert "解压后过大" in exc.value.message


def test_callers_without_docx_still_refuse_a_zip_by_type():
    with pytest.raises(ValidationFailed) as exc:
        _check(docx_bytes(), allowed=(uploads.JPEG, uploads.PNG, uploads.PDF))
    assert "只能是 JPEG、PNG、PDF" in exc.value.message


def test_images_and_pdfs_are_checked_as_before():
    assert _check(pdf_bytes()).content_type == uploads.PDF
    assert _check(png_bytes(), allowed=(uploads.PNG,)).content_type == uploads.PNG
    with pytest.raises(ValidationFailed):
        _check(b"%PDF-1.4 no trailer")
