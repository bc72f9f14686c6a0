"""FilterSets of the inspections app, one per list, shared by the page, the API and the export (STYLE.md §3.7).

Each selector applies its FilterSet (``apps.common.filters.filter_queryset``); the API views name the same class as
``filterset_class``. An empty value is no filter (``BaseFilterSet``); ``overdue`` accepts ``1``/``true``.
"""

import django_filters
from django.db.models import Q
from django.utils import timezone
from django_filters.rest_framework import BooleanFilter

from apps.common.filters import BaseFilterSet

from .choices import OPEN_RECTIFICATION_STATUSES, OPEN_TASK_STATUSES, PublicationStatus
from .models import Draw, DrawPlan, InspectionResult, InspectionTask, Publication, Rectification

UNPUBLISHED_STATUSES = (PublicationStatus.PENDING, PublicationStatus.HELD)


class DrawPlanFilterSet(BaseFilterSet):
    class Meta:
        model = DrawPlan
        fields = ["year", "status"]


class DrawFilterSet(BaseFilterSet):
    class Meta:
        model = Draw
        fields = ["plan", "algorithm"]


class TaskFilterSet(BaseFilterSet):
    """Tasks (staff list page and API): status, kind, source, enterprise, township, due-date range, q, overdue."""

    township = django_filters.NumberFilter(field_name="enterprise__township_id", label="镇街编号")
    q = django_filters.CharFilter(label="检查对象名称或任务编号", method="filter_q", max_length=100)
    overdue = BooleanFilter(label="仅逾期（未完成且已过期限）", method="filter_overdue")

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


class PublicationFilterSet(BaseFilterSet):
    overdue = BooleanFilter(label="超期未公示", method="filter_overdue")

    class Meta:
        model = Publication
        fields = {"status": ["exact"], "due_by": ["lte", "gte"]}

    def filter_overdue(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(status__in=UNPUBLISHED_STATUSES, due_by__lt=timezone.localdate())
