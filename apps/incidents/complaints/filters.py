"""FilterSet of the complaint list, shared by the page, the Excel export and the API (an empty value is no filter,
``BaseFilterSet``)."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone

from apps.accounts.models import Township
from apps.common.filters import BaseFilterSet, FilterForm

from ..models import Complaint
from .choices import ComplaintChannel, ComplaintKind, ComplaintStatus

Q_MAX = 60
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
OVERDUE_CHOICES = [("acceptance", "受理决定已超期"), ("feedback", "反馈已超期")]


class ComplaintFilterSet(BaseFilterSet):
    q = django_filters.CharFilter(label="关键词", method="filter_q", max_length=Q_MAX)
    kind = django_filters.ChoiceFilter(label="类别", choices=ComplaintKind.choices)
    channel = django_filters.ChoiceFilter(label="来源渠道", choices=ComplaintChannel.choices)
    status = django_filters.ChoiceFilter(label="状态", choices=ComplaintStatus.choices)
    township = django_filters.ModelChoiceFilter(
        label="镇街", queryset=Township.objects.filter(is_active=True).order_by("order", "id")
    )
    received_from = django_filters.DateFilter(
        label="收到日期起", field_name="received_at", lookup_expr="date__gte", widget=DATE
    )
    received_to = django_filters.DateFilter(
        label="收到日期止", field_name="received_at", lookup_expr="date__lte", widget=DATE
    )
    overdue = django_filters.ChoiceFilter(label="超期", choices=OVERDUE_CHOICES, method="filter_overdue")

    class Meta:
        model = Complaint
        form = FilterForm
        fields = ["q", "kind", "channel", "status", "township", "received_from", "received_to", "overdue"]

    def filter_q(self, queryset, name, value):
        text = value.strip()
        return queryset.filter(
            Q(number__iexact=text)
            | Q(content__icontains=text)
            | Q(subject_name__icontains=text)
            | Q(address__icontains=text)
            | Q(enterprise__name__icontains=text)
        )

    def filter_overdue(self, queryset, name, value):
        today = timezone.localdate()
        if value == "acceptance":
            return queryset.filter(status=ComplaintStatus.PENDING, acceptance_due__lt=today)
        return queryset.filter(status__in=[ComplaintStatus.CLOSED, ComplaintStatus.REJECTED], feedback_due__lt=today)
