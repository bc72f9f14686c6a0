"""FilterSet of the complaint list, shared by the page, the Excel export and the API (an empty value is no filter,
``BaseFilterSet``).

The timeliness parameters are a contract: the per-township timeliness page (时效考核) and the home-page figures link
here with ``year`` (received in that year, Asia/Shanghai), ``township`` (an id, or ``none`` for the complaints with no
township yet) and ``acceptance`` / ``feedback`` = ``on_time`` | ``late`` | ``counted`` (on time or late). The counts
those pages show are computed from the same conditions (``timeliness_q``), so a link opens exactly its rows."""

import datetime as dt

import django_filters
from django import forms
from django.db.models import F, Q
from django.utils import timezone
from django_filters.fields import ChoiceField
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from apps.accounts.models import Township
from apps.common.filters import BaseFilterSet, FilterForm

from ..models import Complaint
from .choices import ComplaintChannel, ComplaintKind, ComplaintStatus

Q_MAX = 60
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
OVERDUE_CHOICES = [("acceptance", "受理决定已超期"), ("feedback", "反馈已超期")]
NO_TOWNSHIP = "none"  # ?township=none: complaints not routed to a township yet (a city-level case)
ON_TIME, LATE, COUNTED = "on_time", "late", "counted"
TIMELINESS_CHOICES = [(ON_TIME, "按时"), (LATE, "超期"), (COUNTED, "按时或超期（计入考核）")]
# step -> (due date field, done datetime field)
TIMELINESS_STEPS = {"acceptance": ("acceptance_due", "decided_at"), "feedback": ("feedback_due", "feedback_at")}
REWARD_CHOICES = [("assessed", "已核定待发放"), ("paid", "已发放"), ("none", "无奖励")]


def timeliness_q(step: str, state: str, today: dt.date) -> Q:
    """The complaints of ``state`` for the clock of ``step`` (``acceptance``: 受理决定, ``feedback``: 反馈反映人).

    * on time: done on or before its due date (the local day of the done time);
    * late: done after its due date, or not done and the due date has passed (an overdue open case is late);
    * counted: on time or late. A step still inside its deadline, or whose clock has not started (no due date: a
      feedback before the case is closed), is neither.
    """
    due, done = TIMELINESS_STEPS[step]
    started = Q(**{f"{due}__isnull": False})
    on_time = started & Q(**{f"{done}__isnull": False, f"{done}__date__lte": F(due)})
    late = started & (
        Q(**{f"{done}__isnull": False, f"{done}__date__gt": F(due)})
        | Q(**{f"{done}__isnull": True, f"{due}__lt": today})
    )
    if state == ON_TIME:
        return on_time
    if state == LATE:
        return late
    return on_time | late


def overdue_q(step: str, today: dt.date) -> Q:
    """``?overdue=acceptance``: no acceptance decision by its due date; ``?overdue=feedback``: closed or not
    accepted and the reporter not yet told by the feedback due date."""
    if step == "acceptance":
        return Q(status=ComplaintStatus.PENDING, acceptance_due__lt=today)
    return Q(status__in=[ComplaintStatus.CLOSED, ComplaintStatus.REJECTED], feedback_due__lt=today)


def year_range(year: int) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    return dt.datetime(year, 1, 1, tzinfo=tz), dt.datetime(year + 1, 1, 1, tzinfo=tz)


def _township_choices():
    rows = Township.objects.filter(is_active=True).order_by("order", "id").values_list("pk", "name")
    return [(str(pk), name) for pk, name in rows] + [(NO_TOWNSHIP, "未定镇街")]


class TownshipOrNoneField(ChoiceField):
    """A township's id (also one not offered in the select: a deactivated township still has its complaints), or
    ``none``; an id that names no township is a 400 (镇街不存在), as on the other lists."""

    def valid_value(self, value):
        text = str(value)
        if text == NO_TOWNSHIP or super().valid_value(value):
            return True
        return text.isdigit() and len(text) <= 9 and Township.objects.filter(pk=int(text)).exists()


class TownshipOrNoneFilter(django_filters.ChoiceFilter):
    field_class = TownshipOrNoneField

    def filter(self, qs, value):
        if value in (None, ""):
            return qs
        if value == NO_TOWNSHIP:
            return qs.filter(township__isnull=True)
        return qs.filter(township_id=int(value))


class YearFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


TOWNSHIP_SCHEMA = {
    "type": "string",
    "pattern": r"^([0-9]{1,9}|none)$",
    "description": "镇街编号；none 为尚未确定镇街的投诉举报",
}


class ComplaintFilterSet(BaseFilterSet):
    q = django_filters.CharFilter(label="关键词", method="filter_q", max_length=Q_MAX)
    kind = django_filters.ChoiceFilter(label="类别", choices=ComplaintKind.choices)
    channel = django_filters.ChoiceFilter(label="来源渠道", choices=ComplaintChannel.choices)
    status = django_filters.ChoiceFilter(label="状态", choices=ComplaintStatus.choices)
    township = extend_schema_field(TOWNSHIP_SCHEMA)(
        TownshipOrNoneFilter(label="镇街", choices=_township_choices, empty_label="全部")
    )
    year = extend_schema_field(OpenApiTypes.INT)(
        YearFilter(label="收到年份", method="filter_year", min_value=2000, max_value=2100)
    )
    received_from = django_filters.DateFilter(
        label="收到日期起", field_name="received_at", lookup_expr="date__gte", widget=DATE
    )
    received_to = django_filters.DateFilter(
        label="收到日期止", field_name="received_at", lookup_expr="date__lte", widget=DATE
    )
    overdue = django_filters.ChoiceFilter(label="超期", choices=OVERDUE_CHOICES, method="filter_overdue")
    acceptance = django_filters.ChoiceFilter(
        label="受理时效", choices=TIMELINESS_CHOICES, method="filter_timeliness", empty_label="全部"
    )
    feedback = django_filters.ChoiceFilter(
        label="反馈时效", choices=TIMELINESS_CHOICES, method="filter_timeliness", empty_label="全部"
    )
    reward = extend_schema_field({"type": "string", "enum": [c for c, _ in REWARD_CHOICES]})(
        django_filters.ChoiceFilter(label="奖励", choices=REWARD_CHOICES, method="filter_reward", empty_label="全部")
    )

    class Meta:
        model = Complaint
        form = FilterForm
        fields = [
            "q",
            "kind",
            "channel",
            "status",
            "township",
            "year",
            "received_from",
            "received_to",
            "overdue",
            "acceptance",
            "feedback",
            "reward",
        ]

    def filter_q(self, queryset, name, value):
        text = value.strip()
        return queryset.filter(
            Q(number__iexact=text)
            | Q(content__icontains=text)
            | Q(subject_name__icontains=text)
            | Q(address__icontains=text)
            | Q(enterprise__name__icontains=text)
        )

    def filter_year(self, queryset, name, value):
        start, end = year_range(int(value))
        return queryset.filter(received_at__gte=start, received_at__lt=end)

    def filter_overdue(self, queryset, name, value):
        return queryset.filter(overdue_q(value, timezone.localdate()))

    def filter_timeliness(self, queryset, name, value):
        return queryset.filter(timeliness_q(name, value, timezone.localdate()))

    def filter_reward(self, queryset, name, value):
        if value == "none":
            return queryset.filter(reward__isnull=True)
        return queryset.filter(reward__status=value)
