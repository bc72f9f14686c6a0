from rest_framework import serializers

from ..choices import CreditGrade
from ..models import (
    AdjustmentRule,
    CreditClass,
    DynamicItem,
    GradeBand,
    RiskAssessment,
    RiskEvent,
    RiskScheme,
    StaticFactor,
    StaticOption,
    StaticTable,
)


class AssessmentOutputSerializer(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    township = serializers.IntegerField(source="enterprise.township_id", read_only=True)
    township_name = serializers.CharField(source="enterprise.township.name", read_only=True)
    scheme_code = serializers.CharField(source="scheme.code", read_only=True)
    scheme_version = serializers.IntegerField(source="scheme.version", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    grade_label = serializers.CharField(source="get_grade_display", read_only=True)

    class Meta:
        model = RiskAssessment
        fields = [
            "id",
            "enterprise",
            "enterprise_name",
            "township",
            "township_name",
            "scheme",
            "scheme_code",
            "scheme_version",
            "year",
            "kind",
            "kind_label",
            "basis",
            "assessed_on",
            "source_ref",
            "static_score",
            "dynamic_score",
            "credit_score",
            "total_score",
            "score_grade",
            "grade",
            "grade_label",
            "is_current",
            "factor_scores",
            "adjustments",
            "inputs",
            "override",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class CreditClassOutputSerializer(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    township = serializers.IntegerField(source="enterprise.township_id", read_only=True)
    credit_class_label = serializers.CharField(source="get_credit_class_display", read_only=True)

    class Meta:
        model = CreditClass
        fields = [
            "id",
            "enterprise",
            "enterprise_name",
            "township",
            "credit_class",
            "credit_class_label",
            "source",
            "as_of",
            "note",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class RiskEventOutputSerializer(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    township = serializers.IntegerField(source="enterprise.township_id", read_only=True)
    event_type_label = serializers.CharField(source="get_event_type_display", read_only=True)

    class Meta:
        model = RiskEvent
        fields = [
            "id",
            "enterprise",
            "enterprise_name",
            "township",
            "event_type",
            "event_type_label",
            "occurred_on",
            "description",
            "source_ref",
            "is_void",
            "void_reason",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class StaticOptionSerializer(serializers.ModelSerializer):
    class Meta:
        model = StaticOption
        fields = ["key", "label", "tier", "points"]


class StaticFactorSerializer(serializers.ModelSerializer):
    options = StaticOptionSerializer(many=True, read_only=True)

    class Meta:
        model = StaticFactor
        fields = ["code", "name", "basis", "flag_field", "max_points", "default_points", "options"]


class StaticTableSerializer(serializers.ModelSerializer):
    factors = StaticFactorSerializer(many=True, read_only=True)

    class Meta:
        model = StaticTable
        fields = ["sector", "business_types", "name", "factors"]


class DynamicItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = DynamicItem
        fields = ["sector", "code", "name", "max_points"]


class GradeBandSerializer(serializers.ModelSerializer):
    class Meta:
        model = GradeBand
        fields = ["grade", "score_max", "min_inspections", "max_inspections", "period_years"]


class AdjustmentRuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = AdjustmentRule
        fields = ["event_type", "action", "levels", "min_count", "window_years", "sectors", "only_if_no_raise", "note"]


class SchemeOutputSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    credit_default_class = serializers.ChoiceField(
        choices=CreditGrade.choices, allow_blank=True, read_only=True, help_text="无信用分类时按此分类；空：不计信用分"
    )
    static_tables = StaticTableSerializer(many=True, read_only=True)
    dynamic_items = DynamicItemSerializer(many=True, read_only=True)
    bands = GradeBandSerializer(many=True, read_only=True)
    adjustment_rules = AdjustmentRuleSerializer(many=True, read_only=True)

    class Meta:
        model = RiskScheme
        fields = [
            "id",
            "code",
            "version",
            "name",
            "source",
            "description",
            "status",
            "status_label",
            "effective_from",
            "effective_to",
            "static_max",
            "dynamic_max",
            "credit_max",
            "credit_points",
            "credit_default_class",
            "new_business_method",
            "new_business_dynamic_points",
            "revised_from",
            "static_tables",
            "dynamic_items",
            "bands",
            "adjustment_rules",
            "updated_at",
        ]
        read_only_fields = fields


class EnterpriseRiskSerializer(serializers.Serializer):
    """One enterprise's risk summary: current grade, credit class, events (GET /api/v1/risk/enterprises/{id}/)."""

    enterprise = serializers.IntegerField()
    name = serializers.CharField()
    township = serializers.IntegerField()
    current = AssessmentOutputSerializer(allow_null=True)
    credit_class = CreditClassOutputSerializer(allow_null=True)
    events = RiskEventOutputSerializer(many=True)


class CoverageReasonSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=["frequency", "floor", "first"])
    label = serializers.CharField()
    due = serializers.DateField()
    days = serializers.IntegerField()
    at_least = serializers.BooleanField()


class CoverageDebtSerializer(serializers.Serializer):
    enterprise = serializers.IntegerField()
    name = serializers.CharField()
    township = serializers.IntegerField()
    township_name = serializers.CharField()
    business_type = serializers.CharField()
    grade = serializers.CharField(allow_null=True)
    frequency = serializers.CharField()
    required_this_year = serializers.IntegerField()
    done_this_year = serializers.IntegerField()
    last_inspection = serializers.DateField(allow_null=True)
    last_full_inspection = serializers.DateField(allow_null=True)
    registered_on = serializers.DateField()
    overdue_days = serializers.IntegerField()
    reasons = CoverageReasonSerializer(many=True)


class CoverageCountSerializer(serializers.Serializer):
    township_id = serializers.IntegerField()
    township = serializers.CharField()
    enterprises = serializers.IntegerField()
    overdue = serializers.IntegerField()
    max_days = serializers.IntegerField()
    required = serializers.IntegerField()
    done = serializers.IntegerField()
