"""FilterSet of the 舆情 list, shared by the page, the Excel export and the API (an empty value is no filter,
``BaseFilterSet``). ``township`` takes a township id or ``none`` (events with no township); ``year`` is the year of
discovery; ``response`` is the state of the response clock (``ResponseState``) — the timeliness measure and the
dashboard figure link here with exactly the rows they count."""

import django_filters
from django import forms
from django.db.models import F, Q
from django.utils import timezone

from apps.accounts.models import Township
from apps.common.filters import BaseFilterSet, FilterForm

from ..models.opinion import OpinionEvent
from .choices import OpinionRisk, OpinionSource, OpinionStatus, ResponseState

Q_MAX = 60
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
NO_TOWNSHIP = "none"


def township_choices():
    return [(NO_TOWNSHIP, "未指定镇街")] + [
        (str(pk), name)
        for pk, name in Township.objects.filter(is_active=True).order_by("order", "id").values_list("pk", "name")
    ]


def response_q(state: str, now) -> Q:
    """The rows of one response state (also used by the selectors, so the figures and the list agree)."""
    responded = Q(responded_at__isnull=False)
    on_time = responded & Q(responded_at__lte=F("response_due"))
    overdue = Q(responded_at__isnull=True, response_due__lt=now)
    return {
        ResponseState.ON_TIME: on_time,
        ResponseState.LATE: (responded & Q(responded_at__gt=F("response_due"))) | overdue,
        ResponseState.PENDING: Q(responded_at__isnull=True),
        ResponseState.OVERDUE: overdue,
        ResponseState.COUNTED: responded | overdue,
    }[state]


class OpinionEventFilterSet(BaseFilterSet):
    q = django_filters.CharFilter(label="关键词", method="filter_q", max_length=Q_MAX)
    source = django_filters.ChoiceFilter(label="来源", choices=OpinionSource.choices)
    status = django_filters.ChoiceFilter(label="状态", choices=OpinionStatus.choices)
    risk = django_filters.ChoiceFilter(label="风险", choices=OpinionRisk.choices)
    # ``field_name`` names no model field on purpose: the schema then types the parameter from its (string) choices,
    # not from the ``township`` foreign key (an integer, which ``none`` is not); the method does the filtering.
    township = django_filters.ChoiceFilter(
        label="镇街", choices=township_choices, method="filter_township", field_name="township_key"
    )
    year = django_filters.NumberFilter(
        label="发现年份", method="filter_year", min_value=2000, max_value=2100, widget=forms.NumberInput()
    )
    discovered_from = django_filters.DateFilter(
        label="发现日期起", field_name="discovered_at", lookup_expr="date__gte", widget=DATE
    )
    discovered_to = django_filters.DateFilter(
        label="发现日期止", field_name="discovered_at", lookup_expr="date__lte", widget=DATE
    )
    response = django_filters.ChoiceFilter(label="回应", choices=ResponseState.choices, method="filter_response")

    class Meta:
        model = OpinionEvent
        form = FilterForm
        fields = ["q", "source", "status", "risk", "township", "year", "discovered_from", "discovered_to", "response"]

    def filter_q(self, queryset, name, value):
        text = value.strip()
        return queryset.filter(
            Q(number__iexact=text)
            | Q(title__icontains=text)
            | Q(content__icontains=text)
            | Q(subject_name__icontains=text)
            | Q(address__icontains=text)
        )

    def filter_township(self, queryset, name, value: str):
        if value == NO_TOWNSHIP:
            return queryset.filter(township__isnull=True)
        return queryset.filter(township_id=int(value))

    def filter_year(self, queryset, name, value):
        import datetime as dt

        tz = timezone.get_current_timezone()
        year = int(value)
        return queryset.filter(
            discovered_at__gte=dt.datetime(year, 1, 1, tzinfo=tz),
            discovered_at__lt=dt.datetime(year + 1, 1, 1, tzinfo=tz),
        )

    def filter_response(self, queryset, name, value):
        return queryset.filter(response_q(value, timezone.now()))
