"""FilterSets of assessment/campaigns, shared by the pages and the API (an empty value is no filter,
``BaseFilterSet``).

``year`` does not narrow the campaigns: it is the year whose targets and progress are shown (default: this year);
declaring it here lets the strict API filter backend accept it and documents its bounds."""

import django_filters
from django.db.models import Q

from apps.accounts.models import Township
from apps.common.filters import BaseFilterSet, FilterForm

from ..models.campaigns import Campaign, CampaignProgress

YEAR_BOUNDS = {"min_value": 2000, "max_value": 2100}
NONE = "none"


def township_choices():
    rows = Township.objects.filter(is_active=True).order_by("order", "id").values_list("pk", "name")
    return [(NONE, "全市（不属任何镇街）"), *((str(pk), name) for pk, name in rows)]


class CampaignFilterSet(BaseFilterSet):
    q = django_filters.CharFilter(label="关键词", method="filter_q", max_length=60)
    year = django_filters.NumberFilter(label="年度", method="filter_year", **YEAR_BOUNDS)

    class Meta:
        model = Campaign
        form = FilterForm
        fields = ["q", "year"]

    def filter_q(self, queryset, name, value):
        text = value.strip()
        return queryset.filter(Q(name__icontains=text) | Q(description__icontains=text))

    def filter_year(self, queryset, name, value):
        return queryset  # the year of the figures, read by the view


class ProgressFilterSet(BaseFilterSet):
    """The manual progress entries of one target (the rows a manual value links to)."""

    year = django_filters.NumberFilter(label="年度", field_name="year", **YEAR_BOUNDS)
    township = django_filters.ChoiceFilter(
        label="镇街", choices=township_choices, method="filter_township", empty_label="全部"
    )

    class Meta:
        model = CampaignProgress
        form = FilterForm
        fields = ["year", "township"]

    def filter_township(self, queryset, name, value: str):
        if value == NONE:
            return queryset.filter(township__isnull=True)
        return queryset.filter(township_id=int(value))
