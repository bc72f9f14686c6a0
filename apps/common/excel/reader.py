"""Reading a pre-scanned workbook: cell values from python-calamine (Rust), header mapping, row-numbered issues.

``xlsx_open(data)`` opens the bytes with calamine (after ``xlsx_prescan`` passed: nothing else reaches a parser);
``read_table(book, columns, prescan=...)`` maps the header row (the first non-empty row) to ``columns`` and streams
``(row_number, values)``. Calamine gives a formula cell's cached value and an error cell as an empty string, so
formula and error cells are taken from the pre-scan (``PrescanReport.special``) and reported as issues, as are
merged cells (also from the pre-scan), data without a header, more than ``max_rows`` data rows and more than
``max_columns`` columns.

calamine does not implement DTDs or entity expansion at all (an entity reference is a parse error), so the
XML-bomb class cannot reach it; a file that calamine refuses is classified by running the pre-scan on it (an
entity declaration is then named as such), otherwise it is reported as damaged.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured

from .prescan import (
    DEFAULT_LIMITS,
    PrescanReport,
    WorkbookRejected,
    XlsxLimits,
    xlsx_prescan,
    xlsx_sheet_parts,
)
from .values import _STRIP, clean_text, normalize_header

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Column:
    """One column of an import template."""

    key: str
    header: str
    required: bool = False  # the header must be present (the cell may still be optional: see the importer)
    comment: str = ""  # explains the format; written as the header's cell comment in the template
    aliases: tuple[str, ...] = ()
    choices: str | None = None  # name of a drop-down list given to write_template(lists=...)
    kind: str = "text"  # text | code | date | bool | int | decimal (template cell format only)
    width: int = 16


@dataclass
class Issue:
    """One problem found in a workbook: a row number (None for the whole file), the column and a Chinese reason;
    ``value`` is the cell's original text (the 原值 column of the error list)."""

    row: int | None
    column: str
    message: str
    value: str = ""

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message, "value": self.value}

    def __str__(self) -> str:
        where = f"第 {self.row} 行" if self.row else "文件"
        col = f"「{self.column}」" if self.column else ""
        return f"{where}{col}：{self.message}"


def too_many_rows_issue(rows: int, limits: XlsxLimits) -> Issue:
    return Issue(
        None, "", f"数据行超过 {limits.max_rows:,} 行的上限（约 {rows:,} 行，不含表头），请拆分为多个文件分批导入。"
    )


@dataclass
class Table:
    """A sheet opened for reading: mapped headers, a row stream and the issues found so far.

    ``rows()`` yields ``(row_number, values)`` where ``values`` is a tuple in ``keys`` order (None for empty cells);
    it can be consumed once. Issues (formulas, merged cells, data outside the headers, too many rows) are appended
    while streaming; ``fatal`` is set when reading cannot go on (e.g. a required header is missing).
    """

    sheet: str
    keys: tuple[str, ...]
    header_row: int = 0
    issues: list[Issue] = field(default_factory=list)
    fatal: bool = False
    data_rows: int = 0
    _iter: Iterator | None = None

    def rows(self) -> Iterator[tuple[int, tuple]]:
        if self._iter is None:
            return iter(())
        it, self._iter = self._iter, None
        return it


# ---------------------------------------------------------------------------------------------------- opening
def assert_defusedxml() -> None:
    """openpyxl still parses workbooks in this process (templates read back, other tools): it must use defusedxml
    (SECURITY.md FILE-04; also the system check common.E001). Asserted before every open."""
    import openpyxl

    if getattr(openpyxl, "DEFUSEDXML", False) is not True:
        raise ImproperlyConfigured("openpyxl 未启用 defusedxml（pip install defusedxml），拒绝解析上传的 Excel 文件")


class XlsxBook:
    """A workbook opened for reading values (calamine); ``data`` is kept to classify a parser failure."""

    def __init__(self, data: bytes, book):
        self.data = data
        self._book = book
        self.sheetnames = list(book.sheet_names)

    def sheet(self, name: str):
        with _parse_guard(self.data):
            return self._book.get_sheet_by_name(name)

    def close(self) -> None:
        try:
            self._book.close()
        except Exception:  # pragma: no cover - closing twice
            pass


def _classify(data: bytes, exc: BaseException) -> WorkbookRejected:
    """A calamine failure as a Chinese refusal: an entity/DTD is named as such (found by the pre-scan)."""
    text = str(exc)
    if "entity" in text.lower() or "doctype" in text.lower():
        return WorkbookRejected("文件含有不安全的 XML 内容（实体/DTD），已拒绝。", code="xml_entity")
    try:
        xlsx_prescan(data, XlsxLimits(max_bytes=max(len(data), 1)))
    except WorkbookRejected as refused:
        return refused
    log.warning("workbook could not be read: %s", text[:200])
    return WorkbookRejected(
        "文件内容已损坏，无法作为 Excel 工作簿读取。请用 Excel 或 WPS 重新保存后再上传。", code="xlsx_corrupt"
    )


class _parse_guard:
    """Turn calamine's errors (raised at open and while rows are read) into a Chinese refusal."""

    def __init__(self, data: bytes):
        self.data = data

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        import python_calamine

        if exc is None or isinstance(exc, WorkbookRejected):
            return False
        if isinstance(exc, (python_calamine.CalamineError, ValueError, TypeError, KeyError, IndexError, OSError)):
            raise _classify(self.data, exc) from None
        return False


def xlsx_open(data: bytes) -> XlsxBook:
    """Open an already pre-scanned workbook for reading values."""
    assert_defusedxml()
    import python_calamine

    with _parse_guard(data):
        return XlsxBook(data, python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data)))


# ---------------------------------------------------------------------------------------------------- reading
def column_letter(index: int) -> str:
    """ "A" for 0, "AA" for 26 …"""
    n, out = index + 1, ""
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def _cell_ref(row: int, col: int) -> str:
    return f"{column_letter(col)}{row}"


_RANGE_RE = re.compile(r"^([A-Z]{1,3})(\d+)(?::([A-Z]{1,3})(\d+))?$")


def _merge_issues(refs: list[str]) -> list[Issue]:
    issues = []
    for ref in refs[:200]:
        m = _RANGE_RE.match(ref.upper())
        r1 = int(m.group(2)) if m else None
        r2 = int(m.group(4)) if m and m.group(4) else r1
        rows = f"（第 {r1}–{r2} 行）" if r1 and r2 and r1 != r2 else ""
        issues.append(
            Issue(r1, "", f"含有合并单元格 {ref}{rows}，合并后只有左上角有值，请取消合并并逐行填写后再导入", ref)
        )
    return issues


def _sheet_part(scan: PrescanReport, name: str) -> str | None:
    parts = dict(xlsx_sheet_parts(scan))
    if name in parts:
        return parts[name]
    sheets = [p for p in scan.value_rows if p.startswith("xl/worksheets/")]
    return sheets[0] if len(sheets) == 1 else None


def _empty(value) -> bool:
    return value is None or value == "" or (isinstance(value, str) and not value.strip(_STRIP))


def read_table(
    book: XlsxBook,
    columns: Sequence[Column],
    *,
    prescan: PrescanReport | None = None,
    sheet_name: str | None = None,
    limits: XlsxLimits = DEFAULT_LIMITS,
    progress: Callable[[int], None] | None = None,
    progress_every: int = 1000,
) -> Table:
    """Map the header row (the first non-empty row) to ``columns`` and stream the data rows.

    Header problems (missing required, unknown, duplicate, > max_columns) make the table fatal and no rows are
    yielded. Data rows are yielded with their Excel row numbers; empty rows are skipped. Without ``prescan`` the
    workbook is pre-scanned here (formula and error cells are known only from it); the row cap is then enforced
    while streaming only.
    """
    name = sheet_name if sheet_name and sheet_name in book.sheetnames else book.sheetnames[0]
    keys = tuple(c.key for c in columns)
    table = Table(sheet=name, keys=keys)
    scan = prescan if prescan is not None else xlsx_prescan(book.data, limits)
    part = _sheet_part(scan, name)
    if part is None and any(scan.special.values()):
        raise WorkbookRejected(
            "工作簿结构异常，无法确定工作表，请用 Excel 或 WPS 重新保存后再上传。", code="xlsx_corrupt"
        )
    special = scan.special.get(part, {}) if part else {}
    by_row: dict[int, list[tuple[int, str, str]]] = {}
    for (row, col), (kind, text) in sorted(special.items()):
        by_row.setdefault(row, []).append((col, kind, text))
    if part:
        table.issues.extend(_merge_issues(scan.merged.get(part, [])))
    if prescan is not None and part:
        counted = prescan.value_rows.get(part)
        if counted is not None and counted - 1 > limits.max_rows:  # the header row holds values too
            table.issues.append(too_many_rows_issue(counted - 1, limits))
            table.fatal = True
            table.data_rows = counted - 1
            return table

    by_header: dict[str, int] = {}
    for idx, col in enumerate(columns):
        for label in (col.header, *col.aliases):
            by_header[normalize_header(label)] = idx

    sheet = book.sheet(name)
    col0 = sheet.start[1] if sheet.start else 0  # calamine pads rows from row 1 but columns only from the first used
    guard = _parse_guard(book.data)
    raw_rows = iter(sheet.iter_rows())
    header = None
    row_no = 0
    with guard:
        for raw in raw_rows:
            row_no += 1
            if by_row.get(row_no) or any(not _empty(v) for v in raw):
                header = raw
                break
    if header is None:
        table.issues.append(Issue(None, "", "工作表为空：没有找到表头行，请使用下载的模板填写"))
        table.fatal = True
        return table
    header_row = row_no
    table.header_row = header_row
    header_cells = {col0 + i: v for i, v in enumerate(header) if not _empty(v)}
    header_formulas = {col: text for col, kind, text in by_row.get(header_row, ()) if kind == "f"}
    used = set(header_cells) | set(header_formulas)
    width = max(used) + 1 if used else 0
    if width > limits.max_columns:
        table.issues.append(
            Issue(header_row, "", f"列数过多（{width} 列，上限 {limits.max_columns} 列），请使用下载的模板")
        )
        table.fatal = True
        return table

    positions: list[int | None] = [None] * len(columns)  # key index -> 0-based column position
    for pos in range(width):
        if pos in header_formulas:
            label = header_formulas[pos]
            table.issues.append(Issue(header_row, label, "表头不能是公式", label))
            continue
        label = clean_text(header_cells.get(pos))
        if not label:
            continue
        idx = by_header.get(normalize_header(label))
        if idx is None:
            table.issues.append(
                Issue(header_row, label, f"未知的列「{label}」，请使用下载的模板，不要增加或改名列", label)
            )
        elif positions[idx] is not None:
            table.issues.append(Issue(header_row, label, f"列「{label}」重复出现", label))
        else:
            positions[idx] = pos
    missing = [c.header for c, p in zip(columns, positions, strict=True) if c.required and p is None]
    if missing:
        table.issues.append(
            Issue(header_row, "", f"缺少必需的列：{'、'.join(missing)}（请使用下载的模板，不要删除或改名表头）")
        )
    if any(i.row == header_row for i in table.issues):
        table.fatal = True
        return table

    header_of = {pos: columns[idx].header for idx, pos in enumerate(positions) if pos is not None}
    mapped = [(idx, pos - col0) for idx, pos in enumerate(positions) if pos is not None and pos >= col0]
    n_keys = len(columns)
    max_rows = limits.max_rows
    max_columns = limits.max_columns

    def outside(row: int, pos: int, value) -> None:
        if pos >= max_columns:
            table.issues.append(Issue(row, "", f"第 {pos + 1} 列有数据，超过 {max_columns} 列的上限，请使用下载的模板"))
        else:
            table.issues.append(
                Issue(
                    row,
                    _cell_ref(row, pos),
                    "该列没有表头，数据无法对应到任何字段，请删除或移到正确的列",
                    clean_text(value)[:50],
                )
            )

    def stream():
        count = 0
        number = header_row
        for raw in raw_rows:
            number += 1
            marks = by_row.get(number)
            nonempty = False
            skip = ()
            if marks:
                skip = {col for col, _kind, _text in marks}
                nonempty = True
                for col, kind, text in marks:
                    ref = _cell_ref(number, col)
                    label = header_of.get(col, ref)
                    if kind == "f":
                        message = f"单元格 {ref} 是公式（{text[:40]}），请复制后“选择性粘贴 → 数值”再导入"
                        table.issues.append(Issue(number, label, message, text[:100]))
                    else:
                        table.issues.append(Issue(number, label, f"单元格是错误值 {text}，请更正", text))
            values = [None] * n_keys
            n_raw = len(raw)
            for idx, i in mapped:
                if i < n_raw:
                    value = raw[i]
                    if isinstance(value, str):
                        value = value.strip(_STRIP)
                        if not value:
                            continue
                    elif value is None or value == "":
                        continue
                    if not skip or (col0 + i) not in skip:
                        values[idx] = value
                        nonempty = True
            if n_raw + col0 > width:
                for i in range(max(width - col0, 0), len(raw)):
                    value = raw[i]
                    if not _empty(value) and (col0 + i) not in skip:
                        nonempty = True
                        outside(number, col0 + i, value)
            if not nonempty:
                if not any(not _empty(v) for v in raw):
                    continue
                nonempty = True  # values only in unmapped columns under a header we ignore: still a row
            count += 1
            if count > max_rows:
                table.issues.append(
                    Issue(
                        None,
                        "",
                        f"数据行超过 {max_rows:,} 行的上限（不含表头），已停止读取。请拆分为多个文件分批导入。",
                    )
                )
                table.fatal = True
                table.data_rows = count - 1
                return
            table.data_rows = count
            if progress is not None and count % progress_every == 0:
                progress(count)
            yield number, tuple(values)

    table._iter = _guarded(stream(), book.data)
    return table


def _guarded(rows: Iterator, data: bytes) -> Iterator:
    with _parse_guard(data):
        yield from rows
