"""Output serializers of the fieldwork API (tasks, samples). Read-only endpoints: no input serializers."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ...models import Sample, SamplingTask


class SamplingEnterpriseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    uscc = serializers.CharField(allow_null=True)
    township = serializers.CharField(source="township.code")
    business_type = serializers.CharField(source="business_type.code")


class SamplingOrganisationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    uscc = serializers.CharField()


class SamplingCategoryBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.IntegerField(min_value=1, max_value=4)


class CategoryPathField(serializers.Field):
    """大类 › 亚类 › 次亚类 › 细类 of the sample's category, top first (uses the selector's select_related)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        out = []
        node = value
        while node is not None and len(out) < 4:
            out.append({"id": node.pk, "code": node.code, "name": node.name, "level": node.level})
            node = node.parent if node.parent_id else None
        return list(reversed(out))


CategoryPathField = extend_schema_field(SamplingCategoryBriefSerializer(many=True))(CategoryPathField)


class SamplingTaskOutputSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    year = serializers.IntegerField(source="plan.year", read_only=True, min_value=2000, max_value=2100)
    purpose = serializers.CharField(source="plan.purpose", read_only=True)
    source = serializers.SerializerMethodField()
    enterprise = SamplingEnterpriseSerializer(read_only=True)
    category = SamplingCategoryBriefSerializer(read_only=True)
    sampling_org = SamplingOrganisationSerializer(read_only=True)
    lab = SamplingOrganisationSerializer(read_only=True)

    class Meta:
        model = SamplingTask
        fields = [
            "id",
            "status",
            "status_label",
            "plan",
            "plan_line",
            "year",
            "purpose",
            "source",
            "enterprise",
            "category",
            "sampling_org",
            "lab",
            "due_on",
            "cancel_reason",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(serializers.CharField())
    def get_source(self, obj) -> str:
        return obj.plan_line.source if obj.plan_line_id else "routine"


SITE_FIELDS = [
    "site_name",
    "site_address",
    "site_uscc",
    "site_licence_kind",
    "site_licence_no",
    "site_legal_rep",
    "site_contact",
    "site_phone",
    "site_area_type",
]
PRODUCER_FIELDS = [
    "producer_name",
    "producer_location",
    "producer_address",
    "producer_licence_no",
    "producer_phone",
    "third_party",
    "third_party_name",
    "third_party_address",
    "third_party_licence_no",
    "third_party_phone",
]
ITEM_FIELDS = [
    "barcode",
    "trademark",
    "sample_kind",
    "sample_origin_kind",
    "attribute",
    "packaging",
    "name",
    "production_date",
    "shelf_life",
    "batch_no",
    "specification",
    "quality_grade",
    "unit_price",
    "imported",
    "sampled_on",
    "sampling_method",
    "origin",
    "storage",
    "base_quantity",
    "quantity",
    "backup_quantity",
    "quantity_unit",
    "exec_standard",
    "remarks",
    "backup_seal_no",
    "backup_sealed_by_site",
]


class SampleOutputSerializer(serializers.ModelSerializer):
    """The 抽样单 (DOMAIN.md §3.3) and its lab-side state. ``site_phone`` is masked without 查看联系电话全号."""

    purpose_label = serializers.CharField(source="get_purpose_display", read_only=True)
    source_label = serializers.CharField(source="get_source_display", read_only=True)
    stage_label = serializers.CharField(source="get_stage_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    plan = serializers.IntegerField(source="task.plan_id", read_only=True)
    plan_name = serializers.CharField(source="task.plan.name", read_only=True)
    organiser = serializers.CharField(source="task.plan.organiser", read_only=True)
    township = serializers.CharField(source="township.code", read_only=True)
    enterprise = serializers.IntegerField(source="enterprise_id", read_only=True)
    category = CategoryPathField()
    sampling_org = SamplingOrganisationSerializer(read_only=True)
    lab = SamplingOrganisationSerializer(read_only=True)
    samplers = serializers.ListField(child=serializers.CharField(), read_only=True)
    unit_price = serializers.DecimalField(
        max_digits=10, decimal_places=2, coerce_to_string=False, allow_null=True, read_only=True
    )
    site_phone = serializers.SerializerMethodField()

    class Meta:
        model = Sample
        fields = [
            "id",
            "number",
            "task",
            "plan",
            "plan_name",
            "organiser",
            "purpose",
            "purpose_label",
            "source",
            "source_label",
            "sampling_type",
            "stage",
            "stage_label",
            "place_type",
            "category",
            "sampling_org",
            "lab",
            "samplers",
            "enterprise",
            "township",
            *SITE_FIELDS,
            *PRODUCER_FIELDS,
            *ITEM_FIELDS,
            "is_quick_test",
            "status",
            "status_label",
            "received_on",
            "report_no",
            "conclusion",
            "concluded_at",
            "published_at",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(serializers.CharField())
    def get_site_phone(self, obj) -> str:
        from apps.enterprises.api.serializers import can_see_phone, mask_phone

        request = self.context.get("request")
        value = obj.site_phone or ""
        if not value or can_see_phone(getattr(request, "user", None)):
            return value
        return mask_phone(value)


class SampleAttachmentOutputSerializer(serializers.Serializer):
    """One attachment of the 抽样单 (read-only): the SHA-256 was taken at upload; ``download_url`` is the scoped
    download page (signed-in session; out of scope: 404)."""

    id = serializers.IntegerField()
    kind = serializers.CharField()
    kind_label = serializers.CharField(source="get_kind_display")
    name = serializers.SerializerMethodField()
    content_type = serializers.CharField()
    size = serializers.IntegerField(min_value=1)
    sha256 = serializers.CharField(min_length=64, max_length=64)
    corrects = serializers.IntegerField(source="corrects_id", allow_null=True)
    correction_reason = serializers.CharField()
    uploaded_at = serializers.DateTimeField()
    download_url = serializers.SerializerMethodField()

    def get_name(self, obj) -> str:
        return obj.caption or obj.original_name or f"{obj.get_kind_display()} {obj.pk}"

    def get_download_url(self, obj) -> str:
        from django.urls import reverse

        path = reverse("sampling:attachment_file", args=[obj.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class SampleDetailOutputSerializer(SampleOutputSerializer):
    """The 抽样单 with its attachments (detail only; the list and the change feed leave them out)."""

    attachments = serializers.SerializerMethodField()

    class Meta(SampleOutputSerializer.Meta):
        fields = [*SampleOutputSerializer.Meta.fields, "attachments"]

    @extend_schema_field(SampleAttachmentOutputSerializer(many=True))
    def get_attachments(self, obj) -> list:
        from ..selectors import attachment_list

        request = self.context.get("request")
        actor = getattr(request, "user", None)
        rows = attachment_list(actor=actor, sample_ids=[obj.pk]) if actor is not None else []
        return SampleAttachmentOutputSerializer(rows, many=True, context=self.context).data
