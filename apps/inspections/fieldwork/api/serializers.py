"""Serializers of the fieldwork API (tasks, results, publications)."""

from __future__ import annotations

import base64
import binascii

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.common.api.serializers import (
    RoundedDecimalField,
    StrictFieldsMixin,
    StrictInputSerializer,
    read_only_fields_of,
)

from ...choices import InspectionOutcome, ItemVerdict, PenaltyKind
from ...models import InspectionResult, InspectionTask, Publication
from ..selectors import task_check_items

MAX_AMOUNT = 9_999_999_999  # yuan: 12 digits, 2 after the point (amounts are rounded to the fen)


# ---------------------------------------------------------------------------- serializers
class EnterpriseBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    uscc = serializers.CharField(allow_null=True)
    township = serializers.CharField(source="township.code", allow_null=True)
    business_type = serializers.CharField(source="business_type.code", allow_null=True)


class TaskInspectorSerializer(serializers.Serializer):
    badge = serializers.CharField(source="inspector.badge_no")
    name = serializers.CharField(source="inspector.name")
    role = serializers.CharField()


class TaskOutputSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    enterprise = EnterpriseBriefSerializer(read_only=True)
    inspectors = TaskInspectorSerializer(source="task_inspectors", many=True, read_only=True)
    draw_uid = serializers.CharField(source="draw.draw_uid", read_only=True, allow_null=True, default=None)
    origin_task = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = InspectionTask
        fields = [
            "id",
            "number",
            "kind",
            "kind_label",
            "source",
            "rule_code",
            "status",
            "status_label",
            "enterprise",
            "inspectors",
            "reason",
            "due_date",
            "plan",
            "draw_uid",
            "origin_task",
            "started_at",
            "completed_at",
            "version",
            "created_at",
            "updated_at",
        ]


class CheckItemBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    item = serializers.CharField()
    category = serializers.CharField()


class TaskDetailSerializer(TaskOutputSerializer):
    check_items = serializers.SerializerMethodField()

    class Meta(TaskOutputSerializer.Meta):
        fields = [*TaskOutputSerializer.Meta.fields, "check_items"]

    @extend_schema_field(CheckItemBriefSerializer(many=True))
    def get_check_items(self, task) -> list[dict]:
        return CheckItemBriefSerializer(task_check_items(task), many=True).data


class ItemResultSerializer(serializers.Serializer):
    check_item = serializers.IntegerField(source="check_item_id")
    code = serializers.CharField(source="check_item.code", read_only=True)
    verdict = serializers.CharField()
    note = serializers.CharField()


class PhotoSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    width = serializers.IntegerField(allow_null=True)
    height = serializers.IntegerField(allow_null=True)
    caption = serializers.CharField()
    taken_at = serializers.DateTimeField(allow_null=True)


class ResultOutputSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    outcome_label = serializers.CharField(source="get_outcome_display", read_only=True)
    items = ItemResultSerializer(many=True, read_only=True)
    photos = PhotoSerializer(many=True, read_only=True)
    supersedes = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    penalty_amount = serializers.DecimalField(max_digits=12, decimal_places=2, coerce_to_string=False, allow_null=True)
    penalised_person_amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, coerce_to_string=False, allow_null=True
    )
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, coerce_to_string=False, allow_null=True)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, coerce_to_string=False, allow_null=True)

    class Meta:
        model = InspectionResult
        fields = [
            "id",
            "public_id",
            "task",
            "revision",
            "version",
            "status",
            "status_label",
            "outcome",
            "outcome_label",
            "summary",
            "inspected_at",
            "case_number",
            "penalty_kind",
            "penalty_decision_no",
            "penalty_amount",
            "penalised_person_name",
            "penalised_person_position",
            "penalised_person_amount",
            "rectification_requirements",
            "rectification_working_days",
            "items",
            "photos",
            "inspector_signature_sha256",
            "inspector_signed_at",
            "operator_signature_sha256",
            "operator_signer_name",
            "operator_signed_at",
            "operator_refused_to_sign",
            "latitude",
            "longitude",
            "location_accuracy_m",
            "supersedes",
            "correction_reason",
            "finalised_at",
            "content_hash",
            "created_at",
            "updated_at",
        ]


class ItemInputSerializer(StrictFieldsMixin, serializers.Serializer):
    check_item = serializers.IntegerField()
    verdict = serializers.ChoiceField(choices=ItemVerdict.choices, allow_blank=True)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class Base64PngField(serializers.CharField):
    """A drawn signature as base64 PNG (optionally a ``data:image/png;base64,`` URL)."""

    def to_internal_value(self, data):
        text = super().to_internal_value(data)
        if text.startswith("data:image/png;base64,"):
            text = text[len("data:image/png;base64,") :]
        try:
            return base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise serializers.ValidationError("不是有效的 base64 PNG") from None


class ResultInputSerializer(StrictInputSerializer):
    """PATCH body of a draft. Read-only and system-maintained fields (status, content_hash, task, revision ...) and
    unknown keys are a 400 naming them, like the enterprise API (SECURITY.md API-01); nothing is silently ignored."""

    version = serializers.IntegerField(required=False, min_value=1)
    outcome = serializers.ChoiceField(choices=InspectionOutcome.choices, required=False, allow_blank=True)
    summary = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    inspected_at = serializers.DateTimeField(required=False, allow_null=True)
    case_number = serializers.CharField(required=False, allow_blank=True, max_length=60)
    penalty_kind = serializers.ChoiceField(choices=PenaltyKind.choices, required=False, allow_blank=True)
    penalty_decision_no = serializers.CharField(required=False, allow_blank=True, max_length=60)
    penalty_amount = RoundedDecimalField(
        decimal_places=2, min_value=0, max_value=MAX_AMOUNT, required=False, allow_null=True
    )
    penalised_person_name = serializers.CharField(required=False, allow_blank=True, max_length=50)
    penalised_person_position = serializers.CharField(required=False, allow_blank=True, max_length=50)
    penalised_person_amount = RoundedDecimalField(
        decimal_places=2, min_value=0, max_value=MAX_AMOUNT, required=False, allow_null=True
    )
    rectification_requirements = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    rectification_working_days = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=60)
    operator_signer_name = serializers.CharField(required=False, allow_blank=True, max_length=50)
    operator_refused_to_sign = serializers.BooleanField(required=False)
    latitude = RoundedDecimalField(decimal_places=6, min_value=-90, max_value=90, required=False, allow_null=True)
    longitude = RoundedDecimalField(decimal_places=6, min_value=-180, max_value=180, required=False, allow_null=True)
    location_accuracy_m = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=100_000)
    correction_reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    items = ItemInputSerializer(many=True, required=False)
    inspector_signature_png = Base64PngField(required=False, allow_blank=False)
    operator_signature_png = Base64PngField(required=False, allow_blank=False)


ResultInputSerializer.protected_fields = read_only_fields_of(
    ResultOutputSerializer,
    task="检查任务在创建后不能修改",
    status="状态请通过 finalise（定稿）或 correct（更正）操作修改",
    content_hash="内容哈希由系统在定稿时生成",
    photos="照片请通过照片上传接口提交",
)


class ResultCreateSerializer(ResultInputSerializer):
    task = serializers.IntegerField(min_value=1)


class FinaliseInputSerializer(StrictInputSerializer):
    version = serializers.IntegerField(required=False, min_value=1)


class CorrectInputSerializer(StrictInputSerializer):
    reason = serializers.CharField(min_length=4, max_length=2000, help_text="更正理由（至少 4 个字）")


class PublicationOutputSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    result_public_id = serializers.UUIDField(source="result.public_id", read_only=True)
    task = serializers.IntegerField(source="result.task_id", read_only=True)
    task_number = serializers.CharField(source="result.task.number", read_only=True)
    enterprise = EnterpriseBriefSerializer(source="result.task.enterprise", read_only=True)
    outcome = serializers.CharField(source="result.outcome", read_only=True)
    content_hash = serializers.CharField(source="result.content_hash", read_only=True)

    class Meta:
        model = Publication
        fields = [
            "id",
            "result",
            "result_public_id",
            "task",
            "task_number",
            "enterprise",
            "outcome",
            "content_hash",
            "status",
            "status_label",
            "due_by",
            "objection_window_ends",
            "published_at",
            "withdrawn_at",
            "withdraw_reason",
            "created_at",
            "updated_at",
        ]
