"""FilterSets of the assessment lists (round list, score list, appeal list, star ratings), each shared by its page,
the API and the export (an empty value is no filter, ``BaseFilterSet``)."""

import django_filters

from apps.accounts.models import Township
from apps.common.filters import BaseFilterSet, FilterForm

from ..models.schemes import AppealStatus, AssessmentRound, RoundStatus, ScoreAppeal, StarRating, TownshipScore

YEAR_BOUNDS = {"min_value": 2000, "max_value": 2100}


def township_choices():
    """The active townships by id — what ``township=`` accepts. A choice (documented in the OpenAPI schema as the
    string enum of the ids, as the drill list does), not a ModelChoiceFilter: an integer type would let a client
    send ids that do not exist."""
    rows = Township.objects.filter(is_active=True).order_by("order", "id").values_list("pk", "name")
    return [(str(pk), name) for pk, name in rows]


def _township_filter():
    return django_filters.ChoiceFilter(
        label="镇街", choices=township_choices, method="filter_township", empty_label="全部"
    )


class _TownshipMixin:
    def filter_township(self, queryset, name, value: str):  # typed: the schema says string, not the FK integer
        return queryset.filter(township_id=int(value))


class RoundFilterSet(BaseFilterSet):
    year = django_filters.NumberFilter(label="年度", field_name="year", **YEAR_BOUNDS)
    status = django_filters.ChoiceFilter(label="状态", choices=RoundStatus.choices, empty_label="全部")

    class Meta:
        model = AssessmentRound
        form = FilterForm
        fields = ["year", "status"]


class ScoreFilterSet(_TownshipMixin, BaseFilterSet):
    year = django_filters.NumberFilter(label="年度", field_name="round__year", **YEAR_BOUNDS)
    round = django_filters.NumberFilter(label="轮次编号", field_name="round_id", min_value=1)
    township = _township_filter()
    stars = django_filters.NumberFilter(label="星级", field_name="stars", min_value=1, max_value=5)

    class Meta:
        model = TownshipScore
        form = FilterForm
        fields = ["year", "round", "township", "stars"]


class AppealFilterSet(_TownshipMixin, BaseFilterSet):
    year = django_filters.NumberFilter(label="年度", field_name="round__year", **YEAR_BOUNDS)
    township = _township_filter()
    status = django_filters.ChoiceFilter(label="状态", choices=AppealStatus.choices, empty_label="全部")

    class Meta:
        model = ScoreAppeal
        form = FilterForm
        fields = ["year", "township", "status"]


class StarFilterSet(_TownshipMixin, BaseFilterSet):
    township = _township_filter()
    year = django_filters.NumberFilter(label="年度", field_name="year", **YEAR_BOUNDS)
    stars = django_filters.NumberFilter(label="星级", field_name="stars", min_value=1, max_value=5)

    class Meta:
        model = StarRating
        form = FilterForm
        fields = ["township", "year", "stars"]
