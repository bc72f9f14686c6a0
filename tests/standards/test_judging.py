"""judge() at and around every limit, for each judgement type (issue 10 point 12), and limit_in_force() by production
date. Most cases need no database: judge() only reads the limit's fields, so an unsaved TestLimit will do."""

import datetime as dt
from decimal import Decimal

import pytest

from apps.standards.choices import JudgementType, Verdict
from apps.standards.judging import JudgementError, judge, limit_in_force, parse_reading
from apps.standards.models import TestLimit
from tests.factories import sampling as factories

Q, U, P = Verdict.QUALIFIED, Verdict.UNQUALIFIED, Verdict.PROBLEM


def limit(kind, **fields):
    fields.setdefault("unit", "mg/kg")
    return TestLimit(judgement_type=kind, **fields)


def d(text):
    return Decimal(text)


def verdict(lim, value):
    return judge(lim, value_text=value).verdict


# ------------------------------------------------------------------------------------------------ ≤ limit (max)
MAX_03 = limit(JudgementType.MAX, max_limit=d("0.3"))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0.3", Q),  # at the limit
        ("0.30", Q),  # the same value written with another precision
        ("0.300000", Q),
        ("0.2", Q),  # one step below, in the limit's precision
        ("0.4", U),  # one step above
        ("0.29", Q),
        ("0.31", U),
        ("0.300001", U),  # any excess is an excess
        ("0", Q),
        ("未检出", Q),
        ("ND", Q),
        ("<0.3", Q),  # "<x" with x at the limit: the true value is below it
        ("<0.2", Q),
        ("＜0.31", P),  # "<x" above the limit: either side
        ("<0.4", P),
        ("3E-1", Q),
        ("3.1×10^-1", U),
    ],
)
def test_max_limit_at_and_around(value, expected):
    assert verdict(MAX_03, value) == expected


def test_max_limit_explains_with_the_unit():
    result = judge(MAX_03, value_text="0.31", unit="mg/kg")
    assert result.verdict == U and "0.31 mg/kg" in result.explanation and "0.3 mg/kg" in result.explanation
    assert result.reading.value == d("0.31")


def test_max_limit_without_max_is_an_error_naming_the_field():
    with pytest.raises(JudgementError) as exc:
        judge(limit(JudgementType.MAX), value_text="0.1")
    assert exc.value.field == "最大允许限"


def test_max_limit_refuses_a_qualitative_detected():
    with pytest.raises(JudgementError) as exc:
        judge(MAX_03, value_text="检出")
    assert exc.value.field == "检验结果" and "数值" in exc.value.message


# ------------------------------------------------------------------------------------------------ ≥ limit (min)
MIN_04 = limit(JudgementType.MIN, min_limit=d("0.40"), unit="g/100mL")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0.40", Q),
        ("0.4", Q),
        ("0.39", U),
        ("0.41", Q),
        ("0.3", U),
        ("0.5", Q),
        ("0.399999", U),
        ("未检出", U),  # counts as 0
        ("<0.40", U),  # below x ≤ min: surely below
        ("<0.3", U),
        ("<0.41", P),  # may be on either side
        ("<1", P),
    ],
)
def test_min_limit_at_and_around(value, expected):
    assert verdict(MIN_04, value) == expected


def test_min_limit_without_min_is_an_error():
    with pytest.raises(JudgementError) as exc:
        judge(limit(JudgementType.MIN), value_text="1")
    assert exc.value.field == "最小允许限"


# ------------------------------------------------------------------------------------------------ range
RANGE_18_33 = limit(JudgementType.RANGE, min_limit=d("18"), max_limit=d("33"))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("18", Q),
        ("33", Q),
        ("17", U),
        ("34", U),
        ("19", Q),
        ("32", Q),
        ("17.9", U),
        ("33.1", U),
        ("25", Q),
        ("未检出", U),
        ("<18", U),
        ("<17", U),
        ("<19", P),
        ("<40", P),
    ],
)
def test_range_at_and_around_both_ends(value, expected):
    assert verdict(RANGE_18_33, value) == expected


def test_range_needs_both_ends():
    with pytest.raises(JudgementError) as exc:
        judge(limit(JudgementType.RANGE, min_limit=d("1")), value_text="2")
    assert exc.value.field == "允许限"


def test_range_from_zero_accepts_not_detected():
    assert verdict(limit(JudgementType.RANGE, min_limit=d("0"), max_limit=d("1")), "未检出") == Q


# ------------------------------------------------------------------------------------------------ 不得检出
ND_DL = limit(JudgementType.NOT_DETECTED, unit="g/kg", detection_limit=d("0.005"), detection_limit_unit="g/kg")
ND_NO_DL = limit(JudgementType.NOT_DETECTED, unit="μg/kg")


@pytest.mark.parametrize(
    ("lim", "value", "expected"),
    [
        (ND_DL, "未检出", Q),
        (ND_DL, "nd", Q),
        (ND_DL, "阴性", Q),
        (ND_DL, "0", Q),
        (ND_DL, "0.004", Q),  # one step below the detection limit: not detected
        (ND_DL, "0.005", U),  # at the detection limit: detected
        (ND_DL, "0.006", U),
        (ND_DL, "<0.005", Q),  # "<x" at the detection limit
        (ND_DL, "<0.004", Q),
        (ND_DL, "<0.006", P),  # "<x" above it: detected or not, unknown
        (ND_DL, "<0.01", P),
        (ND_DL, "检出", U),
        (ND_DL, "阳性", U),
        (ND_NO_DL, "未检出", Q),
        (ND_NO_DL, "0.1", U),
        (ND_NO_DL, "<0.5", P),  # without a detection limit "<x" cannot be judged
        (ND_NO_DL, "检出", U),
    ],
)
def test_not_detected_around_the_detection_limit(lim, value, expected):
    assert verdict(lim, value) == expected


# ------------------------------------------------------------------------------------------------ n / c / m / M
# 菌落总数 in pastry (GB 7099): n=5, c=2, m=10^4, M=10^5 CFU/g.
MICRO = limit(JudgementType.MICRO, unit="CFU/g", micro_n=5, micro_c=2, micro_m=d("10000"), micro_big_m=d("100000"))
TWO_CLASS = limit(JudgementType.MICRO, unit="CFU/g", micro_n=5, micro_c=1, micro_m=d("100"))
SALMONELLA = limit(JudgementType.MICRO, unit="/25g", micro_n=5, micro_c=0, micro_m=d("0"))


def micro(lim, values):
    return judge(lim, micro_values=values).verdict


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["10000"] * 5, Q),  # all at m: none exceeds m
        (["10001", "10001", "10000", "10000", "10000"], Q),  # exactly c over m
        (["10001", "10001", "10001", "10000", "10000"], U),  # c + 1 over m
        (["100000", "100000", "10", "10", "10"], Q),  # at M counts as "over m", not over M
        (["100001", "10", "10", "10", "10"], U),  # one over M
        (["1.0×10^5", "5×10⁴", "<10", "未检出", "10"], Q),
        (["1.1×10⁵", "10", "10", "10", "10"], U),
        (["<10", "<10", "<10", "<10", "<10"], Q),
        (["<20000", "10", "10", "10", "10"], Q),  # one uncertain over m, still ≤ c
        (["<20000", "<20000", "<20000", "10", "10"], P),  # could be c + 1 over m
        (["<200000", "10", "10", "10", "10"], P),  # could be over M
        (["20000", "20000", "<200000", "10", "10"], P),
        (["20000", "20000", "20000", "<200000", "10"], U),  # certainly c + 1 over m already
    ],
)
def test_three_class_plan(values, expected):
    assert micro(MICRO, values) == expected


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["100"] * 5, Q),
        (["101", "100", "100", "100", "100"], Q),  # c = 1 over m
        (["101", "101", "100", "100", "100"], U),  # c + 1
        (["1000000", "1", "1", "1", "1"], Q),  # no M: one far over m is still only one
    ],
)
def test_two_class_plan(values, expected):
    assert micro(TWO_CLASS, values) == expected


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["未检出"] * 5, Q),
        (["阴性"] * 5, Q),
        (["检出", "未检出", "未检出", "未检出", "未检出"], U),
        (["阳性", "未检出", "未检出", "未检出", "未检出"], U),
    ],
)
def test_salmonella_zero_in_25g(values, expected):
    assert micro(SALMONELLA, values) == expected


@pytest.mark.parametrize("count", [0, 4, 6])
def test_micro_needs_exactly_n_results(count):
    with pytest.raises(JudgementError) as exc:
        judge(MICRO, micro_values=["10"] * count)
    assert exc.value.field == "微生物各样品结果" and "n=5" in exc.value.message


def test_micro_refuses_a_single_string_and_names_the_bad_sample():
    with pytest.raises(JudgementError):
        judge(MICRO, micro_values="1000")
    with pytest.raises(JudgementError) as exc:
        judge(MICRO, micro_values=["10", "10", "很多", "10", "10"])
    assert exc.value.field == "第 3 个样品结果"
    with pytest.raises(JudgementError) as exc:
        judge(MICRO, micro_values=["检出", "10", "10", "10", "10"])  # a count is needed when m > 0
    assert exc.value.field == "第 1 个样品结果"


def test_micro_without_its_plan_is_an_error():
    with pytest.raises(JudgementError) as exc:
        judge(limit(JudgementType.MICRO, micro_n=5), micro_values=["1"] * 5)
    assert exc.value.field == "n/c/m/M"


# ------------------------------------------------------------------------------------------------ input and units
@pytest.mark.parametrize("text", [None, "", "   "])
def test_empty_result_is_refused(text):
    with pytest.raises(JudgementError) as exc:
        judge(MAX_03, value_text=text)
    assert exc.value.field == "检验结果" and "不能为空" in exc.value.message


@pytest.mark.parametrize("text", ["abc", "0.3mg", "1,000", "NaN", "Infinity", "-0.1", "104x"])
def test_unreadable_or_negative_results_are_refused(text):
    with pytest.raises(JudgementError) as exc:
        judge(MAX_03, value_text=text)
    assert exc.value.field == "检验结果"


@pytest.mark.parametrize(
    ("text", "value"),
    [("105", "105"), ("1.2×10^4", "12000"), ("1.2×10⁴", "12000"), ("10⁴", "10000"), ("1.2E4", "12000")],
)
def test_powers_of_ten_are_read(text, value):
    assert parse_reading(text).value == d(value)


def test_unit_must_match_the_limit():
    with pytest.raises(JudgementError) as exc:
        judge(MAX_03, value_text="0.1", unit="g/kg")
    assert exc.value.field == "结果单位"
    # the same unit written differently is accepted
    assert judge(MAX_03, value_text="0.1", unit=" MG/KG ").verdict == Q
    ug = limit(JudgementType.MAX, max_limit=d("20"), unit="μg/kg")
    assert judge(ug, value_text="5", unit="ug/kg").verdict == Q
    assert judge(ug, value_text="5", unit="µg/kg").verdict == Q  # the micro sign
    assert judge(ug, value_text="5", unit="").verdict == Q  # no unit given: nothing to compare


# ------------------------------------------------------------------------------------------------ every starter limit
def _step(value: Decimal) -> Decimal:
    """One step in the value's precision: 0.3 → 0.1, 0.075 → 0.001, 20 → 1."""
    exponent = value.normalize().as_tuple().exponent
    return Decimal(1).scaleb(min(exponent, 0))


def _fmt(value: Decimal) -> str:
    return format(value.normalize(), "f")


@pytest.mark.django_db
def test_every_starter_limit_judges_at_and_around_its_bounds():
    """Each limit of the starter catalogue, at its bound and one step either side (the figures the sampling
    pages will meet first). Collected, so one run lists every limit that misbehaves."""
    problems = []
    limits = TestLimit.objects.select_related("test_item", "judging_standard")
    assert limits.count() >= 90

    def expect(lim, expected, *, value=None, values=None):
        got = judge(lim, value_text=value, micro_values=values).verdict
        if got != expected:
            problems.append(
                f"{lim.test_item.code} {lim.judging_standard.code}: {value or values} → {got}, not {expected}"
            )

    for lim in limits:
        kind = lim.judgement_type
        if kind == JudgementType.MAX:
            hi, step = lim.max_limit, _step(lim.max_limit)
            expect(lim, Q, value=_fmt(hi))
            expect(lim, U, value=_fmt(hi + step))
            expect(lim, Q, value=_fmt(max(hi - step, Decimal(0))))
            expect(lim, Q, value="未检出")
            expect(lim, Q, value=f"<{_fmt(hi)}")
            expect(lim, P, value=f"<{_fmt(hi + step)}")
        elif kind == JudgementType.MIN:
            lo, step = lim.min_limit, _step(lim.min_limit)
            expect(lim, Q, value=_fmt(lo))
            expect(lim, U, value=_fmt(lo - step))
            expect(lim, Q, value=_fmt(lo + step))
            expect(lim, U, value="未检出")
        elif kind == JudgementType.RANGE:
            lo, hi = lim.min_limit, lim.max_limit
            step = min(_step(lo), _step(hi))
            for value, expected in ((lo, Q), (hi, Q), (lo - step, U), (hi + step, U), (lo + step, Q), (hi - step, Q)):
                expect(lim, expected, value=_fmt(value))
        elif kind == JudgementType.NOT_DETECTED:
            dl = lim.detection_limit
            expect(lim, Q, value="未检出")
            expect(lim, U, value="检出")
            expect(lim, U, value=_fmt(dl))
            expect(lim, Q, value=_fmt(dl - _step(dl)))
            expect(lim, Q, value=f"<{_fmt(dl)}")
            expect(lim, P, value=f"<{_fmt(dl + _step(dl))}")
        else:
            n, c, m, big_m = lim.micro_n, lim.micro_c, lim.micro_m, lim.micro_big_m
            over_m = _fmt(m + _step(m))
            expect(lim, Q, values=[_fmt(m)] * n)
            expect(lim, Q, values=[over_m] * c + [_fmt(m)] * (n - c))
            expect(lim, U, values=[over_m] * (c + 1) + [_fmt(m)] * (n - c - 1))
            if big_m is not None:
                expect(lim, U, values=[_fmt(big_m + _step(big_m))] + [_fmt(m)] * (n - 1))
                if c >= 1:
                    expect(lim, Q, values=[_fmt(big_m)] + [_fmt(m)] * (n - 1))
            try:
                judge(lim, micro_values=[_fmt(m)] * (n + 1))
                problems.append(f"{lim.test_item.code}: n + 1 results accepted")
            except JudgementError:
                pass
    assert not problems, "\n".join(problems)


# ------------------------------------------------------------------------------------------------ limit_in_force
@pytest.mark.django_db
def test_limit_in_force_follows_the_production_date():
    item = factories.TestItemFactory()
    old = factories.TestLimitFactory(
        test_item=item,
        judging_standard=factories.StandardFactory(number="92762", year=2017, effective_date=dt.date(2017, 9, 17)),
        max_limit=d("0.05"),
    )
    new = factories.TestLimitFactory(
        test_item=item,
        judging_standard=factories.StandardFactory(number="92762", year=2022, effective_date=dt.date(2023, 6, 30)),
        max_limit=d("0.02"),
    )
    item = type(item).objects.prefetch_related("limits__judging_standard").get(pk=item.pk)
    assert limit_in_force(item, dt.date(2023, 6, 29)) == old  # the day before the new version: old limit
    assert limit_in_force(item, dt.date(2023, 6, 30)) == new  # on the day: new limit
    assert limit_in_force(item, dt.date(2026, 1, 1)) == new
    assert limit_in_force(item, dt.date(2017, 9, 17)) == old
    assert limit_in_force(item, dt.date(2017, 9, 16)) is None  # before any version
    assert limit_in_force(item, dt.datetime(2023, 6, 30, 8, 0)) == new
    # the version decides the verdict: 0.03 passed under -2017 and fails under -2022
    assert judge(limit_in_force(item, dt.date(2023, 6, 29)), value_text="0.03").verdict == Q
    assert judge(limit_in_force(item, dt.date(2023, 6, 30)), value_text="0.03").verdict == U


@pytest.mark.django_db
def test_limit_in_force_needs_a_production_date():
    item = factories.TestLimitFactory().test_item
    with pytest.raises(JudgementError) as exc:
        limit_in_force(item, None)
    assert exc.value.field == "生产日期"


@pytest.mark.django_db
def test_starter_dehydroacetic_acid_in_pastry_changes_rule_on_2025_02_08():
    """GB 2760-2024 (in force 2025-02-08) no longer allows 脱氢乙酸 in pastry: 0.3 g/kg passes under -2014."""
    from apps.standards.models import TestItem

    item = TestItem.objects.prefetch_related("limits__judging_standard").get(code="dha-pastry")
    before, on_the_day = limit_in_force(item, dt.date(2025, 2, 7)), limit_in_force(item, dt.date(2025, 2, 8))
    assert before.judging_standard.code == "GB 2760-2014" and before.judgement_type == JudgementType.MAX
    assert (
        on_the_day.judging_standard.code == "GB 2760-2024" and on_the_day.judgement_type == JudgementType.NOT_DETECTED
    )
    assert judge(before, value_text="0.3").verdict == Q
    assert judge(on_the_day, value_text="0.3").verdict == U
    assert limit_in_force(item, dt.date(2015, 5, 23)) is None


@pytest.mark.django_db
def test_starter_lead_in_milk_has_two_versions_with_different_limits():
    from apps.standards.models import TestItem

    item = TestItem.objects.prefetch_related("limits__judging_standard").get(code="pb-liquid-milk")
    old, new = limit_in_force(item, dt.date(2023, 6, 29)), limit_in_force(item, dt.date(2023, 6, 30))
    assert (old.judging_standard.code, old.max_limit) == ("GB 2762-2017", d("0.05"))
    assert (new.judging_standard.code, new.max_limit) == ("GB 2762-2022", d("0.02"))
    assert judge(old, value_text="0.04").verdict == Q and judge(new, value_text="0.04").verdict == U
