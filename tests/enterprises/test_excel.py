"""apps/common/excel.py: the pre-scan limits, reading rows with row numbers, value parsers, and the writers."""

import datetime as dt
import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apps.common import excel
from apps.common.excel import Column, ValueProblem, XlsxLimits
from tests.fixtures_xlsx.builders import base_workbook, workbook, zip_rewrite

COLS = (
    Column("code", "代码", required=True),
    Column("name", "名称", required=True, aliases=("单位名称",)),
    Column("day", "日期"),
)


def table_of(data: bytes, columns=COLS, limits=excel.DEFAULT_LIMITS):
    report = excel.xlsx_prescan(data, limits)
    wb = excel.xlsx_open(data)
    table = excel.read_table(wb, columns, prescan=report, limits=limits)
    rows = list(table.rows())
    return table, rows


def sheet(rows, headers=("代码", "名称", "日期"), edit=None):
    return workbook([dict(zip(headers, r, strict=False)) for r in rows], headers=headers, edit=edit)


# ------------------------------------------------------------------------------------------------ pre-scan
class TestPrescan:
    def test_a_normal_workbook_passes_and_is_measured(self):
        report = excel.xlsx_prescan(base_workbook())
        assert report.entries >= 5
        assert 0 < report.compressed < report.uncompressed
        assert "xl/workbook.xml" in report.names

    def test_the_size_cap_is_inclusive(self):
        limits = XlsxLimits(max_bytes=1000)
        excel.check_size(1000, limits)
        with pytest.raises(excel.WorkbookTooLarge) as exc:
            excel.check_size(1001, limits)
        assert exc.value.status_code == 413

    def test_entry_count_limit(self):
        data = zip_rewrite(base_workbook(), add={f"xl/media/{i}.txt": b"x" for i in range(5)})
        excel.xlsx_prescan(data, XlsxLimits(max_entries=20))
        with pytest.raises(excel.WorkbookRejected, match="部件过多"):
            excel.xlsx_prescan(data, XlsxLimits(max_entries=10))

    def test_ratio_is_judged_on_real_bytes_above_the_floor(self):
        small = b"<x>" + b" " * 20_000 + b"</x>"  # 1:100+ but tiny: harmless, allowed
        excel.xlsx_prescan(zip_rewrite(base_workbook(), add={"xl/media/a.xml": small}))
        big = b"<x>" + b" " * 2_000_000 + b"</x>"
        with pytest.raises(excel.WorkbookRejected, match="压缩比超过 100:1"):
            excel.xlsx_prescan(zip_rewrite(base_workbook(), add={"xl/media/a.xml": big}))

    def test_total_expanded_size_limit(self):
        import random

        rng = random.Random(1)
        noisy = bytes(rng.choice(b"abcdefghij") for _ in range(300_000))  # ~2:1, under the ratio
        data = zip_rewrite(base_workbook(), add={f"xl/media/{i}.xml": noisy for i in range(4)})
        excel.xlsx_prescan(data)
        with pytest.raises(excel.WorkbookRejected, match=r"解压后过大（1\.\d MB，上限 1 MB）"):
            excel.xlsx_prescan(data, XlsxLimits(max_total_uncompressed=1024 * 1024))

    def test_stored_entries_are_counted_too(self):
        data = zip_rewrite(base_workbook(), method=zipfile.ZIP_STORED)
        report = excel.xlsx_prescan(data)
        assert report.compressed == report.uncompressed

    def test_crc_mismatch_is_refused(self):
        from tests.fixtures_xlsx.builders import patch_crc

        with pytest.raises(excel.WorkbookRejected, match="CRC"):
            excel.xlsx_prescan(patch_crc(base_workbook(), "xl/workbook.xml"))

    def test_merged_ranges_are_found_even_across_read_chunks(self):
        rows = [(f"C{i:06d}", "x" * 200, None) for i in range(3000)]  # ~1 MB of sheet XML: several chunks

        def edit(ws):
            ws.merge_cells("B10:B12")
            ws.merge_cells("A2990:C2990")

        report = excel.xlsx_prescan(sheet(rows, edit=edit))
        assert sorted(report.merged["xl/worksheets/sheet1.xml"]) == ["A2990:C2990", "B10:B12"]

    def test_sniffing_names_what_the_file_really_is(self):
        for head, kind in (
            (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", ".xls"),
            (b"<!DOCTYPE html><html>", "HTML"),
            (b"%PDF-1.7", "PDF"),
            ("代码,名称\n".encode(), "CSV"),
        ):
            with pytest.raises(excel.WorkbookRejected, match=kind):
                excel.xlsx_prescan(head + b"\x00" * 10 if kind in (".xls", "PDF") else head)


# ------------------------------------------------------------------------------------------------ reading
class TestReadTable:
    def test_rows_come_with_their_excel_row_numbers_and_empty_rows_are_skipped(self):
        data = sheet([("A1", "甲", None), (None, None, None), ("A3", " 乙 ", "2024-01-05")])
        table, rows = table_of(data)
        assert not table.fatal and table.issues == []
        assert rows == [(2, ("A1", "甲", None)), (4, ("A3", "乙", "2024-01-05"))]
        assert table.data_rows == 2 and table.header_row == 1

    def test_header_row_may_follow_blank_rows_and_columns_may_be_reordered(self):
        def edit(ws):
            ws.insert_rows(1, amount=2)

        data = sheet([("甲", "A1")], headers=("单位名称", "代码"), edit=edit)
        table, rows = table_of(data)
        assert table.header_row == 3
        assert rows == [(4, ("A1", "甲", None))]

    def test_missing_unknown_and_duplicate_headers_are_fatal(self):
        table, rows = table_of(sheet([("A1",)], headers=("代码",)))
        assert table.fatal and rows == [] and "缺少必需的列：名称" in str(table.issues[0])
        table, _ = table_of(sheet([("A1", "甲", "x")], headers=("代码", "名称", "备注")))
        assert table.fatal and "未知的列「备注」" in str(table.issues)
        table, _ = table_of(sheet([("A1", "甲", "x")], headers=("代码", "名称", "名称")))
        assert table.fatal and "重复" in str(table.issues)

    def test_formula_and_error_cells_are_reported_with_row_and_column(self):
        def edit(ws):
            ws["B2"] = '=A2&"店"'
            ws["C3"].value = "#N/A"
            ws["C3"].data_type = "e"

        table, rows = table_of(sheet([("A1", "甲", None), ("A2", "乙", None)], edit=edit))
        text = [str(i) for i in table.issues]
        assert any(t.startswith("第 2 行「名称」：单元格 B2 是公式") for t in text), text
        assert any(t.startswith("第 3 行「日期」：单元格是错误值 #N/A") for t in text), text
        assert rows[0] == (2, ("A1", None, None))  # the formula's value is not used

    def test_merged_cells_become_row_issues(self):
        table, _ = table_of(sheet([("A1", "甲", None), ("A2", None, None)], edit=lambda ws: ws.merge_cells("B2:B3")))
        assert [i.row for i in table.issues] == [2]
        assert "合并单元格 B2:B3（第 2–3 行）" in table.issues[0].message

    def test_row_limit_refuses_from_the_prescan_count_before_parsing(self):
        rows = [(f"A{i}", "甲", None) for i in range(6)]
        table, got = table_of(sheet(rows), limits=XlsxLimits(max_rows=5))
        assert table.fatal and got == []
        assert "超过 5 行" in str(table.issues[-1])
        table, got = table_of(sheet(rows[:5]), limits=XlsxLimits(max_rows=5))
        assert not table.fatal and len(got) == 5

    def test_row_limit_is_also_enforced_while_streaming(self):
        rows = [(f"A{i}", "甲", None) for i in range(6)]
        data = sheet(rows)
        wb = excel.xlsx_open(data)
        table = excel.read_table(wb, COLS, prescan=None, limits=XlsxLimits(max_rows=5))
        got = list(table.rows())
        assert table.fatal and len(got) == 5 and "超过 5 行" in str(table.issues[-1])

    def test_prescan_counts_only_rows_that_hold_values(self):
        def edit(ws):
            from openpyxl.styles import Font

            for r in range(10, 20):  # formatted but empty cells: rows that hold no value
                ws.cell(r, 1).font = Font(bold=True)
            ws.row_dimensions[30].height = 40  # an empty row with a custom height

        data = sheet([("A1", "甲", None), ("A2", None, "2024-01-05")], edit=edit)
        report = excel.xlsx_prescan(data)
        assert report.value_rows["xl/worksheets/sheet1.xml"] == 3  # header + 2 rows

    def test_column_limit(self):
        headers = ("代码", "名称", *[f"x{i}" for i in range(4)])
        table, _ = table_of(sheet([("A", "甲")], headers=headers), limits=XlsxLimits(max_columns=5))
        assert table.fatal and "列数过多（6 列，上限 5 列）" in str(table.issues[0])

    def test_a_lying_dimension_does_not_hide_rows(self):
        data = sheet([(f"A{i}", "甲", None) for i in range(5)])
        src = zipfile.ZipFile(io.BytesIO(data))
        xml = src.read("xl/worksheets/sheet1.xml").decode()
        if "<dimension" in xml:
            import re

            xml = re.sub(r'<dimension ref="[^"]+"\s*/>', '<dimension ref="A1:C2"/>', xml)
        else:
            xml = xml.replace("<sheetData>", '<dimension ref="A1:C2"/><sheetData>', 1)
        data = zip_rewrite(data, replace={"xl/worksheets/sheet1.xml": xml.encode()})
        _, rows = table_of(data)
        assert len(rows) == 5


# ------------------------------------------------------------------------------------------------ values
class TestValues:
    @pytest.mark.parametrize(
        "raw",
        [
            dt.date(2024, 1, 5),
            dt.datetime(2024, 1, 5, 0, 0),
            45296,
            45296.0,
            "2024-01-05",
            "2024/1/5",
            "2024.1.5",
            "2024年1月5日",
            "2024年01月05",
            "20240105",
            20240105,
            " ２０２４－０１－０５ ",
            "2024-01-05 00:00:00",
            "2024 / 1 / 5",
            "45296",
        ],
    )
    def test_dates_in_every_usual_form(self, raw):
        assert excel.parse_date(raw) == dt.date(2024, 1, 5)

    @pytest.mark.parametrize("raw", ["2024-02-30", "明年", "2024-13-01", "05/01/2024", "1800-01-01", True, 0.5])
    def test_bad_dates_explain_themselves(self, raw):
        with pytest.raises(ValueProblem) as exc:
            excel.parse_date(raw)
        assert "日期" in str(exc.value)

    @settings(max_examples=150, deadline=None)
    @given(st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2100, 12, 31)), st.sampled_from(range(6)))
    def test_date_round_trip_property(self, day, style):
        text = [
            day.isoformat(),
            f"{day.year}/{day.month}/{day.day}",
            f"{day.year}年{day.month}月{day.day}日",
            day.strftime("%Y%m%d"),
            (day - dt.date(1899, 12, 30)).days,
            excel.to_halfwidth(day.isoformat()).translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789-"}),
        ][style]
        assert excel.parse_date(text) == day

    @pytest.mark.parametrize(
        ("raw", "value"),
        [("是", True), ("否", False), (" Y ", True), ("n", False), ("√", True), ("×", False), (1, True), (None, None)],
    )
    def test_yes_no(self, raw, value):
        assert excel.parse_bool(raw) is value

    def test_yes_no_refuses_other_text(self):
        with pytest.raises(ValueProblem, match="是/否"):
            excel.parse_bool("也许")

    def test_integers_from_text_and_numbers(self):
        assert excel.parse_int("１２") == 12
        assert excel.parse_int(" 1,200 ") == 1200
        assert excel.parse_int(7.0) == 7
        with pytest.raises(ValueProblem):
            excel.parse_int("7.5")
        with pytest.raises(ValueProblem):
            excel.parse_int(-1, minimum=0)

    def test_decimals(self):
        assert excel.parse_decimal("３０.５", places=6) == Decimal("30.500000")
        with pytest.raises(ValueProblem):
            excel.parse_decimal("北纬30")
        with pytest.raises(ValueProblem):
            excel.parse_decimal("200", maximum=Decimal(90))

    def test_clean_text_and_headers(self):
        assert excel.clean_text("\u3000 某店\xa0\u200b ") == "某店"
        assert excel.clean_text(13800000000.0) == "13800000000"
        assert excel.normalize_header(" 统一社会信用代码＊ ") == "统一社会信用代码"
        assert excel.normalize_header("所属 镇街（必填）") == "所属镇街"


# ------------------------------------------------------------------------------------------------ writing
class TestWriters:
    def test_write_table_neutralises_formula_triggers(self):
        content = excel.write_table(["a"], [["=1+1"], ["+86"], ["-3"], ["@x"], ["普通", None]])
        ws = openpyxl.load_workbook(io.BytesIO(content)).active
        values = [c.value for c in ws["A"]]
        assert values == ["a", "'=1+1", "'+86", "'-3", "'@x", "普通"]
        assert all(c.data_type == "s" for c in ws["A"] if c.value is not None)

    def test_template_has_comments_validations_and_a_hidden_list_sheet(self):
        cols = (
            Column("a", "甲", required=True, comment="说明甲", choices="L"),
            Column("b", "乙", comment="说明乙", kind="date"),
        )
        content = excel.write_template(cols, sheet_title="数据", lists={"L": ["x", "y"]}, instructions=["说明"])
        wb = openpyxl.load_workbook(io.BytesIO(content))
        assert wb.sheetnames == ["数据", "选项", "填写说明"]
        ws = wb["数据"]
        assert ws["A1"].value == "甲*" and ws["B1"].value == "乙"
        assert ws["A1"].comment.text == "【必填】说明甲" and ws["B1"].comment.text == "【选填】说明乙"
        (dv,) = ws.data_validations.dataValidation
        assert dv.type == "list" and dv.formula1 == "'选项'!$A$2:$A$3" and str(dv.sqref) == "A2:A10001"
        assert wb["选项"].sheet_state == "hidden"
        # and it reads back through our own reader (the required-mark * is ignored)
        table, rows = table_of(content, columns=(Column("a", "甲", required=True), Column("b", "乙")))
        assert not table.fatal and rows == []


def test_sheet_parts_and_data_rows_come_from_the_prescan_without_openpyxl():
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "说明"
    wb.active.append(["只有一行"])
    data_ws = wb.create_sheet("检查对象")
    for i in range(8):
        data_ws.append([f"A{i}", "x"])
    buf = io.BytesIO()
    wb.save(buf)
    report = excel.xlsx_prescan(buf.getvalue())
    assert [name for name, _ in excel.xlsx_sheet_parts(report)] == ["说明", "检查对象"]
    assert excel.xlsx_data_rows(report, "检查对象") == 7  # header excluded
    assert excel.xlsx_data_rows(report) == 0  # the first sheet


# ------------------------------------------------------------------------------------------------ calamine + pre-scan
class TestFormulaAndErrorCellsFromThePrescan:
    def test_formula_and_error_cells_are_listed_with_row_column_and_text(self):
        def edit(ws):
            ws["B3"] = '=A3&"店"'
            ws["C4"].value = "#DIV/0!"
            ws["C4"].data_type = "e"

        report = excel.xlsx_prescan(sheet([("A1", "甲", None), ("A2", "乙", None), ("A3", "丙", None)], edit=edit))
        special = report.special["xl/worksheets/sheet1.xml"]
        assert special == {(3, 1): ("f", '=A3&"店"'), (4, 2): ("e", "#DIV/0!")}

    def test_cells_are_found_across_read_chunks(self):
        rows = [(f"C{i:06d}", "x" * 200, None) for i in range(3000)]  # ~1 MB of sheet XML: several chunks

        def edit(ws):
            ws["C1500"] = "=1+1"
            ws["C2999"] = "=2+2"

        report = excel.xlsx_prescan(sheet(rows, edit=edit))
        assert sorted(report.special["xl/worksheets/sheet1.xml"]) == [(1500, 2), (2999, 2)]

    def test_a_formula_cached_value_is_never_read(self):
        """calamine would return a formula's cached value; the reader refuses the cell instead."""
        data = sheet([("A1", "甲", None)])
        xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
        import re

        cell = re.search(r'<c r="B2"[^>]*>.*?</c>', xml).group(0)
        xml = xml.replace(cell, '<c r="B2" t="str"><f>CONCAT("假","值")</f><v>假值</v></c>')
        table, rows = table_of(zip_rewrite(data, replace={"xl/worksheets/sheet1.xml": xml.encode()}))
        assert rows == [(2, ("A1", None, None))]
        assert [str(i) for i in table.issues] == [
            '第 2 行「名称」：单元格 B2 是公式（=CONCAT("假","值")），请复制后“选择性粘贴 → 数值”再导入'
        ]
        assert table.issues[0].value == '=CONCAT("假","值")'

    def test_a_sheet_that_starts_in_a_later_column_keeps_its_column_letters(self):
        def edit(ws):
            ws.insert_cols(1, amount=2)
            ws["E3"] = "=1"

        table, rows = table_of(sheet([("A1", "甲", "2024-01-05"), ("A2", "乙", None)], edit=edit))
        assert rows == [(2, ("A1", "甲", "2024-01-05")), (3, ("A2", "乙", None))]
        assert [str(i) for i in table.issues] == [
            "第 3 行「日期」：单元格 E3 是公式（=1），请复制后“选择性粘贴 → 数值”再导入"
        ]

    def test_numbers_dates_and_booleans_come_typed(self):
        def edit(ws):
            ws["C2"] = dt.datetime(2024, 1, 5)
            ws["A3"], ws["B3"] = 13800000000, True

        _, rows = table_of(sheet([("A1", "甲", None), ("x", "y", None)], edit=edit))
        assert rows[0] == (2, ("A1", "甲", dt.date(2024, 1, 5)))
        assert rows[1] == (3, (13800000000.0, True, None))
        assert (
            excel.parse_date(rows[0][1][2]) == dt.date(2024, 1, 5) and excel.clean_text(rows[1][1][0]) == "13800000000"
        )

    def test_a_row_beyond_the_pending_cap_is_refused(self, monkeypatch):
        from apps.common.excel import prescan

        monkeypatch.setattr(prescan, "_ROW_PENDING_MAX", 4096)
        monkeypatch.setattr(prescan, "_OUT_CHUNK", 1024)  # inflate in small pieces: the row spans many
        with pytest.raises(excel.WorkbookRejected, match="一行数据过大"):
            excel.xlsx_prescan(sheet([("A1", "x" * 20_000, None)]))
