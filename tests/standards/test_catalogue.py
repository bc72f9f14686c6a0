"""The starter catalogue (migration 0004) is there in every test database and consistent with the catalogue's rules."""

import pytest

from apps.standards.choices import JudgementType, StandardStatus
from apps.standards.models import SamplingCategory, Standard, TestItem, TestLimit
from apps.standards.validation import limit_errors, limit_values
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

BASIC = ["GB 2760-2014", "GB 2760-2024", "GB 2761-2017", "GB 2762-2017", "GB 2762-2022", "GB 2763-2021"]
BASIC += ["GB 2763.1-2022", "GB 29921-2021", "GB 31650-2019", "GB 31650.1-2022"]
METHODS = ["GB 5009.12-2023", "GB 5009.15-2023", "GB 5009.11-2014", "GB 5009.28-2016", "GB 4789.2-2022"]
METHODS += ["GB 4789.3-2016", "GB 4789.4-2016", "GB 5009.22-2016", "GB/T 22286-2008", "GB 23200.113-2018"]
METHODS += ["GB 23200.121-2021"]
ITEM_NAMES = ["铅", "镉", "总砷", "苯甲酸", "山梨酸", "糖精钠", "菌落总数", "大肠菌群", "沙门氏菌", "克伦特罗"]
ITEM_NAMES += ["毒死蜱", "氧乐果", "黄曲霉毒素B"]


def test_the_standards_of_the_issue_are_there():
    codes = {s.code for s in Standard.objects.all()}
    missing = [c for c in BASIC + METHODS if c not in codes]
    assert not missing


def test_versions_supersede_each_other_and_are_valid():
    pairs = {(s.code, s.superseded_by.code) for s in Standard.objects.filter(superseded_by__isnull=False)}
    assert pairs == {
        ("GB 2760-2014", "GB 2760-2024"),
        ("GB 2762-2017", "GB 2762-2022"),
        ("GB 29921-2013", "GB 29921-2021"),
    }
    gb2760 = Standard.objects.get(number="2760", year=2024)
    assert str(gb2760.effective_date) == "2025-02-08"
    assert str(Standard.objects.get(number="2762", year=2022).effective_date) == "2023-06-30"
    assert str(Standard.objects.get(number="29921", year=2021).effective_date) == "2021-11-22"
    assert str(Standard.objects.get(number="2763", part="", year=2021).effective_date) == "2021-09-03"
    for older in Standard.objects.filter(superseded_by__isnull=False):
        assert older.status == StandardStatus.WITHDRAWN
    for standard in Standard.objects.all():
        standard.full_clean()  # code format, dates, superseding version


def test_every_requested_item_is_there_with_categories_and_limits():
    for name in ITEM_NAMES:
        items = TestItem.objects.filter(name__contains=name)
        assert items.exists(), name
        for item in items:
            assert item.categories.exists(), item.code
            assert item.limits.exists(), item.code


def test_every_limit_has_a_unit_and_what_its_judgement_type_needs():
    problems = []
    for lim in TestLimit.objects.select_related("test_item", "judging_standard", "method_standard"):
        errors = limit_errors(limit_values(lim))
        if errors:
            problems.append(f"{lim}: {errors}")
        if not lim.unit:
            problems.append(f"{lim}: no unit")
        if lim.method_standard is None:
            problems.append(f"{lim}: no method standard")
        if lim.judgement_type == JudgementType.NOT_DETECTED and lim.detection_limit is None:
            problems.append(f"{lim}: 不得检出 without a detection limit")
        if lim.judgement_type != JudgementType.MICRO and lim.test_item.is_microbiological:
            problems.append(f"{lim}: a microbiological item judged without n/c/m/M")
        lim.full_clean()
    assert not problems, "\n".join(problems)


def test_every_judgement_type_occurs_and_one_item_has_versions_with_different_limits():
    assert set(TestLimit.objects.values_list("judgement_type", flat=True)) == set(JudgementType.values)
    milk = {
        lim.judging_standard.code: lim.max_limit for lim in TestItem.objects.get(code="pb-liquid-milk").limits.all()
    }
    assert milk["GB 2762-2017"] != milk["GB 2762-2022"]
    dha = {
        lim.judging_standard.code: lim.judgement_type for lim in TestItem.objects.get(code="dha-pastry").limits.all()
    }
    assert dha == {"GB 2760-2014": JudgementType.MAX, "GB 2760-2024": JudgementType.NOT_DETECTED}


def test_uncertain_figures_are_marked():
    flagged = TestLimit.objects.filter(clause__contains="待核实").count()
    assert flagged >= 5
    assert Standard.objects.filter(announcement_no__contains="待核实").exists()


def test_categories_form_four_levels_with_hazards():
    levels = set(SamplingCategory.objects.values_list("level", flat=True))
    assert levels == {1, 2, 3, 4}
    for category in SamplingCategory.objects.select_related("parent"):
        category.full_clean()
        assert 1 <= category.hazard <= 5
        if category.level == 4:
            assert category.parent.level == 3
    chain = SamplingCategory.objects.select_related("parent__parent__parent").get(name="普通白菜")
    assert [chain.parent.name, chain.parent.parent.name, chain.parent.parent.parent.name] == [
        "叶菜类蔬菜",
        "蔬菜",
        "食用农产品",
    ]
    names = set(SamplingCategory.objects.filter(level=1).values_list("name", flat=True))
    for major in ("食用农产品", "粮食加工品", "食用油、油脂及其制品", "调味品", "饮料", "糕点", "乳制品", "餐饮食品"):
        assert major in names


def test_the_migration_loader_is_idempotent():
    import importlib

    from django.apps import apps

    module = importlib.import_module("apps.standards.migrations.0004_starter_catalogue")
    counts = (
        Standard.objects.count(),
        SamplingCategory.objects.count(),
        TestItem.objects.count(),
        TestLimit.objects.count(),
    )
    module.load(apps, None)
    assert (
        Standard.objects.count(),
        SamplingCategory.objects.count(),
        TestItem.objects.count(),
        TestLimit.objects.count(),
    ) == counts


def test_items_for_a_sample_category_and_their_limits_in_force(django_assert_max_num_queries):
    import datetime as dt

    from apps.standards import selectors

    pakchoi = SamplingCategory.objects.get(name="普通白菜")
    with django_assert_max_num_queries(4):
        items = list(selectors.test_items_for_category(actor=None, category=pakchoi))  # the system (an import job)
        chosen = selectors.limits_in_force_for(items, dt.date(2023, 7, 1))
    codes = {item.code for item in items}
    assert {"pb-leafy-veg", "cd-leafy-veg", "as-veg", "chlorpyrifos-pakchoi", "omethoate-leafy-veg"} == codes
    by_code = {item.code: chosen[item.pk] for item in items}
    assert by_code["pb-leafy-veg"].judging_standard.code == "GB 2762-2022"
    assert by_code["omethoate-leafy-veg"].judging_standard.code == "GB 2763-2021"
    early = selectors.limits_in_force_for(items, dt.date(2021, 1, 1))  # before GB 2763-2021: no pesticide limit
    assert early[next(i.pk for i in items if i.code == "omethoate-leafy-veg")] is None
    assert early[next(i.pk for i in items if i.code == "pb-leafy-veg")].judging_standard.code == "GB 2762-2017"
    # a signed-in user without the permission gets nothing
    assert not selectors.test_items_for_category(actor=make_user("nobody_cat"), category=pakchoi).exists()
