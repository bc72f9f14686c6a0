"""The catalogue's rules, written once: model ``clean()``, the admin forms and any API input call these.

- ``parse_standard_code("GB 2762-2022") -> StandardCode("GB", "2762", "", 2022)`` (DOMAIN.md §7.1), Chinese errors.
- ``limit_errors(values)``: what a limit needs for its judgement type (a unit always; ≤ → max; ≥ → min;
  range → both, min ≤ max; n/c/m/M → n, c, m with c ≤ n and M ≥ m; no negative limits). ``limit_warnings``:
  what is advisable but not required (不得检出 without a detection limit cannot judge a "<x" result).
- ``standard_errors(standard)``: the code parses back to the same parts; the effective date is not before the
  publication; a superseded standard's ``superseded_by`` is a later version of the same prefix + number (+ part).

Each ``*_errors`` function returns ``{model field name: Chinese message}`` (empty when fine): forms attach the
message to the field, ``clean()`` raises ``ValidationError(errors)``, an API serializer turns it into a 400.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from decimal import Decimal
from typing import NamedTuple

from .choices import JudgementType, StandardPrefix

# ------------------------------------------------------------------------------------------------ standard codes
SUPPORTED_PREFIXES = "、".join(StandardPrefix.values)
CODE_EXAMPLES = "GB 2762-2022、GB 5009.12-2023、GB/T 22286-2008、DB33/ 3001-2015、T/ZJSP 001-2020、KJ 201706"


class StandardCodeError(ValueError):
    """A standard code that cannot be parsed: ``message`` is Chinese and names the field (标准编号)."""

    field = "code"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class StandardCode(NamedTuple):
    prefix: str
    number: str
    part: str
    year: int | None


# Longest prefixes first, so "GB/T" is not read as "GB" and "DBS33" not as "DB33".
_PREFIX_RE = re.compile(r"^(GB\s*/\s*T|GB|NY\s*/\s*T|SN\s*/\s*T|DBS\s*33|DB\s*33|KJ|T|Q)(?=[\s/\d]|$)")
# National, industry and Zhejiang local standards: a number, an optional part, a year (2 or 4 digits).
_NUMBERED_RE = re.compile(r"^/?\s*(?P<number>\d{1,6})(?:\.(?P<part>\d{1,4}))?(?:\s*-\s*(?P<year>\d{2}|\d{4}))?$")
# Group (T/) and enterprise (Q/) standards: an organisation code and a number, e.g. T/ZJSP 001-2020, Q/HNA 0001S-2021.
_ORG_RE = re.compile(r"^/\s*(?P<number>[A-Z][A-Z0-9]{0,9}\s+[A-Z0-9]{1,10})(?:\s*-\s*(?P<year>\d{4}))?$")
# SAMR quick-test methods: KJ yyyynn (the year is the first four digits), e.g. KJ 201706.
_KJ_RE = re.compile(r"^\s*(?P<number>(?P<year>\d{4})\d{2,3})$")
_CANONICAL_PREFIX = {"GB/T": "GB/T", "NY/T": "NY/T", "SN/T": "SN/T", "DBS33": "DBS33", "DB33": "DB33"}


def _normalise(text: str) -> str:
    """Full-width to half-width (NFKC), the dashes people type to "-", one space between parts, upper case."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"[\u2010-\u2015\u2212]", "-", text)
    return re.sub(r"\s+", " ", text).strip().upper()


def parse_standard_code(text, *, require_year: bool = True) -> StandardCode:
    """``"GB 2762-2022"`` → ``StandardCode("GB", "2762", "", 2022)``; ``"GB 5009.12-2023"`` → part ``"12"``.

    Accepts full-width characters and long dashes (``GB 2762—2022``), ``DB33/ 3001-2015`` (local), ``T/…`` and
    ``Q/…`` with their organisation code (kept in ``number``), ``KJ 201706`` (year from the number) and two-digit
    years of old standards (``GB 2760-96`` → 1996). ``require_year=False`` allows ``GB 2762`` (year ``None``), for
    searching every version. Raises ``StandardCodeError`` with a Chinese message otherwise.
    """
    raw = "" if text is None else str(text)
    code = _normalise(raw)
    if not code:
        raise StandardCodeError("标准编号不能为空")
    match = _PREFIX_RE.match(code)
    if not match:
        head = re.match(r"^[A-Z]+(?:\s*/\s*[A-Z]+)?", code)
        if head:
            raise StandardCodeError(f"无法识别的标准代号“{head.group(0)}”（支持 {SUPPORTED_PREFIXES}）")
        raise StandardCodeError(f"标准编号“{raw.strip()}”格式不正确，应如 {CODE_EXAMPLES}")
    prefix = re.sub(r"\s+", "", match.group(1))
    prefix = _CANONICAL_PREFIX.get(prefix, prefix)
    rest = code[match.end() :].strip()
    if prefix in ("DB33", "DBS33") and rest.startswith("/T"):
        raise StandardCodeError(f"“{prefix}/T”（推荐性地方标准）不在支持的标准代号内（支持 {SUPPORTED_PREFIXES}）")
    if prefix == "KJ":
        found = _KJ_RE.match(rest)
        if not found:
            raise StandardCodeError(f"快检方法编号“{raw.strip()}”格式不正确，应如 KJ 201706（年份 + 序号）")
        return StandardCode(prefix, found.group("number"), "", _year(found.group("year"), raw))
    if prefix in ("T", "Q"):
        found = _ORG_RE.match(rest)
        if not found:
            kind = "团体标准" if prefix == "T" else "企业标准"
            raise StandardCodeError(f"{kind}编号“{raw.strip()}”格式不正确，应如 {prefix}/ZJSP 001-2020")
        number, part, year_text = found.group("number"), "", found.group("year")
    else:
        found = _NUMBERED_RE.match(rest)
        if not found or (prefix not in ("DB33", "DBS33") and rest.startswith("/")):
            raise StandardCodeError(f"标准编号“{raw.strip()}”格式不正确，应如 {CODE_EXAMPLES}")
        number, part, year_text = found.group("number"), found.group("part") or "", found.group("year")
    if year_text is None:
        if require_year:
            raise StandardCodeError(f"标准编号“{raw.strip()}”缺少年代号（如 GB 2762-2022 中的 2022）")
        return StandardCode(prefix, number, part, None)
    return StandardCode(prefix, number, part, _year(year_text, raw))


def _year(text: str, raw: str) -> int:
    year = int(text)
    if len(text) == 2:
        year += 1900 if year >= 50 else 2000
    if not 1950 <= year <= 2100:
        raise StandardCodeError(f"标准编号“{raw.strip()}”的年代号 {year} 不在 1950–2100 之间")
    return year


def format_standard_code(prefix: str, number: str, part: str = "", year: int | None = None) -> str:
    """The printed form: ``GB 2762-2022``, ``GB/T 22286-2008``, ``DB33/ 3001-2015``, ``T/ZJSP 001-2020``, ``KJ 201706``."""
    if prefix == "KJ":
        return f"KJ {number}"
    body = f"{number}.{part}" if part else number
    if prefix in ("T", "Q"):
        head = f"{prefix}/{body}"
    elif prefix in ("DB33", "DBS33"):
        head = f"{prefix}/ {body}"
    else:
        head = f"{prefix} {body}"
    return head if year is None else f"{head}-{year}"


def standard_errors(standard) -> dict[str, str]:
    """Consistency of one ``Standard`` (saved or not): code format, dates, and the superseding version."""
    errors: dict[str, str] = {}
    prefix, number, part, year = (
        standard.prefix,
        (standard.number or "").strip(),
        (standard.part or "").strip(),
        standard.year,
    )
    if prefix and number and year:
        try:
            parsed = parse_standard_code(format_standard_code(prefix, number, part, year))
        except StandardCodeError as exc:
            errors["number"] = f"顺序号/部分号不符合标准编号格式：{exc.message}"
        else:
            if (parsed.prefix, parsed.number, parsed.part, parsed.year) != (prefix, number, part, year):
                errors["number"] = (
                    f"顺序号/部分号不符合标准编号格式（读作 "
                    f"{format_standard_code(parsed.prefix, parsed.number, parsed.part, parsed.year)}）"
                )
    if standard.publish_date and standard.effective_date and standard.effective_date < standard.publish_date:
        errors["effective_date"] = "实施日期不能早于发布日期"
    successor = standard.superseded_by if standard.superseded_by_id else None
    if successor is not None:
        if standard.pk is not None and successor.pk == standard.pk:
            errors["superseded_by"] = "被代替为：不能是本标准自己"
        elif (successor.prefix, successor.number, successor.part) != (prefix, number, part):
            errors["superseded_by"] = (
                f"被代替为：须是同一标准（{format_standard_code(prefix, number, part)}）的新版本，"
                f"不能是 {successor.code}"
            )
        elif year and successor.year <= year:
            errors["superseded_by"] = f"被代替为：须是晚于 {year} 年的版本，{successor.code} 不是"
        elif standard.effective_date and successor.effective_date <= standard.effective_date:
            errors["superseded_by"] = f"被代替为：{successor.code} 的实施日期须晚于本标准的实施日期"
    return errors


# ------------------------------------------------------------------------------------------------ categories
def category_errors(category) -> dict[str, str]:
    """The four levels (大类 / 亚类 / 次亚类 / 细类): a 大类 has no parent; the others sit one level below theirs."""
    errors: dict[str, str] = {}
    level, parent = category.level, category.parent if category.parent_id else None
    if level is None:
        return errors
    if level == 1 and parent is not None:
        errors["parent"] = "大类没有上级分类"
    elif level > 1 and parent is None:
        errors["parent"] = "亚类、次亚类、细类须选择上级分类"
    elif parent is not None and parent.level != level - 1:
        errors["parent"] = f"上级分类“{parent.name}”是第 {parent.level} 级，本分类须是第 {parent.level + 1} 级"
    elif parent is not None and category.pk is not None and parent.pk == category.pk:
        errors["parent"] = "上级分类不能是本分类自己"
    return errors


# ------------------------------------------------------------------------------------------------ test limits
LIMIT_FIELDS = (
    "judgement_type",
    "min_limit",
    "max_limit",
    "unit",
    "micro_n",
    "micro_c",
    "micro_m",
    "micro_big_m",
    "detection_limit",
    "detection_limit_unit",
)
FIELD_LABELS = {
    "judgement_type": "判定方式",
    "min_limit": "最小允许限",
    "max_limit": "最大允许限",
    "unit": "允许限单位",
    "micro_n": "n（样品数）",
    "micro_c": "c（允许超过 m 的样品数）",
    "micro_m": "m",
    "micro_big_m": "M",
    "detection_limit": "方法检出限",
    "detection_limit_unit": "检出限单位",
}
# Fields a judgement type does not read: set, they would be shown on the result and mislead (refused).
_UNUSED = {
    JudgementType.MAX: ("min_limit", "micro_n", "micro_c", "micro_m", "micro_big_m"),
    JudgementType.MIN: ("max_limit", "micro_n", "micro_c", "micro_m", "micro_big_m"),
    JudgementType.RANGE: ("micro_n", "micro_c", "micro_m", "micro_big_m"),
    JudgementType.NOT_DETECTED: ("min_limit", "max_limit", "micro_n", "micro_c", "micro_m", "micro_big_m"),
    JudgementType.MICRO: ("min_limit", "max_limit"),
}


def limit_values(obj) -> dict:
    """The limit fields of a ``TestLimit`` (or any object with those attributes) as a dict for the rules."""
    return {name: getattr(obj, name, None) for name in LIMIT_FIELDS}


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def limit_errors(values: Mapping) -> dict[str, str]:
    """The one rule for a limit, ``{field: Chinese message}``: the unit, the fields its judgement type needs (and
    not the ones it ignores), and their bounds. ``values`` maps the ``LIMIT_FIELDS`` to cleaned values (Decimal /
    int / str / None); missing keys count as empty."""
    get = values.get
    errors: dict[str, str] = {}
    kind = get("judgement_type")
    if _blank(get("unit")):
        errors["unit"] = "允许限单位不能为空"
    for name in ("min_limit", "max_limit", "micro_m", "micro_big_m", "detection_limit"):
        value = get(name)
        if value is not None and Decimal(value) < 0:
            errors[name] = f"{FIELD_LABELS[name]}不能为负数"
    if get("detection_limit") is not None and _blank(get("detection_limit_unit")):
        errors["detection_limit_unit"] = "已填方法检出限时，检出限单位不能为空"
    if _blank(kind):
        errors["judgement_type"] = "判定方式不能为空"
        return errors
    if kind not in JudgementType.values:
        errors["judgement_type"] = f"未知的判定方式：{kind}"
        return errors
    label = JudgementType(kind).label

    def need(name):
        if get(name) is None and name not in errors:
            errors[name] = f"判定方式为“{label}”时，{FIELD_LABELS[name]}不能为空"

    if kind == JudgementType.MAX:
        need("max_limit")
    elif kind == JudgementType.MIN:
        need("min_limit")
    elif kind == JudgementType.RANGE:
        need("min_limit")
        need("max_limit")
        lo, hi = get("min_limit"), get("max_limit")
        if lo is not None and hi is not None and "min_limit" not in errors and Decimal(lo) > Decimal(hi):
            errors["min_limit"] = "最小允许限不能大于最大允许限"
    elif kind == JudgementType.MICRO:
        for name in ("micro_n", "micro_c", "micro_m"):
            need(name)
        n, c, m, big_m = get("micro_n"), get("micro_c"), get("micro_m"), get("micro_big_m")
        if n is not None and int(n) < 1:
            errors["micro_n"] = "n（样品数）至少为 1"
        if n is not None and c is not None and "micro_n" not in errors and int(c) > int(n):
            errors["micro_c"] = "c（允许超过 m 的样品数）不能大于 n（样品数）"
        if m is not None and big_m is not None and "micro_m" not in errors and Decimal(big_m) < Decimal(m):
            errors["micro_big_m"] = "M 不能小于 m"
    for name in _UNUSED[JudgementType(kind)]:
        if get(name) is not None and name not in errors:
            errors[name] = f"判定方式为“{label}”时不使用{FIELD_LABELS[name]}，请留空"
    return errors


def limit_warnings(values: Mapping) -> dict[str, str]:
    """Advisable, not required: shown after saving (admin) or beside the form."""
    get = values.get
    warnings: dict[str, str] = {}
    kind = get("judgement_type")
    if kind == JudgementType.NOT_DETECTED and get("detection_limit") is None:
        warnings["detection_limit"] = "判定方式为“不得检出”时建议填写方法检出限：否则“<x”形式的结果只能判为问题项"
    dl, hi = get("detection_limit"), get("max_limit")
    same_unit = not _blank(get("unit")) and (get("detection_limit_unit") or "").strip() == (get("unit") or "").strip()
    if kind == JudgementType.MAX and dl is not None and hi is not None and same_unit and Decimal(dl) > Decimal(hi):
        warnings["detection_limit"] = "方法检出限高于最大允许限：该方法无法判定结果是否合格"
    return warnings
