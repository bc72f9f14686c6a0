"""Cell values as people type them into Excel: dates (serial numbers, date cells, 2024-01-05 / 2024/1/5 /
2024年1月5日 / 20240105), 是/否, integers and decimals typed as text, full-width digits and stray spaces.

Parsers raise ``ValueProblem`` with the Chinese reason shown to the user; empty input gives None.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from decimal import Decimal, InvalidOperation

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
    if type(value) is str:
        return _parse_date_text(value)
    if isinstance(value, dt.datetime):
        day = value.date()
        return day if MIN_DATE <= day <= MAX_DATE else _date_in_range(day, day.isoformat())
    if isinstance(value, dt.date):
        return value if MIN_DATE <= value <= MAX_DATE else _date_in_range(value, value.isoformat())
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
    return _parse_date_text(value)


_DATE_CHARS_RE = re.compile(r"[\d\s年月日/.\-]+")
_SPACES_RE = re.compile(r"\s+")


@functools.lru_cache(maxsize=4096)  # a column of dates repeats its values: each distinct text is parsed once
def _parse_date_text(value) -> dt.date | None:
    text = to_halfwidth(str(value)).strip(_STRIP)
    text = _SPACES_RE.sub("", text) if _DATE_CHARS_RE.fullmatch(text) else _SPACES_RE.sub(" ", text)
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
_BOOL_EXACT = {**dict.fromkeys(_TRUE, True), **dict.fromkeys(_FALSE, False)}  # text already in canonical form


def parse_bool(value) -> bool | None:
    """是/否 (and Y/N, 1/0, √/×, TRUE/FALSE); empty is None so the caller can apply its default."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    exact = _BOOL_EXACT.get(value) if type(value) is str else None
    if exact is not None:
        return exact
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
