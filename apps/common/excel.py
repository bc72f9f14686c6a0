"""Safe Excel (.xlsx) handling shared by every import and export (SECURITY.md §1.7, FILE-01..05).

Reading is done in three steps, and nothing reaches openpyxl before the first one passed:

1. ``xlsx_prescan(data)`` looks at the raw bytes only: size cap, ``PK\\x03\\x04`` magic, required parts, entry count
   (read from the end-of-central-directory record before the directory itself is parsed), active content
   (``vbaProject.bin``, ``externalLinks/``, ``embeddings/``, ActiveX), nested archives, encrypted entries, and then
   **decompresses every entry itself** from its local header, counting the real bytes produced (headers can lie):
   per-entry ratio, total expanded size, CRC and the declared sizes must all agree. While streaming it refuses any
   DTD / entity declaration (billion laughs, external entities) and records ``<mergeCell>`` ranges per sheet.
2. ``xlsx_open(data)`` asserts ``openpyxl.DEFUSEDXML`` (defence in depth; also a system check) and opens the
   workbook read-only.
3. ``read_table(...)`` streams one sheet into ``(row_number, values)`` with header mapping, and reports formula
   cells (refused: their cached values may be stale or missing), error cells, merged cells, data without a
   header, > ``max_rows`` data rows and > ``max_columns`` columns as row-numbered Chinese issues.

Writing: ``write_template`` (Chinese headers, a comment on each header, drop-down lists from a hidden sheet) and
``write_table`` (plain tables such as error lists; every value is written as a string cell with formula triggers
neutralised, SECURITY.md EXP-01).

Value parsers (``parse_date``, ``parse_bool``, ``parse_int``, ``parse_decimal``, ``clean_text``, ``to_halfwidth``)
accept what people type into Excel: serial numbers, datetime cells, 2024-01-05 / 2024/1/5 / 2024年1月5日 / 20240105,
full-width digits and stray spaces.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import logging
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ImproperlyConfigured

from .exceptions import DomainError

log = logging.getLogger(__name__)

XLSX_MAGIC = b"PK\x03\x04"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MB = 1024 * 1024


@dataclass(frozen=True)
class XlsxLimits:
    max_bytes: int = 10 * MB  # FILE-02
    max_entries: int = 200  # FILE-03
    max_total_uncompressed: int = 50 * MB
    max_ratio: int = 100
    # The ratio is judged once an entry has expanded beyond this many bytes: a 3 KB part that happens to compress
    # 1:150 is harmless, every bomb is far larger (the total cap bounds the rest).
    ratio_floor: int = 64 * 1024
    max_rows: int = 10_000  # FILE-06 (data rows, header excluded)
    max_columns: int = 50


DEFAULT_LIMITS = XlsxLimits()


class WorkbookRejected(DomainError):
    """The file is refused as a whole (before or while opening it); nothing is written."""

    code = "workbook_rejected"
    status_code = 400
    default_message = "无法读取该文件"


class WorkbookTooLarge(WorkbookRejected):
    code = "workbook_too_large"
    status_code = 413


def _mb(n: int) -> str:
    return f"{n // MB} MB" if n % MB == 0 else f"{n / MB:.1f} MB"


# ---------------------------------------------------------------------------------------------------- pre-scan
_EOCD = b"PK\x05\x06"
_EOCD_STRUCT = struct.Struct("<4s4H2LH")
_LOCAL_STRUCT = struct.Struct("<4s5H3L2H")
_NESTED_SUFFIXES = (
    ".zip", ".rar", ".7z", ".gz", ".tgz", ".bz2", ".xz", ".tar", ".jar", ".cab",
    ".xlsx", ".xlsm", ".xlsb", ".xls", ".docx", ".docm", ".pptx", ".pptm", ".odt", ".ods",
)  # fmt: skip
_NESTED_MAGIC = (
    b"PK\x03\x04", b"PK\x05\x06", b"7z\xbc\xaf\x27\x1c", b"Rar!\x1a\x07", b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"MSCF",
)  # fmt: skip
_XML_DANGER = tuple(
    pattern.encode(enc) for pattern in ("<!DOCTYPE", "<!ENTITY") for enc in ("utf-8", "utf-16-le", "utf-16-be")
)
_MERGE_RE = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?mergeCell\b[^>]{0,200}?\bref="([A-Za-z0-9:$]{1,40})"')
_ROW_CLOSE_RE = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?row>")
_CELL_VALUE_RE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?[vtf][\s>/]")
_ROW_PENDING_MAX = 8 * MB
_OVERLAP = 256
_IN_CHUNK = 64 * 1024
_OUT_CHUNK = 256 * 1024
_KEEP_PARTS = ("[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels")
_KEEP_MAX = 1 * MB


@dataclass
class PrescanReport:
    entries: int = 0
    compressed: int = 0
    uncompressed: int = 0
    max_ratio: float = 0.0
    names: list[str] = field(default_factory=list)
    merged: dict[str, list[str]] = field(default_factory=dict)  # worksheet part -> ["A3:A4", ...]
    value_rows: dict[str, int] = field(default_factory=dict)  # worksheet part -> rows holding a value or formula
    kept: dict[str, bytes] = field(default_factory=dict)


def _sniff(head: bytes) -> str:
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "旧版 Excel 97-2003 工作簿（.xls）或加密的工作簿"
    text = head.lstrip(b"\xef\xbb\xbf\xff\xfe \t\r\n").lower()
    if text.startswith((b"<!doctype html", b"<html", b"<table", b"<head", b"<meta")) or b"<html" in text[:512]:
        return "网页（HTML）文件"
    if text.startswith(b"<?xml") or text.startswith(b"<"):
        return "XML 文件"
    if head.startswith(b"%PDF"):
        return "PDF 文件"
    if head.startswith((b"Rar!", b"7z\xbc\xaf", b"\x1f\x8b")):
        return "压缩包"
    if head and b"\x00" not in head[:4096]:
        return "文本或 CSV 文件"
    return "未知格式"


def _reject_not_xlsx(kind: str) -> WorkbookRejected:
    return WorkbookRejected(
        f"文件不是 .xlsx 工作簿（检测为{kind}）。请在 Excel 或 WPS 中“另存为”Excel 工作簿（*.xlsx）后再上传。",
        code="not_xlsx",
    )


def check_size(size: int, limits: XlsxLimits = DEFAULT_LIMITS) -> None:
    if size > limits.max_bytes:
        raise WorkbookTooLarge(
            f"文件过大（{size / MB:.1f} MB），上限为 {_mb(limits.max_bytes)}。请删除无关工作表或拆分为多个文件后再上传。"
        )


def _entry_count_from_eocd(data: bytes) -> int | None:
    """Entry count from the end-of-central-directory record, read before zipfile parses the directory."""
    start = max(0, len(data) - (_EOCD_STRUCT.size + 65535))
    pos = data.rfind(_EOCD, start)
    if pos < 0 or pos + _EOCD_STRUCT.size > len(data):
        return None
    _sig, _disk, _cd_disk, _n_disk, n_total, _size, _offset, _comment = _EOCD_STRUCT.unpack_from(data, pos)
    return None if n_total == 0xFFFF else n_total  # 0xFFFF: ZIP64, counted after parsing instead


def _check_names(infos: list[zipfile.ZipInfo]) -> None:
    seen = set()
    for info in infos:
        name = info.filename
        low = name.lower()
        if low in seen:
            raise WorkbookRejected(f"压缩包内有重名的部件（{name}），文件可能被篡改", code="zip_duplicate")
        seen.add(low)
        parts = name.replace("\\", "/").split("/")
        if name.startswith(("/", "\\")) or ".." in parts or ":" in parts[0]:
            raise WorkbookRejected("压缩包内含异常路径的部件，文件可能被篡改", code="zip_path")
        if low.endswith(("vbaproject.bin", "vbaprojectsignature.bin", "vbadata.xml")):
            raise WorkbookRejected(
                "文件含有宏（VBA 代码），可能是改了扩展名的 .xlsm 文件。请另存为不含宏的 Excel 工作簿（*.xlsx）后再上传。",
                code="macro",
            )
        if low.startswith("xl/externallinks/"):
            raise WorkbookRejected(
                "文件含有指向其他工作簿的外部链接，出于安全原因不予读取。请复制后“选择性粘贴 → 数值”去掉外部链接再上传。",
                code="external_link",
            )
        if low.startswith(("xl/embeddings/", "xl/activex/")) or "oleobject" in low:
            raise WorkbookRejected(
                "文件含有嵌入的对象（OLE/ActiveX），出于安全原因不予读取。请删除嵌入对象后再上传。",
                code="embedded_object",
            )
        if low.endswith(_NESTED_SUFFIXES):
            raise WorkbookRejected("文件内嵌有其他压缩包或文档，出于安全原因不予读取。", code="nested_archive")
        if info.flag_bits & 0x1:
            raise WorkbookRejected("文件已加密（设置了打开密码），请取消密码后再上传。", code="encrypted")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise WorkbookRejected(
                "文件使用了不支持的压缩方式，请用 Excel 或 WPS 重新保存后再上传。", code="zip_method"
            )


def _lying(name: str) -> WorkbookRejected:
    return WorkbookRejected(
        f"文件结构异常：部件 {name} 的声明大小与实际内容不一致（文件已损坏或被篡改）。", code="zip_header_mismatch"
    )


def _bomb(name: str, detail: str) -> WorkbookRejected:
    return WorkbookRejected(f"文件解压后异常膨胀（{detail}，部件 {name}），疑似压缩炸弹，已拒绝。", code="zip_bomb")


def _stream_entry(data: bytes, info: zipfile.ZipInfo, region_end: int, report: PrescanReport, limits: XlsxLimits):
    """Decompress one entry from its local header with our own inflater, counting the real output bytes."""
    off = info.header_offset
    if off + _LOCAL_STRUCT.size > len(data) or data[off : off + 4] != XLSX_MAGIC:
        raise _lying(info.filename)
    (_sig, _ver, flags, method, _t, _d, crc, csize, usize, name_len, extra_len) = _LOCAL_STRUCT.unpack_from(data, off)
    if method != info.compress_type:
        raise _lying(info.filename)
    if not flags & 0x8 and (csize, usize, crc) != (0xFFFFFFFF, 0xFFFFFFFF, crc):
        # No data descriptor: the local header repeats the central directory's sizes; parsers disagree otherwise.
        if csize != info.compress_size or usize != info.file_size or crc != info.CRC:
            raise _lying(info.filename)
    start = off + _LOCAL_STRUCT.size + name_len + extra_len
    end = min(region_end, len(data))
    if start > end:
        raise _lying(info.filename)

    name = info.filename
    is_xml = True  # every part is scanned for DTDs; binary parts simply never match
    is_sheet = name.lower().startswith("xl/worksheets/") and name.lower().endswith(".xml")
    keep = name in _KEEP_PARTS
    kept = bytearray()
    merges: list[str] = []
    merge_seen: set[int] = set()
    row_pending = b""
    value_rows: int | None = 0
    tail = b""
    produced = 0
    running_crc = 0
    first = True
    budget = limits.max_total_uncompressed - report.uncompressed

    def count_rows(out: bytes) -> None:
        """Rows holding a value (<v>, inline <t>) or a formula, counted on the stream: lets the row cap refuse a
        file without parsing it. Each segment between two </row> is exactly one row (plus empty <row/>s)."""
        nonlocal row_pending, value_rows
        buf = row_pending + out
        last = 0
        for m in _ROW_CLOSE_RE.finditer(buf):
            if _CELL_VALUE_RE.search(buf, last, m.start()):
                value_rows += 1
            last = m.end()
        row_pending = buf[last:]
        if len(row_pending) > _ROW_PENDING_MAX:  # one enormous row: give up counting, the reader still counts
            value_rows, row_pending = None, b""

    def consume(out: bytes, consumed: int) -> None:
        nonlocal produced, running_crc, first, tail
        if not out:
            return
        if first:
            first = False
            if out.startswith(_NESTED_MAGIC):
                raise WorkbookRejected("文件内嵌有其他压缩包或文档，出于安全原因不予读取。", code="nested_archive")
        base = produced - len(tail)
        produced += len(out)
        running_crc = zlib.crc32(out, running_crc)
        if produced > budget:
            raise _bomb(name, f"解压总量超过 {_mb(limits.max_total_uncompressed)}")
        if produced > limits.ratio_floor and produced > limits.max_ratio * max(consumed, 1):
            raise _bomb(name, f"压缩比超过 {limits.max_ratio}:1")
        window = tail + out
        if is_xml:
            for pattern in _XML_DANGER:
                if pattern in window:
                    raise WorkbookRejected(
                        "文件含有 XML 实体/DTD 声明（可用于 XML 炸弹或读取服务器文件的攻击），已拒绝。",
                        code="xml_entity",
                    )
        if is_sheet and b"erge" in window and len(merges) < 1000:
            for m in _MERGE_RE.finditer(window):
                pos = base + m.start()
                if pos not in merge_seen:
                    merge_seen.add(pos)
                    merges.append(m.group(1).decode("ascii").replace("$", ""))
        if is_sheet and value_rows is not None:
            count_rows(out)
        if keep and len(kept) < _KEEP_MAX:
            kept.extend(out[: _KEEP_MAX - len(kept)])
        tail = window[-_OVERLAP:]

    if info.compress_type == zipfile.ZIP_STORED:
        if start + info.compress_size > end or info.compress_size != info.file_size:
            raise _lying(name)
        pos = start
        while pos < start + info.compress_size:
            chunk = data[pos : min(pos + _OUT_CHUNK, start + info.compress_size)]
            pos += len(chunk)
            consume(chunk, pos - start)
        consumed = info.compress_size
    else:
        inflater = zlib.decompressobj(-15)
        pos = start
        try:
            while not inflater.eof:
                if inflater.unconsumed_tail:
                    buf = inflater.unconsumed_tail
                elif pos < end:
                    buf = data[pos : min(pos + _IN_CHUNK, end)]
                    pos += len(buf)
                else:
                    break
                out = inflater.decompress(buf, _OUT_CHUNK)
                consume(out, pos - start - len(inflater.unconsumed_tail))
        except zlib.error:
            raise WorkbookRejected(f"文件已损坏：部件 {name} 无法解压。", code="zip_corrupt") from None
        if not inflater.eof:
            raise _lying(name)
        consumed = pos - start - len(inflater.unused_data) - len(inflater.unconsumed_tail)
    if consumed != info.compress_size or produced != info.file_size:
        raise _lying(name)
    if running_crc != info.CRC:
        raise WorkbookRejected(f"文件已损坏：部件 {name} 校验失败（CRC 不符）。", code="zip_corrupt")
    report.uncompressed += produced
    report.compressed += consumed
    if produced > limits.ratio_floor:
        report.max_ratio = max(report.max_ratio, produced / max(consumed, 1))
    if merges:
        report.merged[name] = merges
    if is_sheet and value_rows is not None:
        report.value_rows[name] = value_rows
    if keep:
        report.kept[name] = bytes(kept)


def xlsx_prescan(data: bytes, limits: XlsxLimits = DEFAULT_LIMITS) -> PrescanReport:
    """Refuse anything that is not a plain, reasonably sized .xlsx before any XML parser sees it (FILE-01..05)."""
    check_size(len(data), limits)
    if not data.startswith(XLSX_MAGIC):
        raise _reject_not_xlsx(_sniff(data[:4096]))
    n = _entry_count_from_eocd(data)
    if n is not None and n > limits.max_entries:
        raise WorkbookRejected(
            f"文件内部部件过多（{n} 个，上限 {limits.max_entries} 个），不是正常的 Excel 工作簿，已拒绝。",
            code="zip_entries",
        )
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
        start_dir = zf.start_dir
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, struct.error, EOFError, OSError):
        raise WorkbookRejected(
            "文件已损坏或不是 .xlsx 工作簿，请用 Excel 或 WPS 重新保存后再上传。", code="zip_corrupt"
        ) from None
    if len(infos) > limits.max_entries:
        raise WorkbookRejected(
            f"文件内部部件过多（{len(infos)} 个，上限 {limits.max_entries} 个），不是正常的 Excel 工作簿，已拒绝。",
            code="zip_entries",
        )
    names = [i.filename for i in infos]
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        kind = "Excel 二进制工作簿（.xlsb）" if "xl/workbook.bin" in names else "其他 Office 文档或普通压缩包"
        raise _reject_not_xlsx(kind)
    _check_names(infos)

    report = PrescanReport(entries=len(infos), names=names)
    declared = sum(i.file_size for i in infos)
    if declared > limits.max_total_uncompressed:
        raise WorkbookRejected(
            f"文件解压后过大（{_mb(declared)}，上限 {_mb(limits.max_total_uncompressed)}），疑似压缩炸弹，已拒绝。",
            code="zip_bomb",
        )
    offsets = sorted({i.header_offset for i in infos} | {start_dir})
    next_offset = {o: offsets[k + 1] for k, o in enumerate(offsets[:-1])}
    for info in infos:
        _stream_entry(data, info, next_offset.get(info.header_offset, start_dir), report, limits)

    content_types = report.kept.get("[Content_Types].xml", b"").lower()
    if b"macroenabled" in content_types or b"vbaproject" in content_types:
        raise WorkbookRejected(
            "文件是启用宏的工作簿（.xlsm），请另存为不含宏的 Excel 工作簿（*.xlsx）后再上传。", code="macro"
        )
    if b"externallink" in content_types:
        raise WorkbookRejected("文件含有指向其他工作簿的外部链接，出于安全原因不予读取。", code="external_link")
    if b"oleobject" in content_types or b"activex" in content_types:
        raise WorkbookRejected("文件含有嵌入的对象（OLE/ActiveX），出于安全原因不予读取。", code="embedded_object")
    report.compressed = sum(i.compress_size for i in infos)
    return report


def xlsx_sheet_parts(report: PrescanReport) -> list[tuple[str, str]]:
    """``[(sheet name, part path), ...]`` in workbook order, from the parts the pre-scan kept (no openpyxl)."""
    from defusedxml.ElementTree import fromstring

    try:
        workbook = fromstring(report.kept.get("xl/workbook.xml", b""))
        rels = fromstring(report.kept.get("xl/_rels/workbook.xml.rels", b""))
    except Exception:  # truncated (> 1 MB) or malformed: callers fall back to openpyxl
        return []
    targets = {}
    for rel in rels.iter():
        if rel.tag.endswith("Relationship") and rel.get("Id"):
            target = rel.get("Target", "")
            targets[rel.get("Id")] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    out = []
    for sheet in workbook.iter():
        if sheet.tag.endswith("}sheet") or sheet.tag == "sheet":
            rid = next((v for k, v in sheet.attrib.items() if k.endswith("}id")), None)
            if rid in targets:
                out.append((sheet.get("name", ""), targets[rid]))
    return out


def xlsx_data_rows(report: PrescanReport, sheet_name: str | None = None) -> int | None:
    """Data rows (header excluded) of the sheet ``read_table`` would read, counted by the pre-scan; None if unknown."""
    parts = xlsx_sheet_parts(report)
    if not parts:
        return None
    part = next((p for name, p in parts if name == sheet_name), parts[0][1])
    counted = report.value_rows.get(part)
    return None if counted is None else max(counted - 1, 0)


def too_many_rows_issue(rows: int, limits: XlsxLimits) -> Issue:
    return Issue(
        None, "", f"数据行超过 {limits.max_rows:,} 行的上限（约 {rows:,} 行，不含表头），请拆分为多个文件分批导入。"
    )


# ---------------------------------------------------------------------------------------------------- opening
def assert_defusedxml() -> None:
    import openpyxl

    if getattr(openpyxl, "DEFUSEDXML", False) is not True:
        raise ImproperlyConfigured("openpyxl 未启用 defusedxml（pip install defusedxml），拒绝解析上传的 Excel 文件")


def xlsx_open(data: bytes):
    """Open an already pre-scanned workbook read-only (formulas kept as formulas so they can be refused)."""
    assert_defusedxml()
    import openpyxl
    from defusedxml import DefusedXmlException

    try:
        return openpyxl.load_workbook(
            io.BytesIO(data), read_only=True, data_only=False, keep_links=False, keep_vba=False, rich_text=False
        )
    except Exception as exc:  # openpyxl raises a zoo of KeyError/ValueError/ParseError/InvalidFileException
        if _caused_by(exc, DefusedXmlException):  # openpyxl wraps it: "Unable to read workbook ..."
            raise WorkbookRejected("文件含有不安全的 XML 内容（实体/DTD），已拒绝。", code="xml_entity") from None
        log.warning("workbook could not be opened", exc_info=True)
        raise WorkbookRejected(
            "文件内容已损坏，无法作为 Excel 工作簿打开。请用 Excel 或 WPS 重新保存后再上传。", code="xlsx_corrupt"
        ) from None


def _caused_by(exc: BaseException | None, kind) -> bool:
    seen = 0
    while exc is not None and seen < 20:
        if isinstance(exc, kind):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


# ---------------------------------------------------------------------------------------------------- values
_FULLWIDTH = {i: i - 0xFEE0 for i in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20
_STRIP = " \t\r\n\u3000\xa0\u200b\u200c\u200d\ufeff\u2028\u2029"


def to_halfwidth(text: str) -> str:
    """Full-width ASCII (０-９, Ａ-Ｚ, －, ／ ...) and the ideographic space to their half-width forms."""
    return text.translate(_FULLWIDTH)


def clean_text(value) -> str:
    """Cell value as stripped text; None and whitespace-only become ''. Numbers keep no spurious '.0'."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip(_STRIP)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    return str(value).strip(_STRIP)


class ValueProblem(ValueError):
    """A cell value that cannot be understood; the message is the Chinese reason shown to the user."""


_EXCEL_EPOCH = dt.date(1899, 12, 30)
_DATE_SEP_RE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_DATE_CN_RE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$")
_DATE_COMPACT_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
MIN_DATE = dt.date(1950, 1, 1)
MAX_DATE = dt.date(2100, 12, 31)
DATE_HINT = "请填写如 2024-01-05、2024/1/5、2024年1月5日 或 20240105"


def _date_in_range(value: dt.date, raw) -> dt.date:
    if not MIN_DATE <= value <= MAX_DATE:
        raise ValueProblem(f"日期「{raw}」超出合理范围（{MIN_DATE.year}–{MAX_DATE.year} 年）")
    return value


def parse_date(value) -> dt.date | None:
    """A date from a datetime cell, an Excel serial number or text in the usual Chinese/ISO forms."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return _date_in_range(value.date(), value.date().isoformat())
    if isinstance(value, dt.date):
        return _date_in_range(value, value.isoformat())
    if isinstance(value, bool):
        raise ValueProblem(f"日期「{clean_text(value)}」无法识别，{DATE_HINT}")
    if isinstance(value, (int, float)):
        if not float(value).is_integer() and not 1 <= value < 2958466:
            raise ValueProblem(f"日期「{value}」无法识别，{DATE_HINT}")
        number = int(value)
        if 10_000_000 <= number <= 99_999_999:  # 20240105 typed into a number cell
            return parse_date(str(number))
        if not 1 <= number < 2958466:
            raise ValueProblem(f"日期「{value}」无法识别，{DATE_HINT}")
        return _date_in_range(_EXCEL_EPOCH + dt.timedelta(days=number), clean_text(value))
    text = to_halfwidth(str(value)).strip(_STRIP)
    text = re.sub(r"\s+", "", text) if re.fullmatch(r"[\d\s年月日/.\-]+", text) else re.sub(r"\s+", " ", text)
    if not text:
        return None
    match = _DATE_SEP_RE.match(text) or _DATE_CN_RE.match(text) or _DATE_COMPACT_RE.match(text)
    if match is None:
        if text.isdigit() and len(text) == 5:  # a serial number stored as text
            return parse_date(int(text))
        raise ValueProblem(f"日期「{value}」无法识别，{DATE_HINT}")
    year, month, day = (int(g) for g in match.groups())
    try:
        parsed = dt.date(year, month, day)
    except ValueError:
        raise ValueProblem(f"日期「{value}」不存在（{year} 年 {month} 月没有 {day} 日）") from None
    return _date_in_range(parsed, value)


_TRUE = {"是", "有", "已", "Y", "YES", "T", "TRUE", "1", "√", "✓", "✔", "对"}
_FALSE = {"否", "无", "未", "N", "NO", "F", "FALSE", "0", "×", "✗", "✘", "X", "不是", "没有"}


def parse_bool(value) -> bool | None:
    """是/否 (and Y/N, 1/0, √/×, TRUE/FALSE); empty is None so the caller can apply its default."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    text = to_halfwidth(clean_text(value)).strip().upper()
    if not text:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueProblem(f"「{clean_text(value)}」不是有效的是/否值，请填写“是”或“否”")


def parse_int(value, *, minimum: int | None = 0, maximum: int | None = None) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueProblem(f"「{clean_text(value)}」不是整数")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueProblem(f"「{value}」不是整数")
        number = int(value)
    elif isinstance(value, int):
        number = value
    else:
        text = re.sub(r"[\s,，]", "", to_halfwidth(str(value)))
        if not text:
            return None
        if not re.fullmatch(r"[+-]?\d+(\.0+)?", text):
            raise ValueProblem(f"「{clean_text(value)}」不是整数")
        number = int(text.split(".")[0])
    if minimum is not None and number < minimum:
        raise ValueProblem(f"「{number}」不能小于 {minimum}")
    if maximum is not None and number > maximum:
        raise ValueProblem(f"「{number}」不能大于 {maximum}")
    return number


def parse_decimal(value, *, places: int = 6, minimum=None, maximum=None) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueProblem(f"「{clean_text(value)}」不是数字")
    text = re.sub(r"\s", "", to_halfwidth(str(value)))
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueProblem(f"「{clean_text(value)}」不是数字") from None
    if not number.is_finite():
        raise ValueProblem(f"「{clean_text(value)}」不是数字")
    number = number.quantize(Decimal(1).scaleb(-places))
    if minimum is not None and number < minimum:
        raise ValueProblem(f"「{clean_text(value)}」不能小于 {minimum}")
    if maximum is not None and number > maximum:
        raise ValueProblem(f"「{clean_text(value)}」不能大于 {maximum}")
    return number


def normalize_header(text) -> str:
    """Header text compared loosely: half-width, no spaces, no required-marker (*, ＊, （必填）)."""
    text = to_halfwidth(clean_text(text))
    text = re.sub(r"\s+", "", text)
    text = re.sub(r"[(（]必填[)）]$", "", text)
    return text.strip("*").strip()


# ---------------------------------------------------------------------------------------------------- reading
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
    """One problem found in a workbook: a row number (None for the whole file), the column and a Chinese reason."""

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


def _cell_ref(row: int, col: int) -> str:
    from openpyxl.utils import get_column_letter

    return f"{get_column_letter(col)}{row}"


def _merge_issues(refs: list[str]) -> list[Issue]:
    from openpyxl.utils.cell import range_boundaries

    issues = []
    for ref in refs[:200]:
        try:
            _c1, r1, _c2, r2 = range_boundaries(ref)
        except ValueError:
            r1 = r2 = None
        rows = f"（第 {r1}–{r2} 行）" if r1 and r2 and r1 != r2 else ""
        issues.append(
            Issue(r1, "", f"含有合并单元格 {ref}{rows}，合并后只有左上角有值，请取消合并并逐行填写后再导入", ref)
        )
    return issues


def read_table(
    wb,
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
    yielded. Data rows are yielded with their Excel row numbers; empty rows are skipped.
    """
    ws = wb[sheet_name] if sheet_name and sheet_name in wb.sheetnames else wb.worksheets[0]
    if hasattr(ws, "reset_dimensions"):
        ws.reset_dimensions()  # a <dimension> that lies would silently cut rows off; read what is really there
    keys = tuple(c.key for c in columns)
    table = Table(sheet=ws.title, keys=keys)
    if prescan is not None:
        part = (getattr(ws, "_worksheet_path", "") or "").lstrip("/")
        table.issues.extend(_merge_issues(prescan.merged.get(part, [])))
        counted = prescan.value_rows.get(part)
        if counted is not None and counted - 1 > limits.max_rows:  # the header row holds values too
            table.issues.append(too_many_rows_issue(counted - 1, limits))
            table.fatal = True
            table.data_rows = counted - 1
            return table

    by_header: dict[str, int] = {}
    for idx, col in enumerate(columns):
        for name in (col.header, *col.aliases):
            by_header[normalize_header(name)] = idx

    cells = ws.iter_rows()
    header_cells = None
    with _parse_guard():
        for row in cells:
            if any(c.value is not None and clean_text(c.value) != "" for c in row):
                header_cells = row
                break
    if header_cells is None:
        table.issues.append(Issue(None, "", "工作表为空：没有找到表头行，请使用下载的模板填写"))
        table.fatal = True
        return table
    header_row = next(c.row for c in header_cells if getattr(c, "row", None))
    table.header_row = header_row
    width = max((i + 1 for i, c in enumerate(header_cells) if c.value is not None and clean_text(c.value)), default=0)
    if width > limits.max_columns:
        table.issues.append(
            Issue(header_row, "", f"列数过多（{width} 列，上限 {limits.max_columns} 列），请使用下载的模板")
        )
        table.fatal = True
        return table

    positions: list[int | None] = [None] * len(columns)  # key index -> 0-based column position
    for pos, cell in enumerate(header_cells[:width]):
        label = clean_text(cell.value)
        if cell.data_type == "f":
            table.issues.append(Issue(header_row, label, "表头不能是公式", label))
            continue
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

    headers = [c.header for c in columns]
    mapped = [(idx, pos) for idx, pos in enumerate(positions) if pos is not None]
    n_keys = len(columns)
    max_rows = limits.max_rows
    max_columns = limits.max_columns

    def stream():
        count = 0
        for row in cells:
            values = [None] * n_keys
            nonempty = False
            row_no = None
            for pos, cell in enumerate(row):
                value = cell.value
                if value is None:
                    continue
                if row_no is None:
                    row_no = cell.row
                if cell.data_type == "f":
                    ref = _cell_ref(cell.row, pos + 1)
                    col = headers[positions.index(pos)] if pos in positions else ref
                    table.issues.append(
                        Issue(
                            cell.row,
                            col,
                            f"单元格 {ref} 是公式（{str(value)[:40]}），请复制后“选择性粘贴 → 数值”再导入",
                        )
                    )
                    nonempty = True
                    continue
                if isinstance(value, str):
                    value = value.strip(_STRIP)
                    if not value:
                        continue
                nonempty = True
                if cell.data_type == "e":
                    col = headers[positions.index(pos)] if pos in positions else _cell_ref(cell.row, pos + 1)
                    table.issues.append(Issue(cell.row, col, f"单元格是错误值 {value}，请更正", str(value)))
                    continue
                if pos >= width:
                    if pos >= max_columns:
                        table.issues.append(
                            Issue(cell.row, "", f"第 {pos + 1} 列有数据，超过 {max_columns} 列的上限，请使用下载的模板")
                        )
                    else:
                        table.issues.append(
                            Issue(
                                cell.row,
                                _cell_ref(cell.row, pos + 1),
                                "该列没有表头，数据无法对应到任何字段，请删除或移到正确的列",
                                clean_text(value)[:50],
                            )
                        )
                    continue
            if not nonempty:
                continue
            for idx, pos in mapped:
                if pos < len(row):
                    value = row[pos].value
                    if value is not None and row[pos].data_type not in ("f", "e"):
                        if isinstance(value, str):
                            value = value.strip(_STRIP) or None
                        values[idx] = value
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
            yield row_no, tuple(values)

    table._iter = _guarded(stream())
    return table


def _guarded(rows: Iterator) -> Iterator:
    with _parse_guard():
        yield from rows


@contextlib.contextmanager
def _parse_guard():
    """Sheet XML is parsed lazily while rows are read: turn parser failures into a Chinese refusal."""
    from defusedxml import DefusedXmlException

    try:
        yield
    except WorkbookRejected:
        raise
    except DefusedXmlException:
        raise WorkbookRejected("文件含有不安全的 XML 内容（实体/DTD），已拒绝。", code="xml_entity") from None
    except (SyntaxError, ValueError, KeyError, IndexError, TypeError, AttributeError, zipfile.BadZipFile, zlib.error):
        # xml.etree's ParseError is a SyntaxError; openpyxl raises the others on malformed cells/shared strings
        log.warning("worksheet could not be read", exc_info=True)
        raise WorkbookRejected(
            "工作表内容已损坏，无法读取。请用 Excel 或 WPS 重新保存后再上传。", code="xlsx_corrupt"
        ) from None


# ---------------------------------------------------------------------------------------------------- writing
_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_text(value) -> str:
    """Text for a spreadsheet cell with formula triggers neutralised by a leading quote (SECURITY.md EXP-01)."""
    text = clean_text(value) if not isinstance(value, str) else value
    if text.startswith(_FORMULA_TRIGGERS):
        return "'" + text
    return text


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
