"""The pre-scan: refuse anything that is not a plain, reasonably sized .xlsx before any parser sees it
(SECURITY.md §1.7, FILE-01..05), and note what the value reader cannot see.

``xlsx_prescan(data)`` looks at the raw bytes only: size cap, ``PK\\x03\\x04`` magic, required parts, entry count
(read from the end-of-central-directory record before the directory itself is parsed), active content
(``vbaProject.bin``, ``externalLinks/``, ``embeddings/``, ActiveX), nested archives, encrypted entries, and then
**decompresses every entry itself** from its local header, counting the real bytes produced (headers can lie):
per-entry ratio, total expanded size, CRC and the declared sizes must all agree. While streaming it refuses any
DTD / entity declaration (billion laughs, external entities), and on worksheet parts it records ``<mergeCell>``
ranges, counts the rows holding a value or formula, and lists the **formula cells and error cells** with their
row, column and text (``PrescanReport.special``): the value reader (calamine) gives a formula's cached value and
an error cell as empty, so these are known only from here.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from xml.sax.saxutils import unescape

from apps.common.exceptions import DomainError

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
_ROW_OPEN_RE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row\b")
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
    # worksheet part -> {(row, 0-based column): ("f", formula text) | ("e", error value)}, at most SPECIAL_MAX each
    special: dict[str, dict[tuple[int, int], tuple[str, str]]] = field(default_factory=dict)
    special_total: dict[str, int] = field(default_factory=dict)  # worksheet part -> formula/error cells found


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


_SPECIAL_FORMULA_RE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")
_CELL_RE = re.compile(rb"<((?:[A-Za-z_][\w.-]*:)?)c\b([^>]*?)(?:/>|>(.*?)</\1c>)", re.S)
_ATTR_R_RE = re.compile(rb"""\br\s*=\s*["']\$?([A-Za-z]{1,3})\$?(\d{1,7})["']""")
_ATTR_T_E_RE = re.compile(rb"""\bt\s*=\s*["']e["']""")
_ROW_R_RE = re.compile(rb"""<(?:[A-Za-z_][\w.-]*:)?row\b[^>]*?\br\s*=\s*["'](\d{1,7})["']""")
_F_TEXT_RE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f\b[^>]*?(?:/>|>(.*?)</(?:[A-Za-z_][\w.-]*:)?f>)", re.S)
_V_TEXT_RE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?v>(.*?)</(?:[A-Za-z_][\w.-]*:)?v>", re.S)
SPECIAL_MAX = 20_000  # formula/error cells listed per sheet (the file is refused anyway; the count goes on)
_ENTITIES = {"&quot;": '"', "&apos;": "'"}


def _has_special(buf: bytes, end: int, start: int = 0) -> bool:
    """Cheap test: may buf[start:end] hold a formula (<f>) or an error cell (t="e")?"""
    if buf.find(b'"e"', start, end) >= 0 or buf.find(b"'e'", start, end) >= 0:
        return True
    if buf.find(b"f", start, end) < 0:  # fastest path (one memchr): no "f" at all, so no <f> / <x:f>
        return False
    if buf.find(b"<f", start, end) < 0 and buf.find(b":f", start, end) < 0:  # fast path: no <f> / <x:f> at all
        return False
    return _SPECIAL_FORMULA_RE.search(buf, start, end) is not None


def column_index(letters: str) -> int:
    """0-based column of "A", "Z", "AA" …"""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n - 1


def _special_cells(segment: bytes, fallback_row: int, out: dict, part: str, report: PrescanReport) -> None:
    """Formula and error cells of one row's XML, keyed by (row, 0-based column)."""
    rows = _ROW_R_RE.findall(segment)
    row_no = int(rows[-1]) if rows else fallback_row  # the last <row> opens the cells (earlier ones are <row/>)
    col = -1
    for m in _CELL_RE.finditer(segment):
        attrs, inner = m.group(2), m.group(3) or b""
        ref = _ATTR_R_RE.search(attrs)
        if ref:
            col, row = column_index(ref.group(1).decode("ascii")), int(ref.group(2))
        else:
            col, row = col + 1, row_no
        formula = _F_TEXT_RE.search(inner)
        if formula is not None:
            text = unescape((formula.group(1) or b"").decode("utf-8", "replace"), _ENTITIES)
            entry = ("f", "=" + text if text else "共享公式")
        elif _ATTR_T_E_RE.search(attrs):
            value = _V_TEXT_RE.search(inner)
            entry = ("e", unescape(value.group(1).decode("utf-8", "replace"), _ENTITIES) if value else "#错误")
        else:
            continue
        report.special_total[part] = report.special_total.get(part, 0) + 1
        if len(out) < SPECIAL_MAX:
            out[(row, col)] = entry


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
    value_rows = 0
    rows_closed = 0
    special: dict[tuple[int, int], tuple[str, str]] = {}
    tail = b""
    produced = 0
    running_crc = 0
    first = True
    budget = limits.max_total_uncompressed - report.uncompressed

    def count_rows(out: bytes) -> None:
        """Rows holding a value (<v>, inline <t>) or a formula, counted on the stream: lets the row cap refuse a
        file without parsing it. Each segment between two </row> is exactly one row (plus empty <row/>s).
        Segments that hold a formula or an error cell are parsed for those cells (``_special_cells``)."""
        nonlocal row_pending, value_rows, rows_closed
        buf = row_pending + out
        last = 0
        ends = []
        for m in _ROW_CLOSE_RE.finditer(buf):
            if _CELL_VALUE_RE.search(buf, last, m.start()):
                value_rows += 1
            ends.append((last, m.end()))
            last = m.end()
        if ends and _has_special(buf, last):
            for start, end in ends:
                rows_closed += 1
                if _has_special(buf, end, start):
                    _special_cells(buf[start:end], rows_closed, special, name, report)
        else:
            rows_closed += len(ends)
        row_pending = buf[last:]
        if len(row_pending) > _ROW_PENDING_MAX:
            if _ROW_OPEN_RE.search(row_pending) is None:  # not inside a row: nothing to keep but a partial tag
                row_pending = row_pending[-16:]
                return
            raise WorkbookRejected(
                f"工作表中有一行数据过大（超过 {_mb(_ROW_PENDING_MAX)}），不是正常的检查对象名录，已拒绝。",
                code="row_too_large",
            )

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
        if is_xml and b"!" in window:  # every pattern holds "!" (0x21 in all three encodings): one memchr first
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
        if is_sheet:
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
    if is_sheet:
        report.value_rows[name] = value_rows
        if special:
            report.special[name] = special
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
