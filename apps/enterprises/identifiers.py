"""Identifier checks (DOMAIN.md §4): shape/alphabet errors refuse; check-character mismatches only warn.

A warning must be acknowledged with an override reason, which is recorded on the enterprise.
"""

import re
from dataclasses import dataclass, field

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
_FULLWIDTH = {i: i - 0xFEE0 for i in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20


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
    text = str(raw).translate(_FULLWIDTH)
    return re.sub(r"\s+", "", text).upper()


def uscc_check_char(first17: str) -> str:
    s = sum(USCC_ALPHA.index(c) * w for c, w in zip(first17, USCC_W, strict=True))
    return USCC_ALPHA[(31 - s % 31) % 31]


def org_check_char(body8: str) -> str:
    r = 11 - sum(ORG_ALPHA.index(c) * w for c, w in zip(body8, ORG_W, strict=True)) % 11
    return {10: "X", 11: "0"}.get(r, str(r))


def check_uscc(raw) -> IdentifierCheck:
    code = normalize_code(raw)
    result = IdentifierCheck(code)
    if len(code) != 18:
        result.errors.append(f"统一社会信用代码应为 18 位（当前 {len(code)} 位）")
        return result
    bad = sorted({c for c in code if c not in USCC_ALPHA})
    if bad:
        result.errors.append(f"统一社会信用代码含非法字符：{'、'.join(bad)}（不使用 I、O、S、V、Z）")
        return result
    if not USCC_SHAPE.match(code):
        result.errors.append("统一社会信用代码第 3–8 位应为行政区划代码（6 位数字）")
        return result
    if org_check_char(code[8:16]) != code[16]:
        result.warnings.append(f"第 17 位（组织机构代码校验码）应为 {org_check_char(code[8:16])}，实际为 {code[16]}")
    expected = uscc_check_char(code[:17])
    if expected != code[17]:
        result.warnings.append(f"第 18 位校验码应为 {expected}，实际为 {code[17]}")
    return result


def iso7064_mod11_10_check_digit(digits: str) -> str:
    p = 10
    for ch in digits:
        s = (int(ch) + p) % 10
        s = 10 if s == 0 else s
        p = (2 * s) % 11
    return str((11 - p) % 10)


def check_licence(kind: str, raw) -> IdentifierCheck:
    number = normalize_code(raw) if kind in ("SC", "JY", "YB") else re.sub(r"\s+", "", str(raw or ""))
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
