"""Output serializers of /api/v1/sampling/plans/ and /api/v1/sampling/plan-lines/ (read-only endpoints)."""

from rest_framework import serializers

from ...models import PlanLine, SamplingPlan


class SamplingPlanOutputSerializer(serializers.ModelSerializer):
    purpose_label = serializers.CharField(source="get_purpose_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    approved_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = SamplingPlan
        fields = [
            "id",
            "year",
            "name",
            "purpose",
            "purpose_label",
            "organiser",
            "status",
            "status_label",
            "approved_at",
            "note",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class PlanLineOutputSerializer(serializers.ModelSerializer):
    plan_year = serializers.IntegerField(source="plan.year", read_only=True)
    plan_purpose = serializers.CharField(source="plan.purpose", read_only=True)
    plan_status = serializers.CharField(
        source="plan.status", read_only=True, help_text="approved（已下达）或 closed（已结束）"
    )
    township_code = serializers.CharField(source="township.code", read_only=True)
    township_name = serializers.CharField(source="township.name", read_only=True)
    category_code = serializers.CharField(source="category.code", read_only=True)
    category_name = serializers.CharField(source="category.name", read_only=True)
    source_label = serializers.CharField(source="get_source_display", read_only=True)
    origin_label = serializers.CharField(source="get_origin_display", read_only=True)
    enterprise = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    business_type = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    reasons = serializers.JSONField(read_only=True, help_text="靶向建议的理由与权重（其他来源为空列表）")

    class Meta:
        model = PlanLine
        fields = [
            "id",
            "plan",
            "plan_year",
            "plan_purpose",
            "plan_status",
            "township",
            "township_code",
            "township_name",
            "category",
            "category_code",
            "category_name",
            "month",
            "source",
            "source_label",
            "batches",
            "enterprise",
            "business_type",
            "origin",
            "origin_label",
            "origin_ref",
            "reasons",
            "note",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields
