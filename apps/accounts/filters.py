"""FilterSets of the accounts app (STYLE.md §3.7)."""

from django_filters import rest_framework as filters

from apps.common.filters import BaseFilterSet

from .models import Township, TownshipKind


class TownshipFilterSet(BaseFilterSet):
    kind = filters.ChoiceFilter(choices=TownshipKind.choices, label="类型")
    is_active = filters.BooleanFilter(label="启用")

    class Meta:
        model = Township
        fields = ["kind", "is_active"]
