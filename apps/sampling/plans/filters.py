"""FilterSets of the plan lists, shared by the pages and the API (STYLE.md §3.7). An empty value is no filter
(``BaseFilterSet``); an invalid one is an error beside the form (page) or a 400 (API)."""

import django_filters

from apps.common.filters import BaseFilterSet, FilterForm

from ..choices import LineOrigin, LineSource, PlanStatus, SamplingPurpose
from ..models import PlanLine, SamplingPlan

YEAR_BOUNDS = {"min_value": 2000, "max_value": 2100}
ISSUED = "issued"  # ?status=issued: lines of issued plans (已下达 or 已结束), what the quota page counts as planned


class SamplingPlanFilterSet(BaseFilterSet):
    """Plans (page and API): year, purpose, status."""

    year = django_filters.NumberFilter(field_name="year", label="年度", **YEAR_BOUNDS)
    purpose = django_filters.ChoiceFilter(choices=SamplingPurpose.choices, label="任务类别", empty_label="全部")
    status = django_filters.ChoiceFilter(choices=PlanStatus.choices, label="状态", empty_label="全部")

    class Meta:
        model = SamplingPlan
        fields = ["year", "purpose", "status"]
        form = FilterForm


class PlanLineFilterSet(BaseFilterSet):
    """Plan lines (page and API): plan, year, township, month, category (a 大类 includes its sub-categories), source,
    purpose and status of the plan, origin. The quota page links here with the same names."""

    plan = django_filters.NumberFilter(field_name="plan_id", label="计划编号", min_value=1)
    year = django_filters.NumberFilter(field_name="plan__year", label="年度", **YEAR_BOUNDS)
    township = django_filters.NumberFilter(field_name="township_id", label="镇街编号", min_value=1)
    month = django_filters.NumberFilter(field_name="month", label="月份", min_value=1, max_value=12)
    category = django_filters.NumberFilter(label="抽检分类编号", method="filter_category", min_value=1)
    source = django_filters.ChoiceFilter(choices=LineSource.choices, label="来源", empty_label="全部")
    purpose = django_filters.MultipleChoiceFilter(
        field_name="plan__purpose", choices=SamplingPurpose.choices, label="任务类别", distinct=False
    )
    status = django_filters.ChoiceFilter(
        choices=[(ISSUED, "已下达或已结束"), *PlanStatus.choices],
        label="计划状态",
        empty_label="全部",
        method="filter_status",
    )
    origin = django_filters.ChoiceFilter(choices=LineOrigin.choices, label="编制依据", empty_label="全部")

    class Meta:
        model = PlanLine
        fields = ["plan", "year", "township", "month", "category", "source", "purpose", "status", "origin"]
        form = FilterForm

    def filter_status(self, queryset, name, value):
        if value == ISSUED:
            return queryset.filter(plan__status__in=(PlanStatus.APPROVED, PlanStatus.CLOSED))
        return queryset.filter(plan__status=value)

    def filter_category(self, queryset, name, value):
        """The category or any of its descendants (the catalogue has four levels)."""
        from django.db.models import Q

        value = int(value)
        return queryset.filter(
            Q(category_id=value)
            | Q(category__parent_id=value)
            | Q(category__parent__parent_id=value)
            | Q(category__parent__parent__parent_id=value)
        )
