"""Safe Excel (.xlsx) handling shared by every import and export (SECURITY.md §1.7, FILE-01..05, EXP-01).

Reading is done in three steps, and nothing reaches a parser before the first one passed:

1. ``prescan.xlsx_prescan(data)`` — the raw bytes only: size, type, entry count, active content, nested archives,
   every part inflated by our own loop (ratio, total, honest headers, CRC), DTD/entity refusal; on worksheets it
   records merged ranges, counts the rows holding values, and lists the formula and error cells;
2. ``reader.xlsx_open(data)`` — opens the workbook with python-calamine (values only);
3. ``reader.read_table(book, columns, prescan=...)`` — header mapping and ``(row_number, values)`` rows, with
   formula/error/merged cells, data without a header and the row/column caps reported as row-numbered issues.

``values`` holds the cell-value parsers (dates, 是/否, integers, decimals, text clean-up); ``writer`` writes
templates, plain tables and exports with openpyxl, every text cell neutralised against formula injection.
"""

from .prescan import (
    DEFAULT_LIMITS,
    MB,
    SPECIAL_MAX,
    XLSX_CONTENT_TYPE,
    XLSX_MAGIC,
    PrescanReport,
    WorkbookRejected,
    WorkbookTooLarge,
    XlsxLimits,
    check_size,
    column_index,
    xlsx_data_rows,
    xlsx_prescan,
    xlsx_sheet_parts,
)
from .reader import (
    Column,
    Issue,
    Table,
    XlsxBook,
    assert_defusedxml,
    column_letter,
    read_table,
    too_many_rows_issue,
    xlsx_open,
)
from .values import (
    DATE_HINT,
    MAX_DATE,
    MIN_DATE,
    ValueProblem,
    clean_text,
    normalize_header,
    parse_bool,
    parse_date,
    parse_decimal,
    parse_int,
    to_halfwidth,
)
from .writer import ExportColumn, ExportSheet, safe_text, write_sheets, write_table, write_template, write_workbook

__all__ = [
    "DATE_HINT",
    "DEFAULT_LIMITS",
    "MAX_DATE",
    "MB",
    "MIN_DATE",
    "SPECIAL_MAX",
    "XLSX_CONTENT_TYPE",
    "XLSX_MAGIC",
    "Column",
    "ExportColumn",
    "ExportSheet",
    "Issue",
    "PrescanReport",
    "Table",
    "ValueProblem",
    "WorkbookRejected",
    "WorkbookTooLarge",
    "XlsxBook",
    "XlsxLimits",
    "assert_defusedxml",
    "check_size",
    "clean_text",
    "column_index",
    "column_letter",
    "normalize_header",
    "parse_bool",
    "parse_date",
    "parse_decimal",
    "parse_int",
    "read_table",
    "safe_text",
    "to_halfwidth",
    "too_many_rows_issue",
    "write_sheets",
    "write_table",
    "write_template",
    "write_workbook",
    "xlsx_data_rows",
    "xlsx_open",
    "xlsx_prescan",
    "xlsx_sheet_parts",
]
