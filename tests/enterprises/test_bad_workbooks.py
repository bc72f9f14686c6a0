"""The bad-workbook corpus (issue 3 point 8; SECURITY.md FILE-01..06): every file is answered with a clear Chinese
error and NOTHING is written — no enterprise, no licence, no audit event, and for files refused by the pre-scan
not even the upload itself. Timing (≤ 2 s each) is measured by benchmarks/import_enterprises.py, not here."""

import io
import zipfile

import openpyxl
import pytest

from apps.common import excel
from apps.common.exceptions import DomainError
from apps.common.models import AuditEvent
from apps.enterprises import imports
from apps.enterprises.models import Enterprise, ImportRecord, Licence
from tests.fixtures_xlsx.builders import BAD_WORKBOOKS, BILLION_LAUGHS, base_workbook, with_shared_strings, zip_rewrite
from tests.fixtures_xlsx.builders import _xxe_sheet as xxe_sheet

pytestmark = pytest.mark.django_db
CORPUS = {bad.name: bad for bad in BAD_WORKBOOKS}


def test_the_corpus_has_at_least_15_distinct_bad_workbooks():
    assert len(CORPUS) == len(BAD_WORKBOOKS) >= 15
    required = {
        "billion_laughs_shared_strings", "xxe_file_in_sheet", "zip_bomb_one_entry_1_to_1000",
        "ten_thousand_tiny_entries", "lying_size_header", "macro_vbaproject_renamed", "external_link_part",
        "ole_embedding", "csv_renamed", "html_renamed", "xls_renamed", "wrong_headers", "missing_required_header",
        "merged_cells", "formulas", "duplicate_usccs", "dates_as_text_unparseable", "codes_stored_as_numbers",
        "ten_thousand_and_one_rows", "foreign_township", "oversize_10mb_plus_1",
    }  # fmt: skip
    assert required <= set(CORPUS)


def _state():
    return Enterprise.objects.count(), Licence.objects.count(), AuditEvent.objects.count()


@pytest.mark.parametrize("bad", BAD_WORKBOOKS, ids=[b.name for b in BAD_WORKBOOKS])
def test_dry_run_answers_in_chinese_and_writes_nothing(bad, staff_a, township_b):
    data = bad.build()
    before = _state()
    upload_dir_before = set(imports.upload_dir().iterdir())
    upload_id, report = imports.enterprise_import_upload(actor=staff_a, data=data, filename=f"{bad.name}.xlsx")
    assert not report.ok
    text = "；".join(str(i) for i in report.errors)
    assert bad.expect in text, text
    assert any("\u4e00" <= ch <= "\u9fff" for ch in report.errors[0].message)
    assert _state() == before
    stored = set(imports.upload_dir().iterdir()) - upload_dir_before
    assert not any(p.suffix == ".xlsx" for p in stored)  # a workbook that cannot be imported is never kept
    if bad.stage == "prescan":
        assert report.refused_file and upload_id == "" and stored == set()
        assert report.status_code == bad.status
    else:  # only the report is kept, as an import record (no file)
        assert not report.refused_file and stored == set()
        assert ImportRecord.objects.get(pk=upload_id).status == "invalid"


@pytest.mark.parametrize("bad", BAD_WORKBOOKS, ids=[b.name for b in BAD_WORKBOOKS])
def test_commit_refuses_and_writes_nothing(bad, staff_a, township_b):
    data = bad.build()
    before = _state()
    with pytest.raises(DomainError) as exc:
        imports.enterprise_import_commit(actor=staff_a, data=data, filename=f"{bad.name}.xlsx")
    assert exc.value.message
    if bad.stage == "content":
        assert "未写入任何数据" in exc.value.message
    assert _state() == before


# ------------------------------------------------------------------------------------------------ defence in depth
def test_openpyxl_uses_defusedxml():
    import openpyxl as op

    assert op.DEFUSEDXML is True
    excel.assert_defusedxml()  # does not raise


def test_missing_defusedxml_refuses_to_parse_and_fails_the_system_check(monkeypatch):
    import openpyxl as op
    from django.core.exceptions import ImproperlyConfigured

    from apps.common.checks import defusedxml_active

    monkeypatch.setattr(op, "DEFUSEDXML", False)
    with pytest.raises(ImproperlyConfigured):
        excel.xlsx_open(base_workbook())
    assert [e.id for e in defusedxml_active(None)] == ["common.E001"]


def test_entity_attacks_are_refused_by_openpyxl_itself_when_the_prescan_is_bypassed():
    """Even if the pre-scan missed a DTD, defusedxml (inside openpyxl) refuses entities: shared strings at open,
    sheets while reading rows."""
    bomb = with_shared_strings(base_workbook(), BILLION_LAUGHS)
    with pytest.raises(excel.WorkbookRejected) as exc:
        excel.xlsx_open(bomb)
    assert exc.value.code == "xml_entity"

    xxe = zip_rewrite(base_workbook(), replace={"xl/worksheets/sheet1.xml": xxe_sheet("file:///etc/passwd")})
    with pytest.raises(excel.WorkbookRejected) as exc:  # at open (dimension scan) or while reading rows
        wb = excel.xlsx_open(xxe)
        list(excel.read_table(wb, imports.COLUMNS).rows())
    assert exc.value.code == "xml_entity"


def test_prescan_refuses_entities_before_any_parser_runs(monkeypatch):
    def boom(*args, **kwargs):  # pragma: no cover - must not be reached
        raise AssertionError("openpyxl was called before the pre-scan refused the file")

    monkeypatch.setattr(openpyxl, "load_workbook", boom)
    data = CORPUS["xxe_file_in_sheet"].build()
    with pytest.raises(excel.WorkbookRejected):
        excel.xlsx_prescan(data)


def test_lying_headers_in_both_directions_are_refused():
    from tests.fixtures_xlsx.builders import patch_declared_size

    base = base_workbook()
    size = zipfile.ZipFile(io.BytesIO(base)).getinfo("xl/worksheets/sheet1.xml").file_size
    for declared in (size - 1, size + 1, 10 * 1024 * 1024):
        with pytest.raises(excel.WorkbookRejected) as exc:
            excel.xlsx_prescan(patch_declared_size(base, "xl/worksheets/sheet1.xml", declared))
        assert exc.value.code in ("zip_header_mismatch", "zip_corrupt")
