"""FilterSets of the assessment lists (round list, score list, appeal list, star ratings), each shared by its page,
the API and the export (an empty value is no filter, ``BaseFilterSet``)."""

import django_filters

from apps.accounts.models import Township
from apps.common.filters import BaseFilterSet, FilterForm

from ..models.schemes import AppealStatus, AssessmentRound, RoundStatus, ScoreAppeal, StarRating, TownshipScore

YEAR_BOUNDS = {"min_value": 2000, "max_value": 2100}


def _townships(request=None):
    return Township.objects.filter(is_active=True).order_by("order", "id")


class RoundFilterSet(BaseFilterSet):
    year = django_filters.NumberFilter(label="年度", field_name="year", **YEAR_BOUNDS)
    status = django_filters.ChoiceFilter(label="状态", choices=RoundStatus.choices, empty_label="全部")

    class Meta:
        model = AssessmentRound
        form = FilterForm
        fields = ["year", "status"]


class ScoreFilterSet(BaseFilterSet):
    year = django_filters.NumberFilter(label="年度", field_name="round__year", **YEAR_BOUNDS)
    round = django_filters.NumberFilter(label="轮次编号", field_name="round_id", min_value=1)
    township = django_filters.ModelChoiceFilter(label="镇街", queryset=_townships, empty_label="全部")
    stars = django_filters.NumberFilter(label="星级", field_name="stars", min_value=1, max_value=5)

    class Meta:
        model = TownshipScore
        form = FilterForm
        fields = ["year", "round", "township", "stars"]


class AppealFilterSet(BaseFilterSet):
    year = django_filters.NumberFilter(label="年度", field_name="round__year", **YEAR_BOUNDS)
    township = django_filters.ModelChoiceFilter(label="镇街", queryset=_townships, empty_label="全部")
    status = django_filters.ChoiceFilter(label="状态", choices=AppealStatus.choices, empty_label="全部")

    class Meta:
        model = ScoreAppeal
        form = FilterForm
        fields = ["year", "township", "status"]


class StarFilterSet(BaseFilterSet):
    township = django_filters.ModelChoiceFilter(label="镇街", queryset=_townships, empty_label="全部")
    year = django_filters.NumberFilter(label="年度", field_name="year", **YEAR_BOUNDS)
    stars = django_filters.NumberFilter(label="星级", field_name="stars", min_value=1, max_value=5)

    class Meta:
        model = StarRating
        form = FilterForm
        fields = ["township", "year", "stars"]
