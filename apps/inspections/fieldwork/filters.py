"""FilterSets of the fieldwork lists (tasks, results, rectifications, publications), shared by the
page, the API and the export (STYLE.md §3.7).

Each selector applies its FilterSet (``apps.common.filters.filter_queryset``); the API views name the same class
as ``filterset_class``. An empty value is no filter (``BaseFilterSet``); ``overdue`` accepts ``1``/``true``."""

import datetime as dt

import django_filters
from django.db.models import F, Q
from django.utils import timezone
from django_filters.rest_framework import BooleanFilter

from apps.common.filters import BaseFilterSet

from ..choices import OPEN_RECTIFICATION_STATUSES, OPEN_TASK_STATUSES, PublicationStatus, TaskStatus
from ..models import InspectionResult, InspectionTask, Publication, Rectification

UNPUBLISHED_STATUSES = (PublicationStatus.PENDING, PublicationStatus.HELD)
UNPUBLISHED = "unpublished"  # ?status=unpublished on the publication list: pending or held (home figure 待公示结果)
PUBLISHABLE = "publishable"  # ?status=publishable: pending and its objection window is over (what 批量公示 takes)
PUBLICATION_STATUS_CHOICES = [
    (UNPUBLISHED, "未公示（待公示与暂缓公示）"),
    (PUBLISHABLE, "可公示（异议期已届满）"),
    *PublicationStatus.choices,
]


MY_TASKS_SHOW = [("open", "待检查"), ("done", "已完成")]


class MyTaskFilterSet(BaseFilterSet):
    """An inspector's own tasks (我的任务): to do, soonest due first, or done, newest first (the page's tabs)."""

    show = django_filters.ChoiceFilter(choices=MY_TASKS_SHOW, label="任务", method="filter_show", empty_label=None)

    class Meta:
        model = InspectionTask
        fields = ["show"]

    def filter_show(self, queryset, name, value):
        if value == "done":
            return queryset.filter(status=TaskStatus.FINALISED).order_by("-completed_at", "-id")
        return queryset.filter(status__in=OPEN_TASK_STATUSES).order_by("due_date", "id")


class TaskFilterSet(BaseFilterSet):
    """Tasks (staff list page and API): status, kind, source, enterprise, township, due-date range, q, overdue."""

    township = django_filters.NumberFilter(field_name="enterprise__township_id", label="镇街编号")
    q = django_filters.CharFilter(label="检查对象名称或任务编号", method="filter_q", max_length=100)
    overdue = BooleanFilter(label="仅逾期（未完成且已过期限）", method="filter_overdue")
    year = django_filters.NumberFilter(
        field_name="due_date__year", label="期限所在年度", min_value=2000, max_value=2100
    )
    cancelled = django_filters.ChoiceFilter(
        label="已取消的任务", choices=[("0", "不含已取消")], method="filter_cancelled", empty_label="全部"
    )

    class Meta:
        model = InspectionTask
        fields = {
            "status": ["exact"],
            "kind": ["exact"],
            "source": ["exact"],
            "enterprise": ["exact"],
            "due_date": ["lte", "gte"],
        }

    def filter_q(self, queryset, name, value):
        text = value.strip()
        return queryset.filter(Q(enterprise__name__icontains=text) | Q(number__icontains=text))

    def filter_overdue(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(status__in=OPEN_TASK_STATUSES, due_date__lt=timezone.localdate())

    def filter_cancelled(self, queryset, name, value):
        return queryset.exclude(status=TaskStatus.CANCELLED) if value == "0" else queryset


class ResultFilterSet(BaseFilterSet):
    class Meta:
        model = InspectionResult
        fields = {"task": ["exact"], "status": ["exact"], "outcome": ["exact"]}


class RectificationFilterSet(BaseFilterSet):
    overdue = BooleanFilter(label="仅逾期", method="filter_overdue")

    class Meta:
        model = Rectification
        fields = ["status"]

    def filter_overdue(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(status__in=OPEN_RECTIFICATION_STATUSES, deadline__lt=timezone.localdate())


PUBLICATION_TIMELINESS_CHOICES = [
    ("on_time", "按时公示（公示期限内已公示）"),
    ("late", "超期（超期后公示或已超期未公示）"),
]


def publication_overdue_q(today: dt.date) -> Q:
    """``?overdue=1``: not published and the due date has passed."""
    return Q(status__in=UNPUBLISHED_STATUSES, due_by__lt=today)


def publication_due_between_q(start: dt.date, end: dt.date) -> Q:
    """``?status=unpublished&due_by__gte=<start>&due_by__lte=<end>``: not published, due within the days."""
    return Q(status__in=UNPUBLISHED_STATUSES, due_by__gte=start, due_by__lte=end)


def publication_on_time_q() -> Q:
    """Published on or before its 20-working-day due date (the day in the platform's time zone)."""
    return Q(status=PublicationStatus.PUBLISHED, published_at__date__lte=F("due_by"))


def publication_late_q(today) -> Q:
    return Q(status=PublicationStatus.PUBLISHED, published_at__date__gt=F("due_by")) | Q(
        status__in=UNPUBLISHED_STATUSES, due_by__lt=today
    )


class PublicationFilterSet(BaseFilterSet):
    status = django_filters.ChoiceFilter(
        label="状态", choices=PUBLICATION_STATUS_CHOICES, method="filter_status", empty_label="全部"
    )
    overdue = BooleanFilter(label="超期未公示", method="filter_overdue")
    township = django_filters.NumberFilter(
        field_name="result__task__enterprise__township_id", label="镇街编号", min_value=1
    )
    timeliness = django_filters.ChoiceFilter(
        label="公示时效", choices=PUBLICATION_TIMELINESS_CHOICES, method="filter_timeliness", empty_label="全部"
    )

    class Meta:
        model = Publication
        fields = {"due_by": ["lte", "gte"]}

    def filter_status(self, queryset, name, value):
        if value == PUBLISHABLE:
            return queryset.filter(status=PublicationStatus.PENDING).filter(
                Q(objection_window_ends__isnull=True) | Q(objection_window_ends__lt=timezone.localdate())
            )
        if value == UNPUBLISHED:
            return queryset.filter(status__in=UNPUBLISHED_STATUSES)
        return queryset.filter(status=value)

    def filter_overdue(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(publication_overdue_q(timezone.localdate()))

    def filter_timeliness(self, queryset, name, value):
        if value == "on_time":
            return queryset.filter(publication_on_time_q())
        return queryset.filter(publication_late_q(timezone.localdate()))
