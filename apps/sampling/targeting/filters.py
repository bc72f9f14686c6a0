"""FilterSets of sampling/targeting: the suggestions (page and API share one) and the 风险会商 records."""

import django_filters
from django import forms

from apps.accounts.models import Township
from apps.common.filters import BaseFilterSet, FilterForm
from apps.enterprises.models import Enterprise
from apps.standards.models import SamplingCategory

from ..models import ConsultationMeeting

YEAR_MIN, YEAR_MAX = 2000, 2100
YEAR_ERRORS = {
    "invalid": "年度请填写四位数字，如 2026",
    "min_value": f"年度应在 {YEAR_MIN}–{YEAR_MAX} 之间",
    "max_value": f"年度应在 {YEAR_MIN}–{YEAR_MAX} 之间",
}
CHOICE_ERRORS = {"invalid_choice": "所选项不存在，请重新选择"}


class IntegerFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


def _majors():
    return SamplingCategory.objects.filter(level=1, is_active=True).order_by("order", "code")


class SuggestionFilterSet(BaseFilterSet):
    """Filters the visible operating enterprises (township); ``year`` and ``category`` are parameters of the ranking
    (read from the form by ``selectors.suggestion_list``), so they leave the queryset as it is."""

    year = IntegerFilter(
        label="年度",
        method="keep",
        min_value=YEAR_MIN,
        max_value=YEAR_MAX,
        help_text="计划年度（默认今年）",
        error_messages=YEAR_ERRORS,
    )
    township = django_filters.ModelChoiceFilter(
        label="镇街",
        field_name="township",
        queryset=Township.objects.filter(is_active=True).order_by("order"),
        empty_label="全部镇街",
        error_messages=CHOICE_ERRORS,
    )
    category = django_filters.ModelChoiceFilter(
        label="抽检大类", method="keep", queryset=_majors(), empty_label="全部大类", error_messages=CHOICE_ERRORS
    )

    class Meta:
        model = Enterprise
        fields: list[str] = []
        form = FilterForm

    def keep(self, queryset, name, value):
        return queryset


class ConsultationMeetingFilterSet(BaseFilterSet):
    year = IntegerFilter(
        label="年度",
        field_name="held_on",
        lookup_expr="year",
        min_value=YEAR_MIN,
        max_value=YEAR_MAX,
        error_messages=YEAR_ERRORS,
    )
    q = django_filters.CharFilter(label="主题", field_name="title", lookup_expr="icontains", max_length=100)

    class Meta:
        model = ConsultationMeeting
        fields: list[str] = []
        form = FilterForm
