"""FilterSets of the fieldwork lists (organisations, tasks, samples), shared by the page, the API and the export.

The sample list's parameter names are a contract: other pages (quota burn-down, dashboards, publication) link to
``sampling:sample_list`` with ``township``, ``year``, ``month``, ``category``, ``purpose``, ``business_type``,
``source``, ``status``, ``lab``, ``conclusion``, ``quick_test``, ``sampled_until`` (and ``q``). Ids for rows, codes for enums; a category or
a business type includes everything under it; ``purpose`` may repeat (``purpose=supervisory&purpose=evaluative``: the
quota page's 食品抽检 figures); ``quick_test`` is ``1``/``0`` (快检 or lab samples). An empty value is no filter
(``BaseFilterSet``)."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q

from apps.accounts.models import Township
from apps.common.filters import BaseFilterSet, FilterForm
from apps.enterprises.models import BusinessType
from apps.standards.models import SamplingCategory

from ..choices import LineSource, OrganisationKind, SampleStatus, SamplingPurpose, TaskStatus, Verdict
from ..models import Organisation, PlanLine, Sample, SamplingPlan, SamplingTask

NO_CONCLUSION = "none"  # ?conclusion=none: samples without a lab conclusion yet
YES_NO = [("", "全部"), ("true", "是"), ("false", "否")]
MONTHS = [("", "全部"), *((str(m), f"{m} 月") for m in range(1, 13))]
QUICK_TEST = [("", "全部"), ("1", "快检"), ("0", "实验室检验")]
MISSING = object()  # an id that names no row: the filter matches nothing (like a missing ?township=)


class _RowOrNothingField(forms.ModelChoiceField):
    """An id that is a number but names no row is "nothing matches", not an invalid value (the platform's rule for
    single-row filters, apps.common.api.filters.missing_ids); anything else invalid stays invalid."""

    def to_python(self, value):
        try:
            return super().to_python(value)
        except ValidationError:
            if str(value).strip().isdigit():
                return MISSING
            raise


class RepeatableSelect(forms.Select):
    """A single select in the filter bar that still reads a repeated parameter (links may name several values)."""

    def value_from_datadict(self, data, files, name):
        getter = getattr(data, "getlist", None)
        return getter(name) if getter else data.get(name)


class SubtreeFilter(django_filters.ModelChoiceFilter):
    """A row and everything under it (a category with its sub-categories, a business type with its children)."""

    field_class = _RowOrNothingField

    def __init__(self, *args, subtree, **kwargs):
        self.subtree = subtree
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value is MISSING:
            return qs.none()
        if value in (None, ""):
            return qs
        return qs.filter(self.subtree(value))


def _townships():
    return Township.objects.filter(is_active=True).order_by("order", "id")


def _samplers():
    return Organisation.objects.filter(kind=OrganisationKind.SAMPLER).order_by("name")


def _labs():
    return Organisation.objects.filter(kind=OrganisationKind.LAB).order_by("name")


def _categories():
    return SamplingCategory.objects.filter(is_active=True).order_by("level", "order", "code")


def category_q(category, prefix: str = "category") -> Q:
    """The category and its descendants (4 levels), on the path ``prefix``."""
    return (
        Q(**{prefix: category})
        | Q(**{f"{prefix}__parent": category})
        | Q(**{f"{prefix}__parent__parent": category})
        | Q(**{f"{prefix}__parent__parent__parent": category})
    )


def business_type_q(business_type) -> Q:
    """The enterprise's business type is this one or one of its children (单位食堂 › 学校食堂)."""
    return Q(enterprise__business_type=business_type) | Q(enterprise__business_type__parent=business_type)


class OrganisationFilterSet(BaseFilterSet):
    kind = django_filters.ChoiceFilter(label="类型", choices=OrganisationKind.choices, empty_label="全部")
    is_recheck_lab = django_filters.BooleanFilter(label="复检机构名录", widget=forms.Select(choices=YES_NO))
    is_active = django_filters.BooleanFilter(label="启用", widget=forms.Select(choices=YES_NO))
    q = django_filters.CharFilter(label="名称或统一社会信用代码", method="filter_q", max_length=100)

    class Meta:
        model = Organisation
        fields: list[str] = []
        form = FilterForm

    def filter_q(self, queryset, name, value):
        text = value.strip()
        return queryset.filter(Q(name__icontains=text) | Q(uscc__icontains=text.upper()))


class TaskFilterSet(BaseFilterSet):
    """抽样任务 (page, API): status, township, plan, plan line, sampling organisation, lab, category, year, q."""

    status = django_filters.ChoiceFilter(label="状态", choices=TaskStatus.choices, empty_label="全部")
    township = django_filters.ModelChoiceFilter(
        label="镇街", field_name="enterprise__township", queryset=_townships(), empty_label="全部"
    )
    plan = django_filters.ModelChoiceFilter(
        label="计划", queryset=SamplingPlan.objects.order_by("-year", "name"), empty_label="全部"
    )
    plan_line = django_filters.NumberFilter(label="计划明细编号", field_name="plan_line_id", widget=forms.HiddenInput)
    sampling_org = django_filters.ModelChoiceFilter(label="抽样机构", queryset=_samplers(), empty_label="全部")
    lab = django_filters.ModelChoiceFilter(label="检验机构", queryset=_labs(), empty_label="全部")
    category = SubtreeFilter(label="食品分类", queryset=_categories(), subtree=category_q, empty_label="全部")
    year = django_filters.NumberFilter(label="年度", field_name="plan__year")
    q = django_filters.CharFilter(label="被抽样单位名称", method="filter_q", max_length=100)

    class Meta:
        model = SamplingTask
        fields: list[str] = []
        form = FilterForm

    def filter_q(self, queryset, name, value):
        text = value.strip()
        return queryset.filter(Q(enterprise__name__icontains=text) | Q(enterprise__uscc__icontains=text.upper()))


class SampleFilterSet(BaseFilterSet):
    """样品（抽样单）(page, API, export): see the module docstring for the names other pages link with."""

    q = django_filters.CharFilter(label="抽样单编号或样品/单位名称", method="filter_q", max_length=100)
    township = django_filters.ModelChoiceFilter(label="镇街", queryset=_townships(), empty_label="全部")
    year = django_filters.NumberFilter(label="年度", field_name="sampled_on__year")
    month = django_filters.NumberFilter(
        label="月份", field_name="sampled_on__month", min_value=1, max_value=12, widget=forms.Select(choices=MONTHS)
    )
    category = SubtreeFilter(label="食品分类", queryset=_categories(), subtree=category_q, empty_label="全部")
    purpose = django_filters.MultipleChoiceFilter(
        label="任务类别", choices=[("", "全部"), *SamplingPurpose.choices], widget=RepeatableSelect
    )
    business_type = SubtreeFilter(
        label="业态",
        field_name="enterprise__business_type",
        queryset=BusinessType.objects.order_by("order", "id"),
        subtree=business_type_q,
        empty_label="全部",
    )
    source = django_filters.ChoiceFilter(label="抽检来源", choices=LineSource.choices, empty_label="全部")
    status = django_filters.ChoiceFilter(label="状态", choices=SampleStatus.choices, empty_label="全部")
    quick_test = django_filters.BooleanFilter(
        label="快检", field_name="is_quick_test", widget=forms.Select(choices=QUICK_TEST)
    )
    sampling_org = django_filters.ModelChoiceFilter(label="抽样机构", queryset=_samplers(), empty_label="全部")
    lab = django_filters.ModelChoiceFilter(label="检验机构", queryset=_labs(), empty_label="全部")
    conclusion = django_filters.ChoiceFilter(
        label="检验结论",
        choices=[*Verdict.choices, (NO_CONCLUSION, "尚无结论")],
        method="filter_conclusion",
        empty_label="全部",
    )
    # links only (a task's or an enterprise's samples): kept as hidden fields of the filter bar
    task = django_filters.NumberFilter(label="抽样任务编号", field_name="task_id", widget=forms.HiddenInput)
    enterprise = django_filters.NumberFilter(
        label="被抽样单位编号", field_name="enterprise_id", widget=forms.HiddenInput
    )
    sampled_until = django_filters.DateFilter(  # a measure as of a day (apps/sampling/plans/measures.py)
        label="抽样日期截至", field_name="sampled_on", lookup_expr="lte", widget=forms.HiddenInput
    )

    class Meta:
        model = Sample
        fields: list[str] = []
        form = FilterForm

    def filter_q(self, queryset, name, value):
        text = value.strip()
        return queryset.filter(Q(number__icontains=text) | Q(name__icontains=text) | Q(site_name__icontains=text))

    def filter_conclusion(self, queryset, name, value):
        if value == NO_CONCLUSION:
            return queryset.filter(conclusion="")
        return queryset.filter(conclusion=value)


class OpenLineFilterSet(BaseFilterSet):
    """Plan lines that can still take tasks (the line picker of 下达抽样任务): year, township, month, category, source."""

    year = django_filters.NumberFilter(label="年度", field_name="plan__year")
    township = django_filters.ModelChoiceFilter(label="镇街", queryset=_townships(), empty_label="全部")
    month = django_filters.NumberFilter(
        label="月份", field_name="month", min_value=1, max_value=12, widget=forms.Select(choices=MONTHS)
    )
    category = SubtreeFilter(label="食品分类", queryset=_categories(), subtree=category_q, empty_label="全部")
    source = django_filters.ChoiceFilter(label="来源", choices=LineSource.choices, empty_label="全部")

    class Meta:
        model = PlanLine
        fields: list[str] = []
        form = FilterForm
