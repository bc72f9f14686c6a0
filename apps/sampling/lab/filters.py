"""FilterSets of the lab lists (samples at the lab, result items, disposals), shared by the page, the API and the
export (``apps.common.filters.BaseFilterSet``: an empty value is no filter)."""

from __future__ import annotations

import datetime as dt

import django_filters
from django.db.models import Q
from django.utils import timezone

from apps.common.filters import BaseFilterSet
from apps.common.workdays import add_working_days

from ..choices import DisposalStatus, SampleStatus, SamplingPurpose, Verdict
from ..models import Disposal, ResultItem, Sample, SamplingDeadlines

CLOCK_OVERDUE = "overdue"
CLOCK_DUE_SOON = "due_soon"


def due_soon_workdays(today: dt.date | None = None) -> int:
    """The "即将到期" window: a clock that ends within this many working days from ``today`` (``SamplingDeadlines.
    due_soon_workdays`` in force that day; the model's default, 3, when the city has entered none)."""
    today = today or timezone.localdate()
    in_force = SamplingDeadlines.objects.in_force(today)
    return int((in_force or SamplingDeadlines(effective_from=today)).due_soon_workdays)


def due_soon_label(today: dt.date | None = None) -> str:
    return f"即将到期（{due_soon_workdays(today)} 个工作日内）"


def clock_choices() -> list[tuple[str, str]]:
    return [(CLOCK_DUE_SOON, due_soon_label()), (CLOCK_OVERDUE, "已逾期")]


OPEN_DISPOSAL = "open_all"
DISPOSAL_STATUS_CHOICES = [(OPEN_DISPOSAL, "未办结（全部）"), *DisposalStatus.choices]


def _q(text: str, *, prefix: str = "") -> Q:
    text = text.strip()
    return (
        Q(**{f"{prefix}number__icontains": text})
        | Q(**{f"{prefix}name__icontains": text})
        | Q(**{f"{prefix}site_name__icontains": text})
    )


class LabSampleFilterSet(BaseFilterSet):
    """Samples at the labs (the lab's work queue; city and township staff see theirs)."""

    q = django_filters.CharFilter(label="抽样单编号、样品或被抽样单位", method="filter_q", max_length=100)
    status = django_filters.ChoiceFilter(label="状态", choices=SampleStatus.choices)
    conclusion = django_filters.ChoiceFilter(label="检验结论", choices=Verdict.choices)
    purpose = django_filters.ChoiceFilter(label="任务类别", choices=SamplingPurpose.choices)
    township = django_filters.NumberFilter(field_name="township_id", label="镇街编号", min_value=1)
    lab = django_filters.NumberFilter(field_name="lab_id", label="检验机构编号", min_value=1)
    sampled_from = django_filters.DateFilter(field_name="sampled_on", lookup_expr="gte", label="抽样日期起")
    sampled_to = django_filters.DateFilter(field_name="sampled_on", lookup_expr="lte", label="抽样日期止")

    class Meta:
        model = Sample
        fields = ["q", "status", "conclusion", "purpose", "township", "lab", "sampled_from", "sampled_to"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(_q(value))


class ResultItemFilterSet(BaseFilterSet):
    """Result items (the results list and ``GET /api/v1/sampling/results/``)."""

    sample = django_filters.NumberFilter(field_name="sample_id", label="样品编号", min_value=1)
    sample_number = django_filters.CharFilter(field_name="sample__number", label="抽样单编号", max_length=24)
    verdict = django_filters.ChoiceFilter(label="结果判定", choices=Verdict.choices)
    is_recheck = django_filters.BooleanFilter(label="复检结果")
    test_item = django_filters.CharFilter(field_name="test_item__code", label="检验项目代码", max_length=40)
    township = django_filters.NumberFilter(field_name="sample__township_id", label="镇街编号", min_value=1)
    lab = django_filters.NumberFilter(field_name="lab_id", label="检验机构编号", min_value=1)
    purpose = django_filters.ChoiceFilter(
        field_name="sample__purpose", label="任务类别", choices=SamplingPurpose.choices
    )

    class Meta:
        model = ResultItem
        fields = ["sample", "sample_number", "verdict", "is_recheck", "test_item", "township", "lab", "purpose"]


def due_soon_until(today: dt.date | None = None, workdays: int | None = None) -> dt.date:
    today = today or timezone.localdate()
    return add_working_days(today, due_soon_workdays(today) if workdays is None else workdays)


def overdue_q(today: dt.date) -> Q:
    """A clock has run out: not delivered by the notify deadline, or not closed within the 90 days."""
    return Q(status=DisposalStatus.OPEN, notify_due__lt=today) | (
        ~Q(status=DisposalStatus.CLOSED) & Q(verify_due__lt=today)
    )


def due_soon_q(today: dt.date, until: dt.date) -> Q:
    return (
        Q(status=DisposalStatus.OPEN, notify_due__gte=today, notify_due__lte=until)
        | (~Q(status=DisposalStatus.CLOSED) & Q(verify_due__gte=today, verify_due__lte=until))
    ) & ~overdue_q(today)


class DisposalFilterSet(BaseFilterSet):
    """Disposals (核查处置): status, clock (即将到期 / 已逾期), township, text."""

    q = django_filters.CharFilter(label="抽样单编号、样品或被抽样单位", method="filter_q", max_length=100)
    status = django_filters.ChoiceFilter(label="状态", choices=DISPOSAL_STATUS_CHOICES, method="filter_status")
    clock = django_filters.ChoiceFilter(label="期限", choices=clock_choices, method="filter_clock")
    township = django_filters.NumberFilter(field_name="sample__township_id", label="镇街编号", min_value=1)
    purpose = django_filters.ChoiceFilter(
        field_name="sample__purpose", label="任务类别", choices=SamplingPurpose.choices
    )

    class Meta:
        model = Disposal
        fields = ["q", "status", "clock", "township", "purpose"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(_q(value, prefix="sample__"))

    def filter_status(self, queryset, name, value):
        if value == OPEN_DISPOSAL:
            return queryset.exclude(status=DisposalStatus.CLOSED)
        return queryset.filter(status=value)

    def filter_clock(self, queryset, name, value):
        today = timezone.localdate()
        if value == CLOCK_OVERDUE:
            return queryset.filter(overdue_q(today))
        return queryset.filter(due_soon_q(today, due_soon_until(today)))
