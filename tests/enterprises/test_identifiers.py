"""Identifier validators (DOMAIN.md §4): examples from the domain notes plus hypothesis properties."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apps.enterprises.identifiers import (
    USCC_ALPHA,
    USCC_AUTHORITIES,
    check_licence,
    check_uscc,
    make_licence_number,
    make_uscc,
    normalize_code,
)

ALPHA = st.sampled_from(USCC_ALPHA)
NOT_ALPHA = st.sampled_from("IOSVZ!#*-_.中号")
DIGITS = st.text("0123456789", min_size=6, max_size=6)


# Positions 1–2 from the GB 32100 tables (authority, then one of its categories); the rest arbitrary.
AUTHORITY_CATEGORY = st.sampled_from([a + c for a, (_, cats) in USCC_AUTHORITIES.items() for c in cats])


@st.composite
def valid_usccs(draw):
    head = draw(AUTHORITY_CATEGORY) + draw(DIGITS)
    body = "".join(draw(st.lists(ALPHA, min_size=8, max_size=8)))
    return make_uscc(head, body)


@pytest.mark.parametrize(
    "code",
    [
        "91330481123456788A",  # the worked example
        "91330481MA2B00019U",
        "91330481MA28A1B21F",
        "91350200776049653A",
        "91440101MA5CJQ4N59",
        "92140702MA0K2AX62M",
        "91420222MADXAY8RXJ",
        "123502001549897397",
    ],
)
def test_domain_examples_are_valid(code):
    result = check_uscc(code)
    assert result.ok, (result.errors, result.warnings)


def test_whitelisted_public_example_fails_the_final_check_only():
    result = check_uscc("91350203M0001QAY9B")
    assert not result.errors
    assert result.warnings == ["第 18 位校验码应为 9，实际为 B"]


@settings(max_examples=1000, deadline=None)
@given(valid_usccs())
def test_generated_codes_pass(code):
    assert check_uscc(code).ok


@settings(max_examples=1000, deadline=None)
@given(valid_usccs(), ALPHA)
def test_any_substitution_at_position_18_is_flagged(code, replacement):
    if replacement == code[17]:
        return
    result = check_uscc(code[:17] + replacement)
    assert not result.errors  # a check-character mismatch is a warning, not a refusal
    assert any("第 18 位" in w for w in result.warnings)


@settings(max_examples=500, deadline=None)
@given(valid_usccs(), st.integers(0, 17), NOT_ALPHA)
def test_characters_outside_the_alphabet_are_refused(code, position, bad):
    result = check_uscc(code[:position] + bad + code[position + 1 :])
    assert result.errors and not result.ok


@settings(max_examples=500, deadline=None)
@given(valid_usccs(), st.lists(st.integers(0, 18), max_size=4), st.booleans(), st.booleans())
def test_full_width_lower_case_and_spaces_are_normalised(code, gaps, full_width, lower):
    text = code.lower() if lower else code
    if full_width:
        text = "".join(chr(ord(c) + 0xFEE0) for c in text)
    for gap in sorted(gaps, reverse=True):
        text = text[:gap] + rng_space(gap) + text[gap:]
    assert normalize_code(text) == code
    assert check_uscc(text).ok and check_uscc(text).value == code


def rng_space(n):
    return (" ", "\u3000", "\t", "  ")[n % 4]


@pytest.mark.parametrize("bad", ["", "9133048112345678", "91330481123456788A1", "9133O481123456788A"])
def test_shape_errors_are_refused(bad):
    assert check_uscc(bad).errors


# ------------------------------------------------------------------------------------------------ licences
def test_domain_licence_examples():
    assert check_licence("JY", "JY23304810001230").ok
    assert check_licence("JY", "JY13304810004565").ok
    assert make_licence_number("JY", "2330481000123") == "JY23304810001230"


@settings(max_examples=500, deadline=None)
@given(st.sampled_from(["SC", "JY", "YB"]), st.text("0123456789", min_size=12, max_size=12), st.integers(0, 9))
def test_licence_check_digit_only_warns(kind, digits, other):
    first = {"SC": "1", "JY": "2", "YB": "1"}[kind]
    number = make_licence_number(kind, first + digits)
    assert check_licence(kind, number).ok
    if str(other) != number[-1]:
        wrong = check_licence(kind, number[:-1] + str(other))
        assert not wrong.errors and wrong.warnings


@pytest.mark.parametrize(
    "kind, number",
    [("SC", "SC1013304810001"), ("JY", "JY43304810001230"), ("JY", "JY2330481000123X"), ("YB", "YB3330481000123")],
)
def test_licence_shape_errors_are_refused(kind, number):
    assert check_licence(kind, number).errors


def test_licence_full_width_and_spaces():
    assert check_licence("JY", " ＪＹ２３３０ ４８１０００１２３０ ").value == "JY23304810001230"


# ------------------------------------------------------------------------------------------------ GB 32100 tables
@pytest.mark.parametrize(
    "code, fragment",
    [
        ("00330481Q28PCGMN1J", "第 1 位（登记管理部门代码）“0”"),
        ("Z9330481H2YKF6DP7B", "非法字符"),
    ],
)
def test_unknown_registration_authority_is_refused(code, fragment):
    result = check_uscc(code)
    assert result.errors and fragment in result.errors[0]


def test_category_not_listed_for_the_authority_warns():
    result = check_uscc("Y9330481H2YKF6DP7B")
    assert not result.errors
    assert any("第 2 位（机构类别代码）“9”" in w for w in result.warnings)
    assert not any("第 2 位" in w for w in check_uscc("91330481123456788A").warnings)


def test_code_registered_outside_haining_warns_only_when_home_divisions_are_given():
    assert check_uscc("91350200776049653A").ok
    result = check_uscc("91350200776049653A", home_divisions=("330481",))
    assert result.warnings == ["第 3–8 位登记机关行政区划代码为 350200，不是海宁市（330481），请确认该主体在海宁经营"]
    assert check_uscc("91330481123456788A", home_divisions=("330481",)).ok


@pytest.mark.parametrize("hidden", ["\u200b", "\x00", "\ufeff"])
def test_invisible_characters_are_named_not_reported_as_wrong_length(hidden):
    result = check_uscc(f"913304811234{hidden}56788A")
    assert result.errors and "不可见字符" in result.errors[0] and f"U+{ord(hidden):04X}" in result.errors[0]
