"""FilterSets of the catalogue: one per list, shared by the pages, the API and any export (apps.common.filters)."""

import django_filters
from django.db.models import Q

from apps.common.filters import BaseFilterSet, FilterForm

from .choices import CategoryLevel, JudgementType, StandardPrefix, StandardStatus
from .models import SamplingCategory, Standard, TestItem, TestLimit
from .validation import StandardCodeError, parse_standard_code


def standard_code_q(text: str, prefix: str = "") -> Q | None:
    """``GB 2762-2022`` → the Q of that version; ``GB 2762`` → of every version; None when ``text`` is no code."""
    try:
        code = parse_standard_code(text, require_year=False)
    except StandardCodeError:
        return None
    q = Q(**{f"{prefix}prefix": code.prefix, f"{prefix}number": code.number, f"{prefix}part": code.part})
    if code.year is not None:
        q &= Q(**{f"{prefix}year": code.year})
    return q


class StandardFilterSet(BaseFilterSet):
    prefix = django_filters.ChoiceFilter(choices=StandardPrefix.choices, label="标准代号", empty_label="全部")
    status = django_filters.ChoiceFilter(choices=StandardStatus.choices, label="状态", empty_label="全部")
    q = django_filters.CharFilter(label="标准编号或名称", method="filter_q", max_length=100)

    class Meta:
        model = Standard
        fields = ["prefix", "status", "q"]
        form = FilterForm

    def filter_q(self, queryset, name, value):
        text = value.strip()
        by_code = standard_code_q(text)
        if by_code is not None:
            return queryset.filter(by_code)
        return queryset.filter(Q(title__icontains=text) | Q(number__icontains=text))


def related_category_ids(category: SamplingCategory) -> set[int]:
    """The category, its ancestors and its descendants: an item linked to any of them concerns the category (an item
    for 叶菜类蔬菜 applies to 普通白菜; browsing 蔬菜 shows the items of its subcategories). One query."""
    rows = list(SamplingCategory.objects.values_list("id", "parent_id"))
    parent = dict(rows)
    ids = {category.pk}
    node = parent.get(category.pk)
    while node is not None and node not in ids:
        ids.add(node)
        node = parent.get(node)
    children: dict[int, list[int]] = {}
    for pk, parent_id in rows:
        children.setdefault(parent_id, []).append(pk)
    stack = [category.pk]
    while stack:
        for child in children.get(stack.pop(), ()):
            if child not in ids:
                ids.add(child)
                stack.append(child)
    return ids


STANDARDS = Standard.objects.order_by("prefix", "number", "part", "-year")
ITEM_KINDS = (("micro", "微生物项目"), ("chemical", "理化及其他项目"))


class TestItemFilterSet(BaseFilterSet):
    """``category``: the items that concern a category (linked to it, an ancestor or a descendant); ``standard``: the
    items with a limit judged by or tested with a standard version (``judging_standard`` / ``method_standard``: one
    role only). Plain ModelChoiceFilters (an id that does not exist lists nothing through the API, like every
    single-row filter); their lookups are applied in ``filter_queryset``."""

    __test__ = False  # not a pytest class

    category = django_filters.ModelChoiceFilter(
        queryset=SamplingCategory.objects.order_by("code"),
        field_name="categories",
        label="抽检食品分类",
        empty_label="全部",
    )
    standard = django_filters.ModelChoiceFilter(
        queryset=STANDARDS, field_name="limits__judging_standard", label="判定依据或检验依据", empty_label="全部"
    )
    judging_standard = django_filters.ModelChoiceFilter(
        queryset=STANDARDS, field_name="limits__judging_standard", label="判定依据", empty_label="全部"
    )
    method_standard = django_filters.ModelChoiceFilter(
        queryset=STANDARDS, field_name="limits__method_standard", label="检验依据", empty_label="全部"
    )
    judgement_type = django_filters.ChoiceFilter(
        choices=JudgementType.choices, label="判定方式", method="filter_judgement_type", empty_label="全部"
    )
    kind = django_filters.ChoiceFilter(choices=ITEM_KINDS, label="项目类别", method="filter_kind", empty_label="全部")
    q = django_filters.CharFilter(label="项目名称或代码", method="filter_q", max_length=100)

    RELATED = ("category", "standard", "judging_standard", "method_standard")

    class Meta:
        model = TestItem
        fields = ["category", "standard", "judging_standard", "method_standard", "judgement_type", "kind", "q"]
        form = FilterForm

    def filter_queryset(self, queryset):
        data = self.form.cleaned_data
        category = data.get("category")
        if category is not None:
            links = TestItem.categories.through.objects.filter(samplingcategory_id__in=related_category_ids(category))
            queryset = queryset.filter(pk__in=links.values("testitem_id"))
        for name in ("standard", "judging_standard", "method_standard"):
            value = data.get(name)
            if value is None:
                continue
            if name == "standard":
                limits = TestLimit.objects.filter(Q(judging_standard=value) | Q(method_standard=value))
            else:
                limits = TestLimit.objects.filter(**{name: value})
            queryset = queryset.filter(pk__in=limits.values("test_item_id"))
        for name, value in data.items():
            if name not in self.RELATED:
                queryset = self.filters[name].filter(queryset, value)
        return queryset

    def filter_judgement_type(self, queryset, name, value):
        return queryset.filter(pk__in=TestLimit.objects.filter(judgement_type=value).values("test_item_id"))

    def filter_kind(self, queryset, name, value):
        return queryset.filter(is_microbiological=value == "micro")

    def filter_q(self, queryset, name, value):
        text = value.strip()
        return queryset.filter(Q(name__icontains=text) | Q(code__icontains=text))


class SamplingCategoryFilterSet(BaseFilterSet):
    level = django_filters.ChoiceFilter(choices=CategoryLevel.choices, label="级别", empty_label="全部")
    hazard = django_filters.NumberFilter(field_name="hazard", label="风险程度", min_value=1, max_value=5)
    q = django_filters.CharFilter(label="分类名称或代码", method="filter_q", max_length=60)

    class Meta:
        model = SamplingCategory
        fields = ["level", "hazard", "q"]
        form = FilterForm

    def filter_q(self, queryset, name, value):
        text = value.strip()
        return queryset.filter(Q(name__icontains=text) | Q(code__startswith=text))
