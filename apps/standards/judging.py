"""Judging a test result against its limit (结果判定), written once: the page, the Excel import and the lab API all
call ``judge``; ``limit_in_force`` picks the standard version by the sample's production date (DOMAIN.md §7.5).

Values are the lab's text as reported: a number (``0.12``), ``未检出`` / ``ND`` (not detected), or ``<x`` / ``＜x``
(below a reporting bound). Bad input raises ``JudgementError`` with a Chinese message naming the field; nothing is
guessed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from .choices import JudgementType, Verdict

NOT_DETECTED_WORDS = frozenset({"未检出", "nd", "n.d.", "未检出（nd）", "阴性", "-"})


class JudgementError(ValueError):
    """Bad input for a judgement: ``field`` names the input, ``message`` is Chinese."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Reading:
    """A parsed result: ``value`` (None when not detected), ``below`` (``<x``: the true value is under ``value``)."""

    value: Decimal | None
    below: bool = False

    @property
    def not_detected(self) -> bool:
        return self.value is None


@dataclass(frozen=True)
class Judgement:
    verdict: str  # Verdict value
    explanation: str
    reading: Reading | None = None


def parse_reading(text, *, field: str = "检验结果") -> Reading:
    raw = "" if text is None else str(text).strip()
    if not raw:
        raise JudgementError(field, f"{field}不能为空")
    low = raw.lower()
    if low in NOT_DETECTED_WORDS:
        return Reading(None)
    below = raw[0] in "<＜"
    number = raw[1:].strip() if below else raw
    try:
        value = Decimal(number)
    except InvalidOperation:
        raise JudgementError(field, f"{field}“{raw}”不是数值，也不是“未检出”或“<检出限”") from None
    if not value.is_finite():
        raise JudgementError(field, f"{field}“{raw}”不是有限数值")
    if value < 0:
        raise JudgementError(field, f"{field}不能为负数：{raw}")
    return Reading(value, below=below)


def limit_in_force(test_item, production_date: dt.date):
    """The test item's limit under the newest judging standard in force on ``production_date``: food made before a
    new version takes effect is judged by the old one. None if the item has no limit in force on that day."""
    limits = [lim for lim in test_item.limits.all() if lim.judging_standard.effective_date <= production_date]
    if not limits:
        return None
    return max(limits, key=lambda lim: lim.judging_standard.effective_date)


def _fmt(value: Decimal | None) -> str:
    return "" if value is None else format(value.normalize(), "f")


def _check_unit(limit, unit: str | None) -> None:
    if unit is None or not limit.unit:
        return
    if unit.strip() and unit.strip() != limit.unit:
        raise JudgementError("结果单位", f"结果单位“{unit}”与允许限单位“{limit.unit}”不一致")


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
    lo, hi = limit.min_limit, limit.max_limit
    unit_text = limit.unit
    if kind == JudgementType.MAX:
        if hi is None:
            raise JudgementError("最大允许限", "判定方式为“≤ 限量”但未设最大允许限")
        if reading.not_detected or reading.value <= hi:
            return Judgement(Verdict.QUALIFIED, f"≤ {_fmt(hi)} {unit_text}".strip(), reading)
        if reading.below:  # "<x" with x above the limit: the true value may be either side
            return Judgement(Verdict.PROBLEM, f"报告值“<{_fmt(reading.value)}”高于限量 {_fmt(hi)}，无法判定", reading)
        return Judgement(Verdict.UNQUALIFIED, f"超过最大允许限 {_fmt(hi)} {unit_text}".strip(), reading)
    if kind == JudgementType.MIN:
        if lo is None:
            raise JudgementError("最小允许限", "判定方式为“≥ 限量”但未设最小允许限")
        if reading.not_detected or reading.value < lo or (reading.below and reading.value <= lo):
            return Judgement(Verdict.UNQUALIFIED, f"低于最小允许限 {_fmt(lo)} {unit_text}".strip(), reading)
        if reading.below:
            return Judgement(Verdict.PROBLEM, f"报告值“<{_fmt(reading.value)}”无法确定是否达到 {_fmt(lo)}", reading)
        return Judgement(Verdict.QUALIFIED, f"≥ {_fmt(lo)} {unit_text}".strip(), reading)
    if kind == JudgementType.RANGE:
        if lo is None or hi is None:
            raise JudgementError("允许限", "判定方式为“限量范围内”但未同时设最小、最大允许限")
        if reading.not_detected or reading.value < lo or (reading.below and reading.value <= lo):
            return Judgement(Verdict.UNQUALIFIED, f"低于 {_fmt(lo)}–{_fmt(hi)} {unit_text} 范围".strip(), reading)
        if reading.below:
            return Judgement(Verdict.PROBLEM, f"报告值“<{_fmt(reading.value)}”无法确定是否在范围内", reading)
        if reading.value > hi:
            return Judgement(Verdict.UNQUALIFIED, f"高于 {_fmt(lo)}–{_fmt(hi)} {unit_text} 范围".strip(), reading)
        return Judgement(Verdict.QUALIFIED, f"在 {_fmt(lo)}–{_fmt(hi)} {unit_text} 范围内".strip(), reading)
    raise JudgementError("判定方式", f"未知的判定方式：{kind}")


def _judge_not_detected(limit, reading: Reading) -> Judgement:
    """不得检出: not detected, or a value below the method's detection limit, is qualified."""
    dl = limit.detection_limit
    if reading.not_detected:
        return Judgement(Verdict.QUALIFIED, "未检出", reading)
    if reading.below and dl is not None and reading.value <= dl:
        return Judgement(Verdict.QUALIFIED, f"低于检出限 {_fmt(dl)} {limit.detection_limit_unit}".strip(), reading)
    if dl is not None and reading.value < dl:
        return Judgement(Verdict.QUALIFIED, f"低于检出限 {_fmt(dl)} {limit.detection_limit_unit}".strip(), reading)
    return Judgement(Verdict.UNQUALIFIED, "不得检出，但检出", reading)


def _judge_micro(limit, micro_values) -> Judgement:
    """n/c/m/M (GB 29921): unqualified if any of the n results exceeds M, or more than c exceed m.
    A two-class plan (M unset) fails when more than c results exceed m."""
    n, c, m, big_m = limit.micro_n, limit.micro_c, limit.micro_m, limit.micro_big_m
    if n is None or c is None or m is None:
        raise JudgementError("n/c/m/M", "微生物判定须设置 n、c、m")
    values = list(micro_values or [])
    if len(values) != n:
        raise JudgementError("微生物各样品结果", f"须录入 n={n} 个样品的结果，实际 {len(values)} 个")
    readings = [parse_reading(v, field=f"第 {i} 个样品结果") for i, v in enumerate(values, start=1)]

    def exceeds(r: Reading, bound: Decimal) -> bool:
        return not r.not_detected and not (r.below and r.value <= bound) and r.value > bound

    if big_m is not None and any(exceeds(r, big_m) for r in readings):
        return Judgement(Verdict.UNQUALIFIED, f"有样品超过 M={_fmt(big_m)} {limit.unit}".strip())
    over_m = sum(1 for r in readings if exceeds(r, m))
    if over_m > c:
        return Judgement(Verdict.UNQUALIFIED, f"{over_m} 个样品超过 m={_fmt(m)}，允许 c={c} 个".strip())
    return Judgement(Verdict.QUALIFIED, f"n={n} c={c} m={_fmt(m)}" + (f" M={_fmt(big_m)}" if big_m is not None else ""))
