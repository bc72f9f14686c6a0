"""FilterSets of the plan list and the drill list, each shared by its page, the API and the Excel export (an empty
value is no filter, ``BaseFilterSet``).

``township`` takes a township's id or ``none`` (city-level rows, no township). It is a choice over exactly those
values, so the OpenAPI schema documents it as a string enum (``none`` + the active townships' ids), not an
integer: an integer type would let a generated client send ids that do not exist and make ``none`` undocumented."""

import django_filters
from django import forms
from django.db.models import Q

from apps.accounts.models import Township
from apps.common.filters import BaseFilterSet, FilterForm

from ..models.drills import Drill, DrillKind, EmergencyPlan, PlanLevel

Q_MAX = 60
NONE = "none"
YEAR_BOUNDS = {"min_value": 2000, "max_value": 2100}
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def township_choices():
    """``none`` (市级) and every active township, by id — what ``township=`` accepts."""
    rows = Township.objects.filter(is_active=True).order_by("order", "id").values_list("pk", "name")
    return [(NONE, "市级（不属任何镇街）"), *((str(pk), name) for pk, name in rows)]


def filter_township(queryset, name, value):
    if value == NONE:
        return queryset.filter(township__isnull=True)
    return queryset.filter(township_id=int(value))


class PlanFilterSet(BaseFilterSet):
    q = django_filters.CharFilter(label="关键词", method="filter_q", max_length=Q_MAX)
    level = django_filters.ChoiceFilter(label="层级", choices=PlanLevel.choices, empty_label="全部")
    township = django_filters.ChoiceFilter(
        label="镇街", choices=township_choices, method="filter_township", empty_label="全部"
    )

    class Meta:
        model = EmergencyPlan
        form = FilterForm
        fields = ["q", "level", "township"]

    def filter_q(self, queryset, name, value):
        text = value.strip()
        return queryset.filter(Q(title__icontains=text) | Q(owner_department__icontains=text))

    def filter_township(self, queryset, name, value: str):  # typed: the schema says string, not the FK integer
        return filter_township(queryset, name, value)


class DrillFilterSet(BaseFilterSet):
    q = django_filters.CharFilter(label="关键词", method="filter_q", max_length=Q_MAX)
    township = django_filters.ChoiceFilter(
        label="镇街", choices=township_choices, method="filter_township", empty_label="全部"
    )
    year = django_filters.NumberFilter(label="年度", field_name="date", lookup_expr="year", **YEAR_BOUNDS)
    kind = django_filters.ChoiceFilter(label="演练形式", choices=DrillKind.choices, empty_label="全部")
    plan = django_filters.NumberFilter(
        label="依据预案编号", field_name="plan_id", min_value=1, widget=forms.HiddenInput
    )  # set by the plan page's link ("依据本预案的演练"), not typed
    date_from = django_filters.DateFilter(label="日期起", field_name="date", lookup_expr="gte", widget=DATE)
    date_to = django_filters.DateFilter(label="日期止", field_name="date", lookup_expr="lte", widget=DATE)

    class Meta:
        model = Drill
        form = FilterForm
        fields = ["q", "township", "year", "kind", "plan", "date_from", "date_to"]

    def filter_q(self, queryset, name, value):
        text = value.strip()
        return queryset.filter(
            Q(scenario__icontains=text) | Q(participant_orgs__icontains=text) | Q(findings__icontains=text)
        )

    def filter_township(self, queryset, name, value: str):  # typed: the schema says string, not the FK integer
        return filter_township(queryset, name, value)
