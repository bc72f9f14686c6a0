"""Judging a test result against its limit (结果判定), written once: the page, the Excel import and the lab API all
call ``judge``; ``limit_in_force`` picks the standard version by the sample's production date (DOMAIN.md §7.5).

Values are the lab's text as reported: a number (``0.12``, ``1.2×10^4``, ``1.2×10⁴``, ``1.2E4``), ``未检出`` / ``ND``
/ ``阴性`` (not detected), ``检出`` / ``阳性`` (detected, qualitative: 沙门氏菌), or ``<x`` / ``＜x`` (below a
reporting bound). Bad input raises ``JudgementError`` with a Chinese message naming the field; nothing is guessed.

The verdicts:

- ``≤ 限量`` (max): value ≤ max is 合格 (at the limit too); above is 不合格; ``<x`` with x ≤ max is 合格, with x > max
  问题项 (the true value may be on either side); 未检出 is 合格.
- ``≥ 限量`` (min): value ≥ min is 合格; below 不合格; 未检出 counts as 0; ``<x`` with x ≤ min is 不合格, else 问题项.
- range: min ≤ value ≤ max (both ends included); 未检出 counts as 0; ``<x`` with x ≤ min is 不合格, else 问题项.
- 不得检出: 未检出, 0, or a value below the method's detection limit is 合格; a value at or above it, or ``检出``,
  is 不合格; ``<x`` is 合格 when x ≤ the detection limit, and 问题项 when x is above it or no detection limit is set.
- n/c/m/M (GB 4789.1, GB 29921): the n results; 不合格 if any exceeds M, or more than c exceed m (m < x ≤ M is
  "exceeding m"; x = m does not exceed it). Without M, a two-class plan: 不合格 when more than c exceed m. A ``<x``
  result that may or may not exceed a bound makes the verdict 问题项 only when it could change it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from .choices import JudgementType, Verdict

NOT_DETECTED_WORDS = frozenset({"未检出", "nd", "n.d.", "未检出（nd）", "未检出(nd)", "阴性", "-", "—"})
DETECTED_WORDS = frozenset({"检出", "阳性", "+"})
_SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
_SUPERSCRIPT_RUN = re.compile(r"[⁰¹²³⁴⁵⁶⁷⁸⁹⁻]+")
# 1.2×10^4, 1.2×10⁴, 1.2x10^4, 1.2*10^4, 10^4, 10⁴ (the power needs "^" or superscript digits: "104" is a number)
_POWER_RE = re.compile(r"^(?:(?P<coef>\d+(?:\.\d+)?)\s*[×xX*]\s*)?10\s*\^\s*(?P<exp>-?\d+)$")


class JudgementError(ValueError):
    """Bad input for a judgement: ``field`` names the input, ``message`` is Chinese."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Reading:
    """A parsed result: ``value`` (None when not detected or only "检出"), ``below`` (``<x``: the true value is under
    ``value``), ``detected`` (a qualitative "检出" / "阳性" without a number)."""

    value: Decimal | None
    below: bool = False
    detected: bool = False

    @property
    def not_detected(self) -> bool:
        return self.value is None and not self.detected


@dataclass(frozen=True)
class Judgement:
    verdict: str  # Verdict value
    explanation: str
    reading: Reading | None = None


def _number(text: str) -> Decimal | None:
    text = _SUPERSCRIPT_RUN.sub(lambda run: "^" + run.group(0).translate(_SUPERSCRIPT), text).replace(" ", "")
    power = _POWER_RE.match(text)
    if power:
        return Decimal(power.group("coef") or "1").scaleb(int(power.group("exp")))
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def parse_reading(text, *, field: str = "检验结果") -> Reading:
    raw = "" if text is None else str(text).strip()
    if not raw:
        raise JudgementError(field, f"{field}不能为空")
    low = raw.lower()
    if low in NOT_DETECTED_WORDS:
        return Reading(None)
    if low in DETECTED_WORDS:
        return Reading(None, detected=True)
    below = raw[0] in "<＜"
    number = raw[1:].strip() if below else raw
    value = _number(number)
    if value is None:
        raise JudgementError(field, f"{field}“{raw}”不是数值，也不是“未检出”“检出”或“<检出限”")
    if not value.is_finite():
        raise JudgementError(field, f"{field}“{raw}”不是有限数值")
    if value < 0:
        raise JudgementError(field, f"{field}不能为负数：{raw}")
    return Reading(value, below=below)


def limit_in_force(test_item, production_date: dt.date):
    """The test item's limit under the newest judging standard in force on ``production_date``: food made before a
    new version takes effect is judged by the old one; on the day it takes effect, by the new one. None if the item
    has no limit in force on that day (made before any version). Reads ``test_item.limits.all()`` (prefetch
    ``limits__judging_standard`` for lists)."""
    if production_date is None:
        raise JudgementError("生产日期", "缺少生产日期，无法选择判定标准的版本")
    if isinstance(production_date, dt.datetime):
        production_date = production_date.date()
    limits = [lim for lim in test_item.limits.all() if lim.judging_standard.effective_date <= production_date]
    if not limits:
        return None
    return max(limits, key=lambda lim: (lim.judging_standard.effective_date, lim.judging_standard.year, lim.pk or 0))


def _fmt(value: Decimal | None) -> str:
    if value is None:
        return ""
    return format(value.normalize(), "f")


def _unit_key(unit: str) -> str:
    return unit.strip().replace("µ", "μ").replace(" ", "").casefold().replace("ug/", "μg/")


def _check_unit(limit, unit: str | None) -> None:
    if unit is None or not limit.unit or not unit.strip():
        return
    if _unit_key(unit) != _unit_key(limit.unit):
        raise JudgementError("结果单位", f"结果单位“{unit.strip()}”与允许限单位“{limit.unit}”不一致")


def _with_unit(text: str, unit: str) -> str:
    return f"{text} {unit}".strip()


def judge(limit, *, value_text=None, micro_values=None, unit: str | None = None) -> Judgement:
    """Judge one result against ``limit`` (a ``TestLimit``). ``micro_values`` are the n results of a
    microbiological n/c/m/M plan; the others take ``value_text``. ``unit``, when given, must equal the limit's."""
    _check_unit(limit, unit)
    kind = limit.judgement_type
    if kind == JudgementType.MICRO:
        return _judge_micro(limit, micro_values)
    reading = parse_reading(value_text)
    if kind == JudgementType.NOT_DETECTED:
        return _judge_not_detected(limit, reading)
    if kind not in (JudgementType.MAX, JudgementType.MIN, JudgementType.RANGE):
        raise JudgementError("判定方式", f"未知的判定方式：{kind}")
    if reading.detected:
        raise JudgementError("检验结果", f"判定方式为“{JudgementType(kind).label}”时须录入数值结果，不能只写“检出”")
    lo, hi = limit.min_limit, limit.max_limit
    u = limit.unit
    if kind == JudgementType.MAX:
        if hi is None:
            raise JudgementError("最大允许限", "判定方式为“≤ 限量”但未设最大允许限")
        if reading.not_detected:
            return Judgement(Verdict.QUALIFIED, _with_unit(f"未检出，≤ {_fmt(hi)}", u), reading)
        if reading.value <= hi:
            shown = f"<{_fmt(reading.value)}" if reading.below else _fmt(reading.value)
            return Judgement(Verdict.QUALIFIED, _with_unit(f"{shown} ≤ {_fmt(hi)}", u), reading)
        if reading.below:  # "<x" with x above the limit: the true value may be either side
            return Judgement(
                Verdict.PROBLEM,
                f"报告值“<{_fmt(reading.value)}”高于最大允许限 {_with_unit(_fmt(hi), u)}，无法判定",
                reading,
            )
        return Judgement(
            Verdict.UNQUALIFIED,
            f"{_with_unit(_fmt(reading.value), u)} 超过最大允许限 {_with_unit(_fmt(hi), u)}",
            reading,
        )
    if kind == JudgementType.MIN:
        if lo is None:
            raise JudgementError("最小允许限", "判定方式为“≥ 限量”但未设最小允许限")
        return _judge_lower_bound(reading, lo, u, upper=None)
    if lo is None or hi is None:
        raise JudgementError("允许限", "判定方式为“限量范围内”但未同时设最小、最大允许限")
    return _judge_lower_bound(reading, lo, u, upper=hi)


def _judge_lower_bound(reading: Reading, lo: Decimal, u: str, *, upper: Decimal | None) -> Judgement:
    """≥ lo (upper None) or lo ≤ value ≤ upper. Not detected counts as 0."""
    span = f"≥ {_fmt(lo)}" if upper is None else f"{_fmt(lo)}–{_fmt(upper)}"
    value = Decimal(0) if reading.not_detected else reading.value
    shown = "未检出" if reading.not_detected else (f"<{_fmt(value)}" if reading.below else _fmt(value))
    if reading.below:
        if value <= lo:
            return Judgement(Verdict.UNQUALIFIED, _with_unit(f"报告值“{shown}”低于 {span}", u), reading)
        doubt = f"达到 {_with_unit(span, u)}" if upper is None else f"在 {_with_unit(span, u)} 范围内"
        return Judgement(Verdict.PROBLEM, f"报告值“{shown}”无法确定是否{doubt}", reading)
    if value < lo:
        word = "低于最小允许限" if upper is None else "低于允许范围"
        return Judgement(Verdict.UNQUALIFIED, _with_unit(f"{shown} {word} {span}", u), reading)
    if upper is not None and value > upper:
        return Judgement(Verdict.UNQUALIFIED, _with_unit(f"{shown} 高于允许范围 {span}", u), reading)
    where = span if upper is None else f"在 {span} 范围内"
    return Judgement(Verdict.QUALIFIED, _with_unit(f"{shown} {where}", u), reading)


def _judge_not_detected(limit, reading: Reading) -> Judgement:
    """不得检出: not detected, 0, or a value below the method's detection limit is qualified."""
    dl = limit.detection_limit
    dl_text = _with_unit(_fmt(dl), limit.detection_limit_unit or limit.unit)
    if reading.not_detected or (reading.value is not None and reading.value == 0 and not reading.below):
        return Judgement(Verdict.QUALIFIED, "未检出", reading)
    if reading.detected:
        return Judgement(Verdict.UNQUALIFIED, "不得检出，但检出", reading)
    if reading.below:
        if dl is not None and reading.value <= dl:
            return Judgement(Verdict.QUALIFIED, f"低于检出限 {dl_text}，未检出", reading)
        if dl is None:
            return Judgement(
                Verdict.PROBLEM, f"报告值“<{_fmt(reading.value)}”，但未设方法检出限，无法判定是否检出", reading
            )
        return Judgement(
            Verdict.PROBLEM, f"报告值“<{_fmt(reading.value)}”高于方法检出限 {dl_text}，无法判定是否检出", reading
        )
    if dl is not None and reading.value < dl:
        return Judgement(Verdict.QUALIFIED, f"低于检出限 {dl_text}，未检出", reading)
    return Judgement(Verdict.UNQUALIFIED, _with_unit(f"不得检出，但检出 {_fmt(reading.value)}", limit.unit), reading)


def _exceeds(r: Reading, bound: Decimal, field: str) -> bool | None:
    """True / False, or None when a "<x" result may be on either side of ``bound``."""
    if r.not_detected:
        return False
    if r.detected:
        if bound == 0:
            return True
        raise JudgementError(field, f"{field}须为计数值（m={_fmt(bound)}），不能只写“检出”")
    if r.below:
        return False if r.value <= bound else None
    return r.value > bound


def _judge_micro(limit, micro_values) -> Judgement:
    """n/c/m/M (GB 29921): unqualified if any of the n results exceeds M, or more than c exceed m.
    A two-class plan (M unset) fails when more than c results exceed m."""
    n, c, m, big_m = limit.micro_n, limit.micro_c, limit.micro_m, limit.micro_big_m
    if n is None or c is None or m is None:
        raise JudgementError("n/c/m/M", "微生物判定须设置 n、c、m")
    if isinstance(micro_values, str | bytes):
        raise JudgementError("微生物各样品结果", f"须分别录入 n={n} 个样品的结果")
    values = list(micro_values or [])
    if len(values) != n:
        raise JudgementError("微生物各样品结果", f"须录入 n={n} 个样品的结果，实际 {len(values)} 个")
    fields = [f"第 {i} 个样品结果" for i in range(1, n + 1)]
    readings = [parse_reading(v, field=f) for v, f in zip(values, fields, strict=True)]
    plan = f"n={n} c={c} m={_fmt(m)}" + (f" M={_fmt(big_m)}" if big_m is not None else "")
    plan = _with_unit(plan, limit.unit)
    over_big = [_exceeds(r, big_m, f) for r, f in zip(readings, fields, strict=True)] if big_m is not None else []
    over_m = [_exceeds(r, m, f) for r, f in zip(readings, fields, strict=True)]
    sure_big, maybe_big = over_big.count(True), over_big.count(None)
    sure_m, maybe_m = over_m.count(True), over_m.count(None)
    if sure_big:
        return Judgement(Verdict.UNQUALIFIED, f"{sure_big} 个样品超过 M={_fmt(big_m)}（{plan}）")
    if sure_m > c:
        return Judgement(Verdict.UNQUALIFIED, f"{sure_m} 个样品超过 m={_fmt(m)}，多于 c={c}（{plan}）")
    if maybe_big or sure_m + maybe_m > c:
        return Judgement(Verdict.PROBLEM, f"有“<x”形式的结果无法确定是否超过 m 或 M（{plan}）")
    return Judgement(Verdict.QUALIFIED, f"{sure_m} 个样品超过 m，不多于 c={c}（{plan}）")
