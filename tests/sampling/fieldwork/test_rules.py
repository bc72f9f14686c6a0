"""The 抽样单 rules shared by every write path: 抽检分离, ≥ 2 samplers, the sealed backup, the dates, the number."""

import datetime as dt

import pytest

from apps.common.exceptions import ValidationFailed
from apps.enterprises.identifiers import make_uscc
from apps.sampling.choices import OrganisationKind
from apps.sampling.fieldwork.rules import (
    SEPARATION_MESSAGE,
    assert_separated,
    backup_errors,
    clean_samplers,
    date_errors,
    format_number,
)
from apps.sampling.models import Organisation


def _org(pk, uscc="", kind=OrganisationKind.SAMPLER):
    return Organisation(pk=pk, name=f"机构{pk}", kind=kind, uscc=uscc)


def test_separation_refuses_the_same_row():
    org = _org(1)
    with pytest.raises(ValidationFailed) as exc:
        assert_separated(org, org)
    assert exc.value.message == SEPARATION_MESSAGE == "抽样机构与检验机构不得为同一单位（抽检分离）"
    assert exc.value.fields == {"lab": [SEPARATION_MESSAGE]}


def test_separation_refuses_two_rows_of_one_legal_person():
    uscc = make_uscc("12330481", "CYAN0001")
    with pytest.raises(ValidationFailed, match="抽检分离"):
        assert_separated(_org(1, uscc), _org(2, uscc.lower(), OrganisationKind.LAB))


def test_separation_allows_different_units_and_empty_usccs():
    assert_separated(_org(1, make_uscc("12330481", "CYAN0001")), _org(2, make_uscc("12330481", "JYAN0002")))
    assert_separated(_org(1), _org(2))  # both without USCC: different rows are different units
    assert_separated(None, _org(2))


@pytest.mark.parametrize(
    ("names", "message"),
    [
        ([], "至少 2 名"),
        (["王抽样"], "至少 2 名"),
        (["王抽样", "", "  "], "至少 2 名"),
        (["王抽样", "王抽样"], "重复"),
        (["王抽样", " 王抽样 "], "重复"),
        (["甲", "乙", "丙", "丁", "戊"], "最多 4 名"),
        (["王" * 21, "李抽样"], "不能超过 20 个字"),
    ],
)
def test_samplers_need_two_distinct_names(names, message):
    with pytest.raises(ValidationFailed) as exc:
        clean_samplers(names)
    assert message in exc.value.message
    assert list(exc.value.fields) == ["samplers"]


def test_samplers_are_trimmed_in_order():
    assert clean_samplers([" 王 抽样 ", "", "李抽样"]) == ["王 抽样", "李抽样"]


def test_dates():
    today = dt.date(2026, 5, 20)
    assert date_errors(production_date=dt.date(2026, 5, 1), sampled_on=today, today=today) == {}
    assert date_errors(production_date=today, sampled_on=today, today=today) == {}  # same day is fine
    assert date_errors(production_date=dt.date(2026, 5, 21), sampled_on=dt.date(2026, 5, 19), today=today) == {
        "production_date": ["生产日期不能晚于今天"]
    }
    assert date_errors(production_date=dt.date(2026, 5, 19), sampled_on=dt.date(2026, 5, 18), today=today) == {
        "production_date": ["生产日期不能晚于抽样日期"]
    }
    assert date_errors(production_date=None, sampled_on=dt.date(2026, 5, 21), today=today) == {
        "sampled_on": ["抽样日期不能晚于今天"]
    }


def test_backup_sample_rules():
    assert backup_errors(seal_no="FY1", backup_quantity=1, sealed_by_site=True) == {}
    errors = backup_errors(seal_no="  ", backup_quantity=0, sealed_by_site=False)
    assert set(errors) == {"backup_seal_no", "backup_quantity", "backup_sealed_by_site"}
    assert errors["backup_sealed_by_site"] == ["备份样品须由被抽样单位在封条上签字确认"]


def test_number_format_matches_the_observed_length(settings):
    settings.SAMPLING_DIVISION_CODE = "330481"
    number = format_number(2026, "330481", 1)
    assert number == "DC26330481000000001"
    assert len(number) == len("DC19142400463230158") == 19
    assert format_number(2019, "142400", 463230158) == "DC19142400463230158"  # the number seen in the national system
    with pytest.raises(ValidationFailed):
        format_number(2026, "330481", 10**9)
