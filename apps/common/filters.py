"""The base of every FilterSet in the platform (STYLE.md §3.7): page, API and export filter through it.

A browser submits every field of a filter form, the untouched ones as empty strings
(``?q=&township=&status=``). An empty value means "no filter" — never "rows whose value is empty", and never an
invalid choice that empties the list. ``BaseFilterSet`` drops empty values (blank or whitespace-only; in a
repeated parameter, only the empty repetitions) before django-filter sees them. A hand-typed ``?status=`` is
therefore the same as no ``status``, on the page, in the export and in the API alike.

The DRF backend (``apps.common.api.filters.StrictDjangoFilterBackend``) builds the FilterSets of views that only
declare ``filterset_fields`` on this base too, so no FilterSet in the platform escapes the rule
(tests/common/test_filters.py walks them all).
"""

import datetime as dt
from collections.abc import Mapping

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import QueryDict
from django.utils import timezone
from django_filters.rest_framework import FilterSet as DRFFilterSet

from .models import AuditEvent, Job, JobStatus

__all__ = [
    "AuditEventFilterSet",
    "BaseFilterSet",
    "FilterForm",
    "JobFilterSet",
    "StableOrderingFilter",
    "filter_queryset",
    "merge_filters",
    "without_empty",
]


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def without_empty(data):
    """A copy of ``data`` (QueryDict, MultiValueDict or plain mapping) without empty values; ``None`` stays ``None``."""
    if data is None:
        return None
    if hasattr(data, "getlist"):
        cleaned = QueryDict(mutable=True)
        for key in data:
            values = [v for v in data.getlist(key) if not _blank(v)]
            if values:
                cleaned.setlist(key, values)
        return cleaned
    if isinstance(data, Mapping):
        cleaned = {}
        for key, value in data.items():
            if isinstance(value, list | tuple):
                value = [v for v in value if not _blank(v)]
                if value:
                    cleaned[key] = value
            elif not _blank(value):
                cleaned[key] = value
        return cleaned
    return data


class BaseFilterSet(DRFFilterSet):
    """Every FilterSet inherits this: an empty value is no filter (see the module docstring)."""

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(without_empty(data), *args, **kwargs)


class StableOrderingFilter(django_filters.OrderingFilter):
    """Ordering with the primary key as the last key, so pages never overlap or skip rows on ties."""

    def filter(self, qs, value):
        qs = super().filter(qs, value)
        if value:
            qs = qs.order_by(*qs.query.order_by, "-id" if str(value[-1]).startswith("-") else "id")
        return qs


def merge_filters(filters, **fixed):
    """``filters`` (QueryDict, dict or None) with ``fixed`` values set on top, as one QueryDict (empty ones dropped).

    For a selector whose callers pass a fixed condition by keyword (``rectification_list(actor=a, overdue=True)``):
    the condition still goes through the FilterSet, not around it.
    """
    merged = QueryDict(mutable=True)
    source = without_empty(filters) or {}
    for key in source:
        values = source.getlist(key) if hasattr(source, "getlist") else source[key]
        merged.setlist(key, list(values) if isinstance(values, list | tuple) else [values])
    for key, value in fixed.items():
        if value is True:
            value = "true"
        if value not in (None, "", False):
            merged.setlist(key, [str(value)])
    return merged


def filter_queryset(filterset_class, queryset, filters, **options):
    """What a selector calls: ``filters`` (request.GET, a dict or None) applied through ``filterset_class``.

    Invalid values raise ``ValidationError`` with the FilterSet's Chinese messages, each led by the filter's name
    (``FilterSet.qs`` would silently ignore them and show every row); the page shows them beside the form.
    ``options`` are keyword arguments of the FilterSet itself (the coverage debt's ``today``).
    """
    if filters is None:
        return queryset
    fs = filterset_class(filters, queryset=queryset, **options)
    if not fs.is_valid():
        raise ValidationError({key: [f"{_label(fs, key)}：{m}" for m in msgs] for key, msgs in fs.errors.items()})
    return fs.qs


def _label(filterset, name: str) -> str:
    """The Chinese name of a filter, so that an error beside the form says which field it is about."""
    found = filterset.filters.get(name)
    return str(found.label) if found is not None and found.label else name


class FilterForm(forms.Form):
    """The form a FilterSet draws: Bootstrap classes on every control (``Meta.form`` of the FilterSets below)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)


# ---------------------------------------------------------------------------------------------- audit log
def _audit_action_choices():
    from .labels import audit_action_label

    present = AuditEvent.objects.order_by().values_list("action", flat=True).distinct()
    return sorted(((code, audit_action_label(code)) for code in present), key=lambda c: c[1])


def _audit_object_type_choices():
    from .labels import object_type_label

    present = AuditEvent.objects.exclude(object_type="").order_by().values_list("object_type", flat=True).distinct()
    return sorted(((code, object_type_label(code)) for code in present), key=lambda c: c[1])


class AuditEventFilterSet(BaseFilterSet):
    """The audit log (page): event, object type, object, actor, outcome, date range (Asia/Shanghai days)."""

    action = django_filters.ChoiceFilter(label="事件", choices=_audit_action_choices, empty_label="全部")
    object_type = django_filters.ChoiceFilter(label="对象类型", choices=_audit_object_type_choices, empty_label="全部")
    obj = django_filters.CharFilter(label="对象", method="filter_obj", max_length=100, help_text="对象编号或名称")
    actor = django_filters.CharFilter(label="操作人", method="filter_actor", max_length=150)
    outcome = django_filters.ChoiceFilter(
        label="结果", choices=(("success", "成功"), ("failure", "失败")), empty_label="全部"
    )
    date_from = django_filters.DateFilter(
        label="起始日期", method="filter_date_from", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = django_filters.DateFilter(
        label="截止日期", method="filter_date_to", widget=forms.DateInput(attrs={"type": "date"})
    )

    class Meta:
        model = AuditEvent
        fields: list[str] = []
        form = FilterForm

    def filter_obj(self, queryset, name, value):
        return queryset.filter(Q(object_id=value) | Q(object_repr__icontains=value))

    def filter_actor(self, queryset, name, value):
        return queryset.filter(Q(actor_repr__icontains=value) | Q(actor__username=value))

    def filter_date_from(self, queryset, name, value):
        tz = timezone.get_current_timezone()
        return queryset.filter(occurred_at__gte=dt.datetime.combine(value, dt.time.min, tzinfo=tz))

    def filter_date_to(self, queryset, name, value):
        tz = timezone.get_current_timezone()
        end = dt.datetime.combine(value, dt.time.min, tzinfo=tz) + dt.timedelta(days=1)
        return queryset.filter(occurred_at__lt=end)


# ---------------------------------------------------------------------------------------------- jobs
def _job_kind_choices():
    from .job_registry import registered_kinds
    from .labels import job_kind_label

    return sorted(((kind, job_kind_label(kind)) for kind in registered_kinds()), key=lambda c: c[1])


class JobFilterSet(BaseFilterSet):
    """Jobs (page and API): status, kind."""

    status = django_filters.ChoiceFilter(label="状态", choices=JobStatus.choices, empty_label="全部")
    kind = django_filters.ChoiceFilter(label="类型", choices=_job_kind_choices, empty_label="全部")

    class Meta:
        model = Job
        fields = ["status", "kind"]
        form = FilterForm
