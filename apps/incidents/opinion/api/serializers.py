"""Output serializer of /api/v1/incidents/opinion-events/ (read-only)."""

from rest_framework import serializers

from ...models.opinion import OpinionEvent


class OpinionEventOutputSerializer(serializers.ModelSerializer):
    source_label = serializers.CharField(source="get_source_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    risk_label = serializers.CharField(source="get_risk_display", read_only=True)
    township_code = serializers.CharField(source="township.code", read_only=True, allow_null=True, default=None)
    township_name = serializers.CharField(source="township.name", read_only=True, allow_null=True, default=None)
    spawned_incident_number = serializers.CharField(
        source="spawned_incident.number", read_only=True, allow_null=True, default=None
    )
    enterprise_ids = serializers.SerializerMethodField()

    class Meta:
        model = OpinionEvent
        fields = [
            "id",
            "number",
            "title",
            "source",
            "source_label",
            "source_detail",
            "content",
            "subject_name",
            "address",
            "township_code",
            "township_name",
            "discovered_at",
            "status",
            "status_label",
            "heat",
            "risk",
            "risk_label",
            "assessed_at",
            "response_hours",
            "response_due",
            "responded_at",
            "response_text",
            "closed_at",
            "closing_summary",
            "enterprise_ids",
            "spawned_incident",
            "spawned_incident_number",
            "spawned_inspection_ref",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_enterprise_ids(self, obj) -> list[int]:
        return sorted(e.pk for e in obj.enterprises.all())  # prefetched by the viewset's selector
