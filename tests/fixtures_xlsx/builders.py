"""Build import workbooks in memory with openpyxl and zipfile.

``valid_rows(n)`` gives rows of realistic, valid registry data (valid USCCs registered in 330481, licences of the
right kind, townships weighted by population); ``workbook(rows)`` writes them under the template headers.
``BAD_WORKBOOKS`` is the hostile/broken corpus of issue 3 point 8: each entry builds its bytes on demand and says
which Chinese message (a fragment) the importer must answer with.
"""

from __future__ import annotations

import io
import random
import struct
import zipfile
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from apps.enterprises.identifiers import make_licence_number, make_uscc

HEADERS = (
    "统一社会信用代码",
    "名称",
    "所属镇街",
    "业态",
    "经营状态",
    "法定代表人/负责人",
    "联系人",
    "联系电话",
    "注册地址",
    "经营地址",
    "规模",
    "城乡",
    "食品类别",
    "许可证类型",
    "许可证编号",
    "发证日期",
    "有效期至",
    "阳光厨房",
    "阳光厨房已联网",
    "网络餐饮",
    "主体责任清单",
    "责任清单日期",
    "食品安全责任保险",
    "冷链",
    "品牌标识",
    "从业人员健康证数",
    "最近健康证到期日",
)

# 业态 name -> (licence kind, licence label, categories, weight in the mix)
_TYPES = (
    ("餐饮服务", "JY", "食品经营许可证", "热食类、冷食类", 30),
    ("小餐饮", "DJ", "小作坊/小餐饮/小食杂店登记证", "热食类", 14),
    ("食品销售", "JY", "食品经营许可证", "预包装食品（常温）、散装食品（常温）", 22),
    ("小食杂店", "DJ", "小作坊/小餐饮/小食杂店登记证", "预包装食品（常温）", 10),
    ("单位食堂", "JY", "食品经营许可证", "热食类", 5),
    ("学校食堂", "JY", "食品经营许可证", "热食类、冷食类", 3),
    ("食品生产", "SC", "食品生产许可证", "糕点、饼干", 6),
    ("小作坊", "DJ", "小作坊/小餐饮/小食杂店登记证", "糕点", 4),
    ("食品摊贩", "DK", "食品摊贩登记卡", "热食类", 3),
    ("农村家宴中心", "JY", "食品经营许可证", "热食类", 1),
    ("中央厨房", "JY", "食品经营许可证", "热食类", 1),
    ("集中用餐配送", "JY", "食品经营许可证", "热食类", 1),
)
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁沈"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国海燕红梅晓东志强丹"
_SHOPS = ("餐饮店", "小吃店", "面馆", "酒家", "超市", "便利店", "食品商行", "食品厂", "糕点坊", "饭店", "土菜馆")
_WORDS = "潮乡盐官长安许村硖石鹃湖紫微东山西山海昌皮都丰士黄湾袁花丁桥斜桥周王庙尖山钱塘观潮南苑文苑"
_ROADS = ("西山路", "工人路", "文苑路", "海昌路", "水月亭路", "联合路", "长安路", "人民路", "钱江路", "洛塘河路")

# Township code -> population share (DOMAIN.md §5 estimates); used when no database is at hand.
_TOWNSHIP_WEIGHTS = {
    "硖石街道": 12,
    "海洲街道": 15,
    "海昌街道": 12,
    "马桥街道": 8,
    "许村镇": 10,
    "长安镇": 11,
    "周王庙镇": 6,
    "斜桥镇": 6,
    "丁桥镇": 5,
    "袁花镇": 6,
    "黄湾镇": 3,
    "盐官镇": 6,
}


def township_weights() -> dict[str, float]:
    """Latest population per township from the database when loaded, else the built-in estimates."""
    try:
        from apps.accounts.models import TownshipPopulation

        latest = {}
        for pop in TownshipPopulation.objects.select_related("township").order_by("year"):
            latest[pop.township.name] = pop.population
        if latest:
            return latest
    except Exception:  # no database (pure unit tests)
        pass
    return dict(_TOWNSHIP_WEIGHTS)


def valid_rows(
    n: int, *, seed: int = 7, townships: Sequence[str] | None = None, start: int = 0, weights: dict | None = None
) -> list[dict]:
    """``n`` valid rows keyed by template header. ``start`` offsets the identifiers (for disjoint batches)."""
    rng = random.Random(seed)
    if townships:
        names, w = list(townships), [1.0] * len(townships)
    else:
        table = weights or township_weights()
        names, w = list(table), list(table.values())
    types = list(_TYPES)
    type_w = [t[4] for t in types]
    out = []
    for i in range(start, start + n):
        bt, kind, kind_label, cats, _ = rng.choices(types, type_w)[0]
        town = rng.choices(names, w)[0]
        person = rng.choice(_SURNAMES) + rng.choice(_GIVEN) + (rng.choice(_GIVEN) if rng.random() < 0.6 else "")
        word = rng.choice(_WORDS) + rng.choice(_WORDS)
        name = f"海宁市{town[:2]}{word}{rng.choice(_SHOPS)}{i:06d}"
        if kind == "SC":
            number = make_licence_number("SC", f"106{i:010d}")
        elif kind == "JY":
            number = make_licence_number("JY", f"{rng.choice('123')}330481{i:06d}")
        elif kind == "DJ":
            number = f"浙海DJ{i:08d}"
        else:
            number = f"浙海DK{i:08d}"
        issued = f"20{rng.randint(19, 24)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        expires = f"{int(issued[:4]) + 5}-{issued[5:7]}-{issued[8:10]}"
        sunshine = bt in ("餐饮服务", "学校食堂", "单位食堂", "中央厨房", "集中用餐配送") and rng.random() < 0.5
        resp = rng.random() < 0.4
        addr = f"海宁市{town}{rng.choice(_ROADS)}{rng.randint(1, 999)}号"
        out.append(
            {
                "统一社会信用代码": make_uscc(
                    "92330481" if kind in ("DJ", "DK") else "91330481", f"{10000000 + i:08d}"
                ),
                "名称": name,
                "所属镇街": town,
                "业态": bt,
                "经营状态": "营业",
                "法定代表人/负责人": person,
                "联系人": person,
                "联系电话": f"13{rng.randint(0, 9)}{rng.randint(10_000_000, 99_999_999)}",
                "注册地址": addr,
                "经营地址": addr,
                "规模": rng.choice(("微型", "小型", "小型", "中型")),
                "城乡": rng.choice(("城区", "农村")),
                "食品类别": cats,
                "许可证类型": kind_label,
                "许可证编号": number,
                "发证日期": issued,
                "有效期至": expires,
                "阳光厨房": "是" if sunshine else "否",
                "阳光厨房已联网": "是" if sunshine and rng.random() < 0.7 else "否",
                "网络餐饮": "是" if rng.random() < 0.2 else "否",
                "主体责任清单": "是" if resp else "否",
                "责任清单日期": f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}" if resp else None,
                "食品安全责任保险": "是" if rng.random() < 0.3 else "否",
                "冷链": "是" if rng.random() < 0.1 else "否",
                "品牌标识": rng.choice(("无", "无", "无", "品字标")),
                "从业人员健康证数": rng.randint(1, 40),
                "最近健康证到期日": f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            }
        )
    return out


def workbook(
    rows: Sequence[dict],
    *,
    headers: Sequence[str] | None = None,
    sheet_title: str = "检查对象",
    write_only: bool = True,
    edit: Callable | None = None,
) -> bytes:
    """Write ``rows`` (dicts keyed by header) under ``headers``; ``edit(ws)`` may change the sheet (normal mode)."""
    from openpyxl import Workbook

    headers = list(headers or HEADERS)
    if edit is not None:
        write_only = False
    wb = Workbook(write_only=write_only)
    ws = wb.create_sheet(sheet_title) if write_only else wb.active
    if not write_only:
        ws.title = sheet_title
    ws.append(headers)
    for row in rows:
        ws.append([row.get(h) for h in headers])
    if edit is not None:
        edit(ws)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# ---------------------------------------------------------------------------------------------------- zip surgery
def zip_rewrite(data: bytes, *, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None,
                drop: Sequence[str] = (), method=zipfile.ZIP_DEFLATED) -> bytes:  # fmt: skip
    """Copy an xlsx, replacing/adding/dropping parts."""
    replace = {**(replace or {}), **(add or {})}  # an added name that exists replaces it (no duplicates)
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as out:
        for info in src.infolist():
            if info.filename in drop:
                continue
            content = replace.pop(info.filename, None)
            out.writestr(info.filename, content if content is not None else src.read(info.filename))
        for name, content in replace.items():
            out.writestr(name, content)
    return buf.getvalue()


def content_types_with(data: bytes, extra_xml: str) -> bytes:
    ct = zipfile.ZipFile(io.BytesIO(data)).read("[Content_Types].xml").decode()
    return ct.replace("</Types>", extra_xml + "</Types>").encode()


def patch_header_field(data: bytes, name: str, *, local_offset: int, central_offset: int, value: int) -> bytes:
    """Overwrite one 4-byte field of ``name``'s local header and central-directory record."""
    buf = bytearray(data)
    zf = zipfile.ZipFile(io.BytesIO(data))
    info = zf.getinfo(name)
    struct.pack_into("<L", buf, info.header_offset + local_offset, value)
    cd = zf.start_dir
    while buf[cd : cd + 4] == b"PK\x01\x02":
        n_len, e_len, c_len = struct.unpack_from("<HHH", buf, cd + 28)
        if bytes(buf[cd + 46 : cd + 46 + n_len]).decode("utf-8", "replace") == name:
            struct.pack_into("<L", buf, cd + central_offset, value)
            break
        cd += 46 + n_len + e_len + c_len
    return bytes(buf)


def patch_declared_size(data: bytes, name: str, new_size: int) -> bytes:
    """Make both the local header and the central directory claim ``new_size`` uncompressed bytes for ``name``."""
    return patch_header_field(data, name, local_offset=22, central_offset=24, value=new_size)


def patch_crc(data: bytes, name: str) -> bytes:
    crc = zipfile.ZipFile(io.BytesIO(data)).getinfo(name).CRC
    return patch_header_field(data, name, local_offset=14, central_offset=16, value=crc ^ 0xFFFFFFFF)


def many_entries_zip(base: bytes, count: int) -> bytes:
    add = {f"xl/media/t{i:05d}.txt": b"x" for i in range(count)}
    return zip_rewrite(base, add=add)


def bomb_entry(ratio_target: int = 1000, size: int = 20 * 1024 * 1024) -> bytes:
    """Sheet XML padded with whitespace: ~1:1000 compression."""
    head = (
        b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
        b'spreadsheetml/2006/main"><sheetData>'
    )
    return head + b" " * size + b"</sheetData></worksheet>"


def nested_zip() -> bytes:
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("bomb.txt", b"0" * 1_000_000)
    return inner.getvalue()


# ---------------------------------------------------------------------------------------------------- the corpus
BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>&lol9;</t></si></sst>"""


def _xxe_sheet(target: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "{target}">]>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c></row></sheetData></worksheet>'
    ).encode()


def _quadratic() -> bytes:
    big = "A" * 4_000  # ~20 KB on disk, ~20 MB once an unsafe parser expands it
    refs = "&a;" * 5_000
    return (
        f'<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY a "{big}">]>'
        f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>{refs}</t></si></sst>'
    ).encode()


def _ole2() -> bytes:
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 4096


def base_workbook(n: int = 3, **kw) -> bytes:
    return workbook(valid_rows(n, townships=["硖石街道"], **kw))


_SST_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
_SST_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"


def with_shared_strings(data: bytes, sst: bytes) -> bytes:
    """Register ``sst`` as the workbook's shared-string table (openpyxl itself writes inline strings), as Excel
    files have it, so a parser really reads it when the workbook is opened."""
    zf = zipfile.ZipFile(io.BytesIO(data))
    rels = zf.read("xl/_rels/workbook.xml.rels").decode()
    rels = rels.replace(
        "</Relationships>", f'<Relationship Type="{_SST_REL}" Target="sharedStrings.xml" Id="rIdSst"/></Relationships>'
    )  # noqa: E501
    ct = content_types_with(data, f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_SST_CT}"/>')
    return zip_rewrite(
        data,
        replace={"[Content_Types].xml": ct, "xl/_rels/workbook.xml.rels": rels.encode(), "xl/sharedStrings.xml": sst},
    )


def _formulas(ws):
    ws["R2"] = '=IF(1,"是","否")'
    ws["H3"] = "=13800000000+1"


def _merged(ws):
    ws.merge_cells("C2:C4")


@dataclass(frozen=True)
class Bad:
    name: str
    build: Callable[[], bytes]
    expect: str  # a fragment of the Chinese message
    stage: str = "prescan"  # prescan | content
    status: int = 400


def _rows(n=3, **overrides):
    rows = valid_rows(n, townships=["硖石街道"])
    for row in rows:
        row.update(overrides)
    return rows


def _dup_uscc():
    rows = _rows(3)
    rows[2]["统一社会信用代码"] = rows[0]["统一社会信用代码"]
    return workbook(rows)


def _bad_dates():
    rows = _rows(3)
    rows[0]["发证日期"] = "2024-02-30"
    rows[1]["有效期至"] = "明年三月"
    rows[2]["最近健康证到期日"] = "2024.13.01"
    return workbook(rows)


def _numbers_as_numbers():
    rows = _rows(2)
    rows[0]["统一社会信用代码"] = 123502001549897397  # Excel keeps 15 digits
    rows[1]["联系电话"] = 57387654321  # 0573-87654321 lost its 0
    return workbook(rows)


def _foreign_township():
    rows = _rows(3)
    rows[1]["所属镇街"] = "许村镇"
    return workbook(rows)


def _unknown_township():
    rows = _rows(2)
    rows[0]["所属镇街"] = "火星镇"
    return workbook(rows)


def _bad_uscc():
    rows = _rows(3)
    rows[0]["统一社会信用代码"] = "91330481ABCDEFGIO"  # 17 chars
    rows[1]["统一社会信用代码"] = rows[1]["统一社会信用代码"][:17] + (
        "0" if rows[1]["统一社会信用代码"][17] != "0" else "1"
    )  # wrong check char, no reason given
    return workbook(rows)


def _too_many_rows():
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("检查对象")
    ws.append(["统一社会信用代码", "名称", "所属镇街", "业态"])
    for i in range(10_001):
        ws.append([make_uscc("91330481", f"{20000000 + i:08d}"), f"店{i}", "硖石街道", "餐饮服务"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _too_many_columns():
    headers = list(HEADERS) + [f"备注{i}" for i in range(51 - len(HEADERS))]
    return workbook(_rows(1), headers=headers)


def _oversize():
    return b"PK\x03\x04" + b"\x00" * (10 * 1024 * 1024 - 3)


BAD_WORKBOOKS: tuple[Bad, ...] = (
    Bad("billion_laughs_shared_strings", lambda: with_shared_strings(base_workbook(), BILLION_LAUGHS), "XML 实体"),  # noqa: E501
    Bad("xxe_file_in_sheet", lambda: zip_rewrite(base_workbook(), replace={"xl/worksheets/sheet1.xml": _xxe_sheet("file:///etc/passwd")}), "XML 实体"),  # noqa: E501
    Bad("xxe_http_in_workbook", lambda: zip_rewrite(base_workbook(), replace={"xl/workbook.xml": _xxe_sheet("http://127.0.0.1:9/x")}), "XML 实体"),  # noqa: E501
    Bad("quadratic_blowup", lambda: with_shared_strings(base_workbook(), _quadratic()), "XML 实体"),  # noqa: E501
    Bad("zip_bomb_one_entry_1_to_1000", lambda: zip_rewrite(base_workbook(), replace={"xl/worksheets/sheet1.xml": bomb_entry()}), "压缩炸弹"),  # noqa: E501
    Bad("ten_thousand_tiny_entries", lambda: many_entries_zip(base_workbook(), 10_000), "部件过多"),
    Bad("lying_size_header", lambda: patch_declared_size(base_workbook(), "xl/worksheets/sheet1.xml", 100), "声明大小与实际内容不一致"),  # noqa: E501
    Bad("nested_archive_42zip_style", lambda: zip_rewrite(base_workbook(), add={"xl/media/image1.png": nested_zip()}), "内嵌有其他压缩包"),  # noqa: E501
    Bad("macro_vbaproject_renamed", lambda: zip_rewrite(base_workbook(), add={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0" + b"\x00" * 512}), "宏"),  # noqa: E501
    Bad("macro_content_type_only", lambda: (lambda d: zip_rewrite(d, replace={"[Content_Types].xml": content_types_with(d, '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.ms-excel.sheet.macroEnabled.main+xml"/>')}))(base_workbook()), "宏"),  # noqa: E501
    Bad("external_link_part", lambda: zip_rewrite(base_workbook(), add={"xl/externalLinks/externalLink1.xml": b"<externalLink/>"}), "外部链接"),  # noqa: E501
    Bad("ole_embedding", lambda: zip_rewrite(base_workbook(), add={"xl/embeddings/oleObject1.bin": b"\xd0\xcf\x11\xe0" + b"\x00" * 64}), "嵌入的对象"),  # noqa: E501
    Bad("csv_renamed", lambda: "统一社会信用代码,名称\n91330481123456788A,某店\n".encode("gbk"), "文本或 CSV"),
    Bad("html_renamed", lambda: b"<html><body><table><tr><td>1</td></tr></table></body></html>", "HTML"),
    Bad("xls_renamed", _ole2, ".xls"),
    Bad("plain_zip_renamed", lambda: nested_zip(), "普通压缩包"),
    Bad("truncated_zip", lambda: base_workbook()[:3000], "损坏"),
    Bad("duplicate_part_names", lambda: _dup_part(), "重名"),
    Bad("path_traversal_part", lambda: zip_rewrite(base_workbook(), add={"../../evil.xml": b"<x/>"}), "异常路径"),
    Bad("oversize_10mb_plus_1", _oversize, "文件过大", status=413),
    Bad("wrong_headers", lambda: workbook(_rows(2), headers=["代码", *HEADERS[1:]]), "未知的列「代码」", "content"),
    Bad("missing_required_header", lambda: workbook(_rows(2), headers=[h for h in HEADERS if h != "业态"]), "缺少必需的列：业态", "content"),  # noqa: E501
    Bad("merged_cells", lambda: workbook(_rows(3), edit=_merged), "合并单元格 C2:C4", "content"),
    Bad("formulas", lambda: workbook(_rows(3), edit=_formulas), "是公式", "content"),
    Bad("duplicate_usccs", _dup_uscc, "与第 2 行的统一社会信用代码重复", "content"),
    Bad("dates_as_text_unparseable", _bad_dates, "无法识别", "content"),
    Bad("codes_stored_as_numbers", _numbers_as_numbers, "被存成了数字", "content"),
    Bad("ten_thousand_and_one_rows", _too_many_rows, "超过 10,000 行", "content"),
    Bad("too_many_columns", _too_many_columns, "列数过多", "content"),
    Bad("foreign_township", _foreign_township, "不在您的管辖范围内", "content"),
    Bad("unknown_township", _unknown_township, "未知的镇街「火星镇」", "content"),
    Bad("bad_uscc_shape_and_check", _bad_uscc, "统一社会信用代码应为 18 位", "content"),
    Bad("header_only", lambda: workbook([]), "没有数据行", "content"),
)  # fmt: skip


def _dup_part() -> bytes:
    base = base_workbook()
    src = zipfile.ZipFile(io.BytesIO(base))
    buf = io.BytesIO()
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate name: that is the point
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
            for info in src.infolist():
                out.writestr(info.filename, src.read(info.filename))
            out.writestr("xl/worksheets/sheet1.xml", src.read("xl/worksheets/sheet1.xml"))
    return buf.getvalue()


def raw_deflate(data: bytes) -> bytes:
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()
