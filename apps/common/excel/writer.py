"""Writing .xlsx with openpyxl (write-only where possible): import templates, plain tables such as error lists,
and exports. Every text cell goes through ``safe_text`` (SECURITY.md EXP-01): a value starting with
``= + - @``, TAB, CR or LF gets a leading apostrophe, so it is stored as plain text (never a formula) and stays
inert when the sheet is saved as CSV; characters XML cannot hold are dropped instead of failing the file.

* ``write_template`` — Chinese headers (required ones marked *), a comment on each header, drop-down lists from
  a hidden sheet, text/date formats on the columns, a 填写说明 sheet;
* ``write_table`` — a plain table where every value is a neutralised string cell;
* ``write_workbook`` — an export: typed cells (numbers, dates, 是/否), header styling, frozen header, an 导出说明
  sheet and a printed footer naming who exported it (EXP-03); ``write_sheets`` — the same with several data sheets
  (``ExportSheet``), e.g. the quota report's summary plus one sheet per township.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils import timezone

from .prescan import DEFAULT_LIMITS
from .reader import Column
from .values import clean_text

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
MAX_CELL_CHARS = 32767  # Excel's limit
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"


def safe_text(value) -> str:
    """Text for a spreadsheet cell: XML-illegal characters dropped, formula triggers neutralised by a leading
    apostrophe (SECURITY.md EXP-01), cut to Excel's cell limit."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    text = clean_text(value) if not isinstance(value, str) else value
    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    if text.startswith(FORMULA_TRIGGERS):
        text = "'" + text
    return text[:MAX_CELL_CHARS]


def _string_cell(ws, value, font=None):
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws, value=safe_text(value) if value is not None else None)
    if value is not None:
        cell.data_type = "s"  # never a formula, whatever the text looks like
    if font is not None:
        cell.font = font
    return cell


def write_table(headers: Sequence[str], rows, *, sheet_title: str = "Sheet1", widths: Sequence[int] = ()) -> bytes:
    """A plain .xlsx table (write-only, constant memory); every value is written as a neutralised string."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=sheet_title[:31])
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    bold = Font(bold=True)
    ws.append([_string_cell(ws, h, bold) for h in headers])
    for row in rows:
        ws.append([_string_cell(ws, v) for v in row])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def write_template(
    columns: Sequence[Column],
    *,
    sheet_title: str,
    lists: dict[str, Sequence[str]] | None = None,
    instructions: Sequence[str] = (),
    max_rows: int = DEFAULT_LIMITS.max_rows,
    author: str = "海宁市食品安全监管平台",
) -> bytes:
    """An import template: Chinese headers (required ones marked *), a comment on each header explaining the
    format, drop-down lists (data validation) backed by a hidden sheet, text/date formats on the columns.

    No example rows are put on the data sheet (they would be imported); put examples in ``instructions``.
    """
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter, quote_sheetname
    from openpyxl.worksheet.datavalidation import DataValidation

    lists = dict(lists or {})
    wb = Workbook()
    ws = wb.active
    ws.title = sheet_title[:31]
    required_fill = PatternFill("solid", fgColor="FFF2CC")
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    bold = Font(bold=True)
    for idx, col in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=idx, value=f"{col.header}*" if col.required else col.header)
        cell.font = bold
        cell.fill = required_fill if col.required else header_fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        comment = Comment(("【必填】" if col.required else "【选填】") + (col.comment or ""), author)
        comment.width, comment.height = 320, 140
        cell.comment = comment
        letter = get_column_letter(idx)
        ws.column_dimensions[letter].width = col.width
        if col.kind in ("code", "text"):
            ws.column_dimensions[letter].number_format = "@"
        elif col.kind == "date":
            ws.column_dimensions[letter].number_format = "yyyy-mm-dd"
    ws.freeze_panes = "A2"
    ws.row_dimensions[1].height = 30

    if lists:
        opt = wb.create_sheet("选项")
        opt.sheet_state = "hidden"
        list_ranges = {}
        for c, (name, values) in enumerate(lists.items(), start=1):
            letter = get_column_letter(c)
            opt.cell(row=1, column=c, value=name)
            for r, value in enumerate(values, start=2):
                opt.cell(row=r, column=c, value=str(value)).data_type = "s"
            last = max(2, len(values) + 1)
            list_ranges[name] = f"{quote_sheetname(opt.title)}!${letter}$2:${letter}${last}"
        for idx, col in enumerate(columns, start=1):
            if not col.choices or col.choices not in list_ranges:
                continue
            letter = get_column_letter(idx)
            dv = DataValidation(
                type="list",
                formula1=list_ranges[col.choices],
                allow_blank=True,
                showErrorMessage=True,
                errorTitle="请从下拉列表中选择",
                error=f"「{col.header}」只能填写下拉列表中的值",
                showInputMessage=bool(col.comment),
                promptTitle=col.header[:32],
                prompt=(col.comment or "")[:255],
            )
            dv.add(f"{letter}2:{letter}{max_rows + 1}")
            ws.add_data_validation(dv)

    if instructions:
        doc = wb.create_sheet("填写说明")
        doc.column_dimensions["A"].width = 110
        for r, line in enumerate(instructions, start=1):
            doc.cell(row=r, column=1, value=line).data_type = "s"
        doc["A1"].font = bold
    wb.active = 0
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# ---------------------------------------------------------------------------------------------------- exports
@dataclass(frozen=True)
class ExportColumn:
    header: str
    width: float = 14
    kind: str = "text"  # text | number | date | datetime | bool


def _export_cell(ws, value, kind: str):
    from openpyxl.cell import WriteOnlyCell

    if value is None or value == "":
        return None
    if kind == "bool":
        return "是" if value else "否"
    if kind == "datetime" and isinstance(value, dt.datetime):
        cell = WriteOnlyCell(ws, value=timezone.localtime(value).replace(tzinfo=None))
        cell.number_format = DATETIME_FORMAT
        return cell
    if kind == "date" and isinstance(value, dt.date):
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = DATE_FORMAT
        return cell
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float) and kind == "number":
        return value
    return safe_text(str(value))


@dataclass(frozen=True)
class ExportSheet:
    """One data sheet of a multi-sheet export (``write_sheets``)."""

    title: str
    columns: Sequence[ExportColumn]
    rows: Iterable[Sequence]


def write_workbook(
    *,
    sheet_title: str,
    columns: Sequence[ExportColumn],
    rows: Iterable[Sequence],
    about: dict[str, str],
    title: str = "",
    creator: str = "",
) -> tuple[bytes, int]:
    """Stream ``rows`` into an xlsx (header row frozen, column widths, an "导出说明" sheet). -> (bytes, row count)."""
    return write_sheets(
        sheets=[ExportSheet(sheet_title, columns, rows)], about=about, title=title or sheet_title, creator=creator
    )


def write_sheets(
    *, sheets: Sequence[ExportSheet], about: dict[str, str], title: str = "", creator: str = ""
) -> tuple[bytes, int]:
    """Several data sheets in one xlsx, each written like ``write_workbook``'s (typed cells, styled frozen header,
    column widths, the printed footer), then the one "导出说明" sheet. -> (bytes, data rows over all sheets)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    wb.properties.creator = safe_text(creator)[:255] or "海宁市食品安全监管平台"
    wb.properties.title = safe_text(title or (sheets[0].title if sheets else ""))[:255]
    wb.properties.description = safe_text("；".join(f"{k}：{v}" for k, v in about.items()))[:1000]
    head_font, head_fill = Font(bold=True, color="FFFFFF"), PatternFill("solid", fgColor="1F4E79")
    stamp = f"{about.get('导出人', '')} {about.get('导出时间', '')}".replace("&", "")
    count = 0
    for sheet in sheets:
        ws = wb.create_sheet(sheet.title[:31])
        ws.freeze_panes = "A2"
        for i, column in enumerate(sheet.columns, start=1):
            ws.column_dimensions[get_column_letter(i)].width = column.width
        header = []
        for column in sheet.columns:
            cell = WriteOnlyCell(ws, value=safe_text(column.header))
            cell.font, cell.fill = head_font, head_fill
            cell.alignment = Alignment(vertical="center")
            header.append(cell)
        ws.append(header)
        ws.oddFooter.center.text = f"{stamp} · 第 &P 页 / 共 &N 页"  # printed watermark (EXP-03)
        kinds = [c.kind for c in sheet.columns]
        for row in sheet.rows:
            ws.append([_export_cell(ws, value, kind) for value, kind in zip(row, kinds, strict=True)])
            count += 1
    info = wb.create_sheet("导出说明")
    info.column_dimensions["A"].width = 14
    info.column_dimensions["B"].width = 80
    for key, value in {**about, "导出行数": str(count)}.items():
        info.append([safe_text(key), safe_text(str(value))])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue(), count
