import django_filters

from apps.common.filters import BaseFilterSet

from .choices import AssessmentKind, CreditGrade, EventType, Grade
from .models import CreditClass, RiskAssessment, RiskEvent


class AssessmentFilterSet(BaseFilterSet):
    enterprise = django_filters.NumberFilter(field_name="enterprise_id", label="检查对象编号")
    township = django_filters.NumberFilter(field_name="enterprise__township_id", label="镇街编号")
    grade = django_filters.ChoiceFilter(choices=Grade.choices, label="风险等级")
    year = django_filters.NumberFilter(field_name="year", label="评定年度")
    kind = django_filters.ChoiceFilter(choices=AssessmentKind.choices, label="评定方式")
    current = django_filters.BooleanFilter(field_name="is_current", label="仅当前有效")

    class Meta:
        model = RiskAssessment
        fields = ["enterprise", "township", "grade", "year", "kind", "current"]


class CreditClassFilterSet(BaseFilterSet):
    enterprise = django_filters.NumberFilter(field_name="enterprise_id", label="检查对象编号")
    credit_class = django_filters.ChoiceFilter(choices=CreditGrade.choices, label="信用风险分类")

    class Meta:
        model = CreditClass
        fields = ["enterprise", "credit_class"]


class RiskEventFilterSet(BaseFilterSet):
    enterprise = django_filters.NumberFilter(field_name="enterprise_id", label="检查对象编号")
    event_type = django_filters.ChoiceFilter(choices=EventType.choices, label="事件类型")
    year = django_filters.NumberFilter(field_name="occurred_on", lookup_expr="year", label="年度")

    class Meta:
        model = RiskEvent
        fields = ["enterprise", "event_type", "year"]
