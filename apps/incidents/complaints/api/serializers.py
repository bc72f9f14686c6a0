"""Output serializer of /api/v1/incidents/complaints/ (read-only). No field of the reporter's identity exists here,
for any client or role (SECURITY.md PII-02); not even whether the reporter gave a name."""

from rest_framework import serializers

from ...models import Complaint


class ComplaintOutputSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    channel_label = serializers.CharField(source="get_channel_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    township_code = serializers.CharField(source="township.code", read_only=True, allow_null=True, default=None)
    township_name = serializers.CharField(source="township.name", read_only=True, allow_null=True, default=None)
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True, allow_null=True, default=None)
    duplicate_of_number = serializers.CharField(
        source="duplicate_of.number", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = Complaint
        fields = [
            "id",
            "number",
            "kind",
            "kind_label",
            "channel",
            "channel_label",
            "status",
            "status_label",
            "content",
            "subject_name",
            "address",
            "enterprise",
            "enterprise_name",
            "township_code",
            "township_name",
            "received_at",
            "acceptance_due",
            "decided_at",
            "routing_due",
            "routed_at",
            "handling_due",
            "handling_at",
            "result_due",
            "closed_at",
            "upheld",
            "feedback_due",
            "feedback_at",
            "duplicate_of",
            "duplicate_of_number",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields
