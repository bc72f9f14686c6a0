"""FilterSets of the risk app: one per list, shared by the page, the API and the export (STYLE.md §3.7)."""

import django_filters
from django.db.models import Q
from django.utils import timezone

from apps.common.filters import BaseFilterSet

from .choices import AssessmentKind, CreditGrade, EventType, Grade, OverrideStatus
from .models import CoverageBucket, CoverageState, CreditClass, GradeOverride, RiskAssessment, RiskEvent, RiskScheme

# a year outside what the platform can hold is a 400, not a database error (issue 8 point 12: year=-2.97e16)
YEAR_BOUNDS = {"min_value": 2000, "max_value": 2100}


class AssessmentFilterSet(BaseFilterSet):
    enterprise = django_filters.NumberFilter(field_name="enterprise_id", label="检查对象编号")
    township = django_filters.NumberFilter(field_name="enterprise__township_id", label="镇街编号")
    grade = django_filters.ChoiceFilter(choices=Grade.choices, label="风险等级")
    year = django_filters.NumberFilter(field_name="year", label="评定年度", **YEAR_BOUNDS)
    kind = django_filters.ChoiceFilter(choices=AssessmentKind.choices, label="评定方式")
    current = django_filters.BooleanFilter(field_name="is_current", label="仅当前有效")
    q = django_filters.CharFilter(label="名称或统一社会信用代码", method="filter_q", max_length=100)

    class Meta:
        model = RiskAssessment
        fields = ["enterprise", "township", "grade", "year", "kind", "current", "q"]

    def filter_q(self, queryset, name, value):
        text = value.strip()
        return queryset.filter(Q(enterprise__name__icontains=text) | Q(enterprise__uscc__iexact=text))


class CreditClassFilterSet(BaseFilterSet):
    enterprise = django_filters.NumberFilter(field_name="enterprise_id", label="检查对象编号")
    credit_class = django_filters.ChoiceFilter(choices=CreditGrade.choices, label="信用风险分类")

    class Meta:
        model = CreditClass
        fields = ["enterprise", "credit_class"]


class RiskEventFilterSet(BaseFilterSet):
    enterprise = django_filters.NumberFilter(field_name="enterprise_id", label="检查对象编号")
    event_type = django_filters.ChoiceFilter(choices=EventType.choices, label="事件类型")
    year = django_filters.NumberFilter(field_name="occurred_on", lookup_expr="year", label="年度", **YEAR_BOUNDS)

    class Meta:
        model = RiskEvent
        fields = ["enterprise", "event_type", "year"]


class SchemeFilterSet(BaseFilterSet):
    class Meta:
        model = RiskScheme
        fields = ["code", "status"]


# the coverage-debt rules an enterprise can be overdue under (apps/risk/coverage.py), and the due date of each
COVERAGE_REASON_CHOICES = [
    ("frequency", "未达等级检查频次"),
    ("floor", "两年未全项目检查"),
    ("first", "三小一摊首检"),
]
REASON_DUE_FIELD = {"frequency": "frequency_due", "floor": "floor_due", "first": "first_due"}


class CoverageTownshipFilterSet(BaseFilterSet):
    """The township of the coverage debt, on the buckets (``coverage.overdue_total``: the count of a page without a
    reason filter) as on the rows (``CoverageDebtFilterSet``)."""

    township = django_filters.NumberFilter(field_name="township_id", label="镇街")

    class Meta:
        model = CoverageBucket
        fields = ["township"]


class CoverageDebtFilterSet(CoverageTownshipFilterSet):
    """Coverage debt (page, through ``coverage.coverage_debt_qs``): township, and the rule that is overdue (理由).

    ``reason`` keeps the enterprises overdue under that rule: its due date is before ``today`` (the day the debt is
    computed for; ``coverage_debt_qs`` passes its own, default today).
    """

    reason = django_filters.ChoiceFilter(
        choices=COVERAGE_REASON_CHOICES, method="filter_reason", label="逾期原因", empty_label="全部"
    )

    class Meta:
        model = CoverageState
        fields = ["township", "reason"]

    def __init__(self, data=None, *args, today=None, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.today = today or timezone.localdate()

    def filter_reason(self, queryset, name, value):
        return queryset.filter(**{f"{REASON_DUE_FIELD[value]}__lt": self.today})


class UngradedFilterSet(BaseFilterSet):
    """未评级企业 (the overview's 未评级 counts link here with ``?township=``)."""

    township = django_filters.NumberFilter(field_name="township_id", label="镇街")

    class Meta:
        model = CoverageState
        fields = ["township"]


class OverrideFilterSet(BaseFilterSet):
    """Grade overrides by status (the page's tabs; the page defaults to 待审批)."""

    status = django_filters.ChoiceFilter(choices=OverrideStatus.choices, label="状态", empty_label="全部")

    class Meta:
        model = GradeOverride
        fields = ["status"]
