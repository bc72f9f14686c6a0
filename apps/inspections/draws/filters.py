"""FilterSets of the draw plans and draws, shared by the page, the API and the export (STYLE.md §3.7).

Each selector applies its FilterSet (``apps.common.filters.filter_queryset``); the API views name the same class
as ``filterset_class``. An empty value is no filter (``BaseFilterSet``)."""

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django_filters.rest_framework import BooleanFilter

from apps.common.filters import BaseFilterSet

from ..choices import OPEN_TASK_STATUSES, DrawPlanStatus
from ..models import Draw, DrawPlan, InspectionTask


class DrawPlanFilterSet(BaseFilterSet):
    active = BooleanFilter(label="进行中", method="filter_active")

    class Meta:
        model = DrawPlan
        fields = ["year", "status"]

    def filter_active(self, queryset, name, value):
        """Committed and not yet drawn, plus drawn plans of this year that still have open tasks."""
        if not value:
            return queryset
        open_tasks = InspectionTask.objects.filter(plan_id=OuterRef("pk"), status__in=OPEN_TASK_STATUSES)
        return queryset.annotate(has_open=Exists(open_tasks)).filter(
            Q(status=DrawPlanStatus.COMMITTED)
            | Q(status=DrawPlanStatus.DRAWN, year=timezone.localdate().year, has_open=True)
        )


class DrawFilterSet(BaseFilterSet):
    class Meta:
        model = Draw
        fields = ["plan", "algorithm"]
