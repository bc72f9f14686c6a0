"""FilterSet of the incident list, shared by the page, the Excel export and the API (an empty value is no filter,
``BaseFilterSet``). ``township`` takes a township id or ``none`` (incidents with no township: city-level);
``first_report`` the states of the first-report clock (choices.FirstReportState); ``year`` the year learned of."""

import datetime as dt

import django_filters
from django.db.models import F, Q
from django.utils import timezone

from apps.accounts.models import Township
from apps.common.filters import BaseFilterSet, FilterForm

from ..models.emergencies import Incident, IncidentLevel, IncidentStatus
from .choices import FirstReportState

Q_MAX = 60
FR = FirstReportState


def township_choices():
    return [("none", "未定镇街（市级）")] + [
        (str(pk), name)
        for pk, name in Township.objects.filter(is_active=True).order_by("order", "id").values_list("pk", "name")
    ]


def first_report_q(state: str, now: dt.datetime) -> Q:
    """The rows of one first-report state (also used by the timeliness counts, so list and figure agree)."""
    unreported = Q(first_reported_at__isnull=True)
    past_due = Q(first_report_due__lt=now)
    if state == FR.ON_TIME:
        return Q(first_reported_at__isnull=False, first_reported_at__lte=F("first_report_due"))
    if state == FR.LATE:
        return Q(first_reported_at__gt=F("first_report_due")) | (unreported & past_due)
    if state == FR.OVERDUE:
        return unreported & past_due
    if state == FR.PENDING:
        return unreported
    return Q(first_reported_at__isnull=False) | past_due  # DUE


class IncidentFilterSet(BaseFilterSet):
    q = django_filters.CharFilter(label="关键词", method="filter_q", max_length=Q_MAX)
    status = django_filters.ChoiceFilter(label="状态", choices=IncidentStatus.choices, empty_label="全部")
    level = django_filters.ChoiceFilter(label="确认级别", choices=IncidentLevel.choices, empty_label="全部")
    township = django_filters.ChoiceFilter(
        label="镇街", choices=township_choices, method="filter_township", empty_label="全部", field_name="township_ref"
    )
    year = django_filters.NumberFilter(
        label="获知年度", field_name="learned_at", lookup_expr="year", min_value=2000, max_value=2100
    )
    first_report = django_filters.ChoiceFilter(
        label="初报时效", choices=FR.choices, method="filter_first_report", empty_label="全部"
    )

    class Meta:
        model = Incident
        form = FilterForm
        fields = ["q", "status", "level", "township", "year", "first_report"]

    def filter_q(self, queryset, name, value):
        text = value.strip()
        return queryset.filter(
            Q(number__iexact=text)
            | Q(title__icontains=text)
            | Q(places__icontains=text)
            | Q(description__icontains=text)
        )

    def filter_township(self, queryset, name, value: str):
        if value == "none":
            return queryset.filter(township__isnull=True)
        return queryset.filter(township_id=int(value))

    def filter_first_report(self, queryset, name, value):
        return queryset.filter(first_report_q(value, timezone.now()))
