"""Output serializer of /api/v1/incidents/incidents/ (read-only)."""

from rest_framework import serializers

from ...models.emergencies import Incident


class IncidentOutputSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    level_label = serializers.CharField(source="get_level_display", read_only=True)
    suggested_level_label = serializers.CharField(source="get_suggested_level_display", read_only=True)
    township_code = serializers.CharField(source="township.code", read_only=True, allow_null=True, default=None)
    township_name = serializers.CharField(source="township.name", read_only=True, allow_null=True, default=None)
    enterprises = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Incident
        fields = [
            "id",
            "number",
            "title",
            "status",
            "status_label",
            "suggested_level",
            "suggested_level_label",
            "level",
            "level_label",
            "township_code",
            "township_name",
            "places",
            "description",
            "affected_count",
            "dead_count",
            "schools_involved",
            "major_event",
            "townships_count",
            "enterprises",
            "occurred_at",
            "learned_at",
            "first_report_due",
            "first_reported_at",
            "final_reported_at",
            "level_confirmed_at",
            "closed_at",
            "closing_summary",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields
