"""Identifier checks (DOMAIN.md §4): shape/alphabet errors refuse; check-character mismatches only warn.

A warning must be acknowledged with an override reason, which is recorded on the enterprise.
"""

import re
import unicodedata
from dataclasses import dataclass, field

from django.conf import settings

USCC_ALPHA = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_W = [pow(3, i, 31) for i in range(17)]  # 1, 3, 9, 27, 19, 26, ..., 28
ORG_ALPHA = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
ORG_W = [3, 7, 9, 10, 5, 8, 4, 2]
USCC_SHAPE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")

LICENCE_SHAPES = {
    "SC": re.compile(r"^SC\d{14}$"),
    "JY": re.compile(r"^JY[123]\d{13}$"),
    "YB": re.compile(r"^YB[12]\d{13}$"),
    # 登记证 / 登记卡 number formats are not published (DOMAIN.md §4.3): accept letters, digits and dashes.
    "DJ": re.compile(r"^[0-9A-Za-z\u4e00-\u9fff\-]{4,40}$"),
    "DK": re.compile(r"^[0-9A-Za-z\u4e00-\u9fff\-]{4,40}$"),
}
# GB 32100-2015 附录 A (with its amendments): position 1 is the registration authority, position 2 the organisation
# category within it. A position-1 code outside the table is an error; a position-2 code that the table does not list
# for that authority is a warning (the table is only [S]-confirmed, DOMAIN.md §4.1), to be accepted with a reason.
USCC_AUTHORITIES = {
    "1": ("机构编制", {"1": "机关", "2": "事业单位", "3": "中央编办直接管理机构编制的群众团体", "9": "其他"}),
    "2": ("外交", {"1": "外国常驻新闻机构", "9": "其他"}),
    "3": (
        "司法行政",
        {
            "1": "律师执业机构",
            "2": "公证处",
            "3": "基层法律服务所",
            "4": "司法鉴定机构",
            "5": "仲裁委员会",
            "9": "其他",
        },
    ),
    "4": ("文化", {"1": "外国在华文化中心", "9": "其他"}),
    "5": ("民政", {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"}),
    "6": ("旅游", {"1": "外国旅游部门常驻代表机构", "2": "港澳台地区旅游部门常驻内地（大陆）代表机构", "9": "其他"}),
    "7": ("宗教", {"1": "宗教活动场所", "2": "宗教院校", "9": "其他"}),
    "8": ("工会", {"1": "基层工会", "9": "其他"}),
    "9": ("市场监管（工商）", {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"}),
    "A": ("中央军委改革和编制办公室", {"1": "军队事业单位", "9": "其他"}),
    "N": ("农业农村", {"1": "组级集体经济组织", "2": "村级集体经济组织", "3": "乡镇级集体经济组织", "9": "其他"}),
    "Y": ("其他", {"1": "其他"}),
}
# Positions 3–8: the division code of the registering authority. Haining's own (DOMAIN.md §4.1) by default; a code
# from elsewhere is a warning, accepted with a reason (a branch registered in Jiaxing, a chain's head office…).
DEFAULT_HOME_DIVISIONS = ("330481",)
_INVISIBLE_CATEGORIES = {"Cc", "Cf", "Zl", "Zp"}

_FULLWIDTH = {i: i - 0xFEE0 for i in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20
_SPACES_RE = re.compile(r"\s+")
_USCC_VALUE = {c: i for i, c in enumerate(USCC_ALPHA)}
_ORG_VALUE = {c: i for i, c in enumerate(ORG_ALPHA)}
# per position: character → its value × the position's weight (the check sums are then C-level lookups)
_USCC_TERMS = tuple({c: v * w for c, v in _USCC_VALUE.items()} for w in USCC_W)
_ORG_TERMS = tuple({c: v * w for c, v in _ORG_VALUE.items()} for w in ORG_W)


@dataclass
class IdentifierCheck:
    value: str
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.warnings


def normalize_code(raw) -> str:
    """Full-width to half-width, strip all spaces, upper-case."""
    if raw is None:
        return ""
    if type(raw) is str and raw.isascii() and raw.isalnum():  # nothing full-width, no spaces: the usual case
        return raw.upper()
    text = str(raw).translate(_FULLWIDTH)
    return _SPACES_RE.sub("", text).upper()


def uscc_check_char(first17: str) -> str:
    try:
        if len(first17) != len(_USCC_TERMS):
            raise KeyError
        s = sum(map(dict.__getitem__, _USCC_TERMS, first17))
    except KeyError:
        raise ValueError(f"not 17 USCC characters: {first17!r}") from None
    return USCC_ALPHA[(31 - s % 31) % 31]


def org_check_char(body8: str) -> str:
    try:
        if len(body8) != len(_ORG_TERMS):
            raise KeyError
        r = 11 - sum(map(dict.__getitem__, _ORG_TERMS, body8)) % 11
    except KeyError:
        raise ValueError(f"not 8 organisation code characters: {body8!r}") from None
    return {10: "X", 11: "0"}.get(r, str(r))


def _invisible(text: str) -> list[str]:
    if text.isascii() and text.isprintable():  # ASCII has no Cf/Zl/Zp, and printable means no Cc
        return []
    return sorted({c for c in text if unicodedata.category(c) in _INVISIBLE_CATEGORIES})


def configured_home_divisions() -> tuple[str, ...]:
    return tuple(getattr(settings, "USCC_HOME_DIVISIONS", DEFAULT_HOME_DIVISIONS))


def check_uscc(raw, *, home_divisions: tuple[str, ...] | None = None) -> IdentifierCheck:
    """Shape, GB 32100 tables and both check characters. With `home_divisions`, a code registered elsewhere warns."""
    code = normalize_code(raw)
    result = IdentifierCheck(code)
    invisible = _invisible(code)
    if invisible:
        names = "、".join(f"U+{ord(c):04X}" for c in invisible)
        result.errors.append(f"统一社会信用代码含不可见字符（{names}），多见于从网页或文档复制，请删除后重新输入")
        return result
    if len(code) != 18:
        result.errors.append(f"统一社会信用代码应为 18 位（当前 {len(code)} 位）")
        return result
    bad = [] if _USCC_VALUE.keys() >= set(code) else sorted(set(code) - _USCC_VALUE.keys())
    if bad:
        result.errors.append(f"统一社会信用代码含非法字符：{'、'.join(bad)}（不使用 I、O、S、V、Z）")
        return result
    if not USCC_SHAPE.match(code):
        result.errors.append("统一社会信用代码第 3–8 位应为行政区划代码（6 位数字）")
        return result
    authority = USCC_AUTHORITIES.get(code[0])
    if authority is None:
        known = "、".join(USCC_AUTHORITIES)
        result.errors.append(
            f"统一社会信用代码第 1 位（登记管理部门代码）“{code[0]}”不在 GB 32100 代码表中（应为 {known}）"
        )
        return result
    authority_name, categories = authority
    if code[1] not in categories:
        known = "、".join(f"{k} {v}" for k, v in categories.items())
        result.warnings.append(
            f"第 2 位（机构类别代码）“{code[1]}”不在登记管理部门“{authority_name}”的类别中（应为 {known}），请核对"
        )
    if home_divisions and code[2:8] not in home_divisions:
        result.warnings.append(
            f"第 3–8 位登记机关行政区划代码为 {code[2:8]}，不是海宁市（{'、'.join(home_divisions)}），请确认该主体在海宁经营"
        )
    org_check = org_check_char(code[8:16])
    if org_check != code[16]:
        result.warnings.append(f"第 17 位（组织机构代码校验码）应为 {org_check}，实际为 {code[16]}")
    expected = uscc_check_char(code[:17])
    if expected != code[17]:
        result.warnings.append(f"第 18 位校验码应为 {expected}，实际为 {code[17]}")
    return result


def _iso7064_step(p: int, digit: int) -> int:
    s = (digit + p) % 10
    s = 10 if s == 0 else s
    return (2 * s) % 11


# p (0–10) → digit character → the next p: the check digit's loop without int() and arithmetic per digit
_ISO7064_NEXT = tuple({str(d): _iso7064_step(p, d) for d in range(10)} for p in range(11))


def iso7064_mod11_10_check_digit(digits: str) -> str:
    p = 10
    try:
        for ch in digits:
            p = _ISO7064_NEXT[p][ch]
    except KeyError:  # not an ASCII digit: as int() reads it (full-width digits …) or refuses it
        p = 10
        for ch in digits:
            p = _iso7064_step(p, int(ch))
    return str((11 - p) % 10)


def check_licence(kind: str, raw) -> IdentifierCheck:
    number = normalize_code(raw) if kind in ("SC", "JY", "YB") else _SPACES_RE.sub("", str(raw or ""))
    result = IdentifierCheck(number)
    shape = LICENCE_SHAPES.get(kind)
    if shape is None:
        result.errors.append(f"未知的许可/登记类型：{kind}")
        return result
    if not shape.match(number):
        hints = {
            "SC": "SC + 14 位数字",
            "JY": "JY + 14 位数字（第 1 位为主体业态 1/2/3）",
            "YB": "YB + 14 位数字（第 1 位为 1 批发 / 2 零售）",
        }
        result.errors.append(f"编号格式不正确，应为 {hints.get(kind, '4–40 位字母、数字或短横线')}")
        return result
    if kind in ("SC", "JY", "YB"):
        body, check = number[2:15], number[15]
        expected = iso7064_mod11_10_check_digit(body)
        if expected != check:
            # The algorithm is inferred, not published (DOMAIN.md §4.2): a soft warning only.
            result.warnings.append(f"校验位（按 ISO 7064 MOD 11,10 推算）应为 {expected}，实际为 {check}，请核对")
    return result


def make_uscc(prefix8: str, org_body8: str) -> str:
    """Build a valid USCC from '9133048' + '1' and an 8-character organisation body (demo data, tests)."""
    first17 = prefix8 + org_body8 + org_check_char(org_body8)
    return first17 + uscc_check_char(first17)


def make_licence_number(kind: str, body13: str) -> str:
    return kind + body13 + iso7064_mod11_10_check_digit(body13)
