"""Output serializers of /api/v1/incidents/emergency-plans/ and /api/v1/incidents/drills/ (read-only)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ...models.drills import Drill, EmergencyPlan, PlanVersion


class PlanVersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlanVersion
        fields = ["id", "number", "issued_on", "summary", "content_type", "size", "sha256", "issued_at"]
        read_only_fields = fields


class EmergencyPlanOutputSerializer(serializers.ModelSerializer):
    level_label = serializers.CharField(source="get_level_display", read_only=True)
    township_code = serializers.CharField(source="township.code", read_only=True, allow_null=True, default=None)
    township_name = serializers.CharField(source="township.name", read_only=True, allow_null=True, default=None)
    current_number = serializers.IntegerField(read_only=True, allow_null=True, help_text="现行版本号（未签发为空）")
    versions = serializers.SerializerMethodField(help_text="已签发的版本，新的在前（第一个为现行版本）")

    class Meta:
        model = EmergencyPlan
        fields = [
            "id",
            "title",
            "level",
            "level_label",
            "township_code",
            "township_name",
            "owner_department",
            "current_number",
            "versions",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(PlanVersionSerializer(many=True))
    def get_versions(self, plan) -> list[dict]:
        issued = [v for v in plan.versions.all() if v.number is not None]
        issued.sort(key=lambda v: -v.number)
        return PlanVersionSerializer(issued, many=True).data


class DrillOutputSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    township_code = serializers.CharField(source="township.code", read_only=True, allow_null=True, default=None)
    township_name = serializers.CharField(source="township.name", read_only=True, allow_null=True, default=None)
    plan_title = serializers.CharField(source="plan.title", read_only=True, allow_null=True, default=None)
    attachment_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Drill
        fields = [
            "id",
            "date",
            "township_code",
            "township_name",
            "plan",
            "plan_title",
            "scenario",
            "kind",
            "kind_label",
            "participant_count",
            "participant_orgs",
            "findings",
            "improvements",
            "attachment_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields
