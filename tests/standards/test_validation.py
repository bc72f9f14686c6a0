"""The catalogue's rules (apps/standards/validation.py): standard codes, what each judgement type needs, the
superseding version, the category levels; through full_clean(), the database and the admin forms as a browser
submits them (every field, the untouched ones empty)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from apps.common.models import AuditEvent
from apps.standards import models
from apps.standards.choices import JudgementType
from apps.standards.validation import (
    StandardCode,
    StandardCodeError,
    category_errors,
    format_standard_code,
    limit_errors,
    limit_warnings,
    parse_standard_code,
    standard_errors,
)
from tests.conftest import make_user
from tests.factories import sampling as factories


# ------------------------------------------------------------------------------------------------ standard codes
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("GB 2762-2022", ("GB", "2762", "", 2022)),
        ("GB2762-2022", ("GB", "2762", "", 2022)),
        ("gb 2762—2022", ("GB", "2762", "", 2022)),  # lower case, long dash
        ("ＧＢ　２７６２－２０２２", ("GB", "2762", "", 2022)),  # full-width
        ("GB 5009.12-2023", ("GB", "5009", "12", 2023)),
        ("GB 23200.113-2018", ("GB", "23200", "113", 2018)),
        ("GB 2763.1-2022", ("GB", "2763", "1", 2022)),
        ("GB/T 22286-2008", ("GB/T", "22286", "", 2008)),
        ("GB / T 13025.7-2012", ("GB/T", "13025", "7", 2012)),
        ("NY/T 761-2008", ("NY/T", "761", "", 2008)),
        ("SN/T 1234-2010", ("SN/T", "1234", "", 2010)),
        ("DB33/ 3001-2015", ("DB33", "3001", "", 2015)),
        ("DB33 3001-2015", ("DB33", "3001", "", 2015)),
        ("DBS33/ 003-2017", ("DBS33", "003", "", 2017)),
        ("T/ZJSP 001-2020", ("T", "ZJSP 001", "", 2020)),
        ("Q/HNA 0001S-2021", ("Q", "HNA 0001S", "", 2021)),
        ("KJ 201706", ("KJ", "201706", "", 2017)),
        ("GB 2760-96", ("GB", "2760", "", 1996)),  # two-digit years of old standards
    ],
)
def test_parse_standard_code(text, expected):
    parsed = parse_standard_code(text)
    assert parsed == expected and isinstance(parsed, StandardCode)
    assert parse_standard_code(format_standard_code(*parsed)) == parsed  # the printed form reads back


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "不能为空"),
        (None, "不能为空"),
        ("XYZ 123-2020", "无法识别的标准代号“XYZ”"),
        ("GB 2762", "缺少年代号"),
        ("GB 2762-20222", "格式不正确"),
        ("GB abc-2022", "格式不正确"),
        ("GB 2762-1900", "1950–2100"),
        ("DB33/T 1234-2020", "推荐性地方标准"),
        ("GB/ 2762-2022", "格式不正确"),
        ("KJ 2017", "快检方法编号"),
        ("T/ 001", "团体标准编号"),
        ("2762-2022", "格式不正确"),
    ],
)
def test_bad_codes_get_a_chinese_message(text, words):
    with pytest.raises(StandardCodeError) as exc:
        parse_standard_code(text)
    assert words in exc.value.message and exc.value.field == "code"


def test_code_without_year_for_searching():
    assert parse_standard_code("GB 2762", require_year=False) == ("GB", "2762", "", None)


@pytest.mark.parametrize(
    ("parts", "code"),
    [
        (("GB", "2762", "", 2022), "GB 2762-2022"),
        (("GB", "5009", "12", 2023), "GB 5009.12-2023"),
        (("GB/T", "22286", "", 2008), "GB/T 22286-2008"),
        (("DB33", "3001", "", 2015), "DB33/ 3001-2015"),
        (("T", "ZJSP 001", "", 2020), "T/ZJSP 001-2020"),
        (("KJ", "201706", "", 2017), "KJ 201706"),
    ],
)
def test_standard_code_property(parts, code):
    prefix, number, part, year = parts
    assert models.Standard(prefix=prefix, number=number, part=part, year=year).code == code


# ------------------------------------------------------------------------------------------------ limit rules
def errors(**values):
    values.setdefault("unit", "mg/kg")
    return limit_errors(values)


def test_a_limit_without_a_unit_is_refused_naming_the_field():
    assert errors(judgement_type="max", max_limit=Decimal("0.3"), unit="") == {"unit": "允许限单位不能为空"}
    assert errors(judgement_type="max", max_limit=Decimal("0.3"), unit="  ")["unit"] == "允许限单位不能为空"
    assert "unit" in errors(judgement_type="micro", micro_n=5, micro_c=2, micro_m=Decimal(10), unit=None)


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        ({"judgement_type": "max"}, "max_limit", "最大允许限不能为空"),
        ({"judgement_type": "min"}, "min_limit", "最小允许限不能为空"),
        ({"judgement_type": "range", "max_limit": Decimal(1)}, "min_limit", "最小允许限不能为空"),
        ({"judgement_type": "range", "min_limit": Decimal(1)}, "max_limit", "最大允许限不能为空"),
        ({"judgement_type": "range", "min_limit": Decimal(2), "max_limit": Decimal(1)}, "min_limit", "不能大于"),
        ({"judgement_type": "micro", "micro_c": 2, "micro_m": Decimal(10)}, "micro_n", "n（样品数）不能为空"),
        (
            {"judgement_type": "micro", "micro_n": 5, "micro_m": Decimal(10)},
            "micro_c",
            "c（允许超过 m 的样品数）不能为空",
        ),
        ({"judgement_type": "micro", "micro_n": 5, "micro_c": 2}, "micro_m", "m不能为空"),
        ({"judgement_type": "micro", "micro_n": 5, "micro_c": 6, "micro_m": Decimal(1)}, "micro_c", "不能大于 n"),
        ({"judgement_type": "micro", "micro_n": 0, "micro_c": 0, "micro_m": Decimal(1)}, "micro_n", "至少为 1"),
        (
            {"judgement_type": "micro", "micro_n": 5, "micro_c": 2, "micro_m": Decimal(10), "micro_big_m": Decimal(9)},
            "micro_big_m",
            "M 不能小于 m",
        ),
        ({"judgement_type": "max", "max_limit": Decimal("-0.1")}, "max_limit", "不能为负数"),
        ({"judgement_type": "min", "min_limit": Decimal("-1")}, "min_limit", "不能为负数"),
        ({"judgement_type": "not_detected", "detection_limit": Decimal("-1")}, "detection_limit", "不能为负数"),
        (
            {"judgement_type": "max", "max_limit": Decimal(1), "detection_limit": Decimal("0.1")},
            "detection_limit_unit",
            "检出限单位不能为空",
        ),
        ({"judgement_type": "max", "max_limit": Decimal(1), "min_limit": Decimal(0)}, "min_limit", "不使用最小允许限"),
        ({"judgement_type": "not_detected", "max_limit": Decimal(1)}, "max_limit", "不使用最大允许限"),
        (
            {"judgement_type": "micro", "micro_n": 5, "micro_c": 0, "micro_m": Decimal(0), "max_limit": Decimal(1)},
            "max_limit",
            "不使用",
        ),
        (
            {"judgement_type": "range", "min_limit": Decimal(1), "max_limit": Decimal(2), "micro_n": 5},
            "micro_n",
            "不使用",
        ),
        ({"judgement_type": ""}, "judgement_type", "判定方式不能为空"),
        ({"judgement_type": "between"}, "judgement_type", "未知的判定方式"),
    ],
)
def test_each_judgement_type_needs_its_fields(values, field, words):
    found = errors(**values)
    assert field in found and words in found[field], found


@pytest.mark.parametrize(
    "values",
    [
        {"judgement_type": "max", "max_limit": Decimal("0.3")},
        {"judgement_type": "min", "min_limit": Decimal("0.4")},
        {"judgement_type": "range", "min_limit": Decimal(18), "max_limit": Decimal(33)},
        {"judgement_type": "range", "min_limit": Decimal(1), "max_limit": Decimal(1)},  # min = max is allowed
        {"judgement_type": "not_detected", "detection_limit": Decimal("0.005"), "detection_limit_unit": "g/kg"},
        {"judgement_type": "not_detected"},  # allowed, with a warning
        {"judgement_type": "micro", "micro_n": 5, "micro_c": 2, "micro_m": Decimal(10), "micro_big_m": Decimal(100)},
        {"judgement_type": "micro", "micro_n": 5, "micro_c": 0, "micro_m": Decimal(0)},
        {"judgement_type": "micro", "micro_n": 5, "micro_c": 5, "micro_m": Decimal(10), "micro_big_m": Decimal(10)},
    ],
)
def test_complete_limits_pass(values):
    assert errors(**values) == {}


def test_warnings_are_advice_only():
    assert "detection_limit" in limit_warnings({"judgement_type": "not_detected", "unit": "g/kg"})
    assert limit_warnings({"judgement_type": "not_detected", "unit": "g/kg", "detection_limit": Decimal("0.01")}) == {}
    high = {"judgement_type": "max", "unit": "mg/kg", "max_limit": Decimal("0.02"), "detection_limit": Decimal("0.05")}
    assert "高于最大允许限" in limit_warnings({**high, "detection_limit_unit": "mg/kg"})["detection_limit"]
    assert limit_warnings({**high, "detection_limit_unit": "μg/kg"}) == {}  # other units: not compared


def test_full_clean_runs_the_same_rule():
    lim = models.TestLimit(judgement_type=JudgementType.MAX, unit="")
    with pytest.raises(ValidationError) as exc:
        lim.clean()
    assert exc.value.message_dict == {
        "unit": ["允许限单位不能为空"],
        "max_limit": ["判定方式为“≤ 限量”时，最大允许限不能为空"],
    }


@pytest.mark.django_db
def test_the_database_refuses_what_the_rule_refuses():
    good = factories.TestLimitFactory()
    for change in (
        {"unit": ""},
        {"max_limit": Decimal("-1")},
        {"min_limit": Decimal(2), "max_limit": Decimal(1)},
        {"micro_n": 1, "micro_c": 2},
        {"micro_m": Decimal(10), "micro_big_m": Decimal(1)},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            models.TestLimit.objects.filter(pk=good.pk).update(**change)


# ------------------------------------------------------------------------------------------------ standards
@pytest.mark.django_db
def test_superseded_by_must_be_a_later_version_of_the_same_standard():
    old = factories.StandardFactory(number="92760", year=2014, effective_date=dt.date(2015, 5, 24))
    new = factories.StandardFactory(number="92760", year=2024, effective_date=dt.date(2025, 2, 8))
    other = factories.StandardFactory(number="92762", year=2022)
    part = factories.StandardFactory(number="92760", part="1", year=2024, effective_date=dt.date(2025, 2, 8))
    same_year = factories.StandardFactory(number="92760", year=2014, part="", effective_date=dt.date(2015, 5, 24))
    assert same_year == old  # get_or_create on the natural key

    def superseded_error(successor, standard=old):
        standard.superseded_by = successor
        return standard_errors(standard).get("superseded_by", "")

    assert superseded_error(new) == ""
    assert "须是同一标准" in superseded_error(other)
    assert "须是同一标准" in superseded_error(part)  # GB 92760.1 is not a version of GB 92760
    assert "晚于 2024 年" in superseded_error(old, standard=new)  # an older version cannot supersede
    assert "不能是本标准自己" in superseded_error(old)
    late = factories.StandardFactory(number="92760", year=2030, effective_date=dt.date(2015, 1, 1))
    assert "实施日期须晚于" in superseded_error(late)
    old.superseded_by = other
    with pytest.raises(ValidationError) as exc:
        old.full_clean()
    assert "superseded_by" in exc.value.message_dict


@pytest.mark.django_db
def test_standard_dates_and_number_format():
    std = models.Standard(
        prefix="GB",
        number="2762",
        year=2022,
        title="x",
        publish_date=dt.date(2022, 6, 30),
        effective_date=dt.date(2022, 1, 1),
    )
    assert standard_errors(std) == {"effective_date": "实施日期不能早于发布日期"}
    std.effective_date = dt.date(2023, 6, 30)
    assert standard_errors(std) == {}
    std.number = "27x2"
    assert "number" in standard_errors(std)
    std.number, std.part = "5009", "1a"
    assert "number" in standard_errors(std)


def test_status_on_a_day():
    new = models.Standard(prefix="GB", number="2760", year=2024, effective_date=dt.date(2025, 2, 8), status="current")
    old = models.Standard(prefix="GB", number="2760", year=2014, effective_date=dt.date(2015, 5, 24), status="current")
    new.pk = 1
    old.superseded_by = new
    assert new.status_on(dt.date(2025, 2, 7)) == "upcoming"
    assert new.status_on(dt.date(2025, 2, 8)) == "current"
    assert old.status_on(dt.date(2025, 2, 7)) == "current"
    assert old.status_on(dt.date(2025, 2, 8)) == "withdrawn"


# ------------------------------------------------------------------------------------------------ categories
@pytest.mark.django_db
def test_category_levels_follow_their_parent():
    major = factories.SamplingCategoryFactory(level=1)
    sub = factories.SamplingCategoryFactory(level=2, parent=major)
    assert category_errors(models.SamplingCategory(level=1, parent=sub)) == {"parent": "大类没有上级分类"}
    assert "须选择上级分类" in category_errors(models.SamplingCategory(level=3))["parent"]
    assert "须是第 2 级" in category_errors(models.SamplingCategory(level=3, parent=major))["parent"]
    assert category_errors(models.SamplingCategory(level=3, parent=sub)) == {}
    with pytest.raises(IntegrityError), transaction.atomic():
        models.SamplingCategory.objects.create(code="X1", name="无上级", level=2)


# ------------------------------------------------------------------------------------------------ admin forms
def _browser_post(**fields):
    """Every field of the limit form as a browser sends it: the untouched ones as empty strings."""
    data = {
        "test_item": "",
        "judging_standard": "",
        "clause": "",
        "method_standard": "",
        "judgement_type": "",
        "min_limit": "",
        "max_limit": "",
        "unit": "",
        "micro_n": "",
        "micro_c": "",
        "micro_m": "",
        "micro_big_m": "",
        "detection_limit": "",
        "detection_limit_unit": "",
        "_save": "保存",
    }
    data.update({k: str(v) for k, v in fields.items()})
    return data


@pytest.fixture
def admin_client(client, reference):
    client.force_login(make_user("catalogue_admin", is_superuser=True, is_staff=True))
    return client


@pytest.mark.django_db
def test_admin_refuses_a_limit_without_a_unit_and_writes_nothing(admin_client):
    item, standard = factories.TestItemFactory(), factories.StandardFactory()
    before = models.TestLimit.objects.count(), AuditEvent.objects.count()
    response = admin_client.post(
        reverse("admin:standards_testlimit_add"),
        _browser_post(test_item=item.pk, judging_standard=standard.pk, judgement_type="max", max_limit="0.3"),
    )
    assert response.status_code == 200
    assert "允许限单位不能为空" in response.content.decode()
    assert (models.TestLimit.objects.count(), AuditEvent.objects.count()) == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"judgement_type": "max", "unit": "mg/kg"}, "最大允许限不能为空"),
        (
            {"judgement_type": "range", "unit": "mg/kg", "min_limit": "2", "max_limit": "1"},
            "最小允许限不能大于最大允许限",
        ),
        ({"judgement_type": "micro", "unit": "CFU/g", "micro_n": "5", "micro_c": "6", "micro_m": "10"}, "不能大于 n"),
        (
            {
                "judgement_type": "micro",
                "unit": "CFU/g",
                "micro_n": "5",
                "micro_c": "2",
                "micro_m": "10",
                "micro_big_m": "5",
            },
            "M 不能小于 m",
        ),
        ({"judgement_type": "max", "unit": "mg/kg", "max_limit": "-1"}, "不能为负数"),
        ({"judgement_type": "", "unit": "mg/kg"}, "该字段是必填项"),
    ],
)
def test_admin_form_posts_get_the_field_named(admin_client, fields, message):
    item, standard = factories.TestItemFactory(), factories.StandardFactory()
    response = admin_client.post(
        reverse("admin:standards_testlimit_add"),
        _browser_post(test_item=item.pk, judging_standard=standard.pk, **fields),
    )
    assert response.status_code == 200 and message in response.content.decode()
    assert not models.TestLimit.objects.filter(test_item=item).exists()


@pytest.mark.django_db
def test_admin_saves_a_complete_limit_once_audited_with_the_advice(admin_client):
    item, standard = factories.TestItemFactory(), factories.StandardFactory()
    response = admin_client.post(
        reverse("admin:standards_testlimit_add"),
        _browser_post(test_item=item.pk, judging_standard=standard.pk, judgement_type="not_detected", unit="μg/kg"),
        follow=True,
    )
    assert response.status_code == 200
    saved = models.TestLimit.objects.get(test_item=item)
    assert saved.unit == "μg/kg" and saved.max_limit is None and saved.detection_limit is None
    assert AuditEvent.objects.filter(action="admin.add", object_type="standards.testlimit").count() == 1
    assert "建议填写方法检出限" in response.content.decode()


@pytest.mark.django_db
def test_admin_standard_form_checks_the_superseding_version(admin_client):
    other = factories.StandardFactory(number="92762", year=2022)
    data = {
        "prefix": "GB",
        "number": "92760",
        "part": "",
        "year": "2014",
        "title": "测试",
        "status": "withdrawn",
        "publish_date": "",
        "effective_date": "2015-05-24",
        "superseded_by": str(other.pk),
        "announcement_no": "",
        "_save": "保存",
    }
    response = admin_client.post(reverse("admin:standards_standard_add"), data)
    assert response.status_code == 200 and "须是同一标准" in response.content.decode()
    data["superseded_by"] = ""
    response = admin_client.post(reverse("admin:standards_standard_add"), data)
    assert response.status_code == 302
    assert models.Standard.objects.filter(number="92760", year=2014).exists()
