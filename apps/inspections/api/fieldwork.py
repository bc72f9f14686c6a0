"""/api/v1/inspections/tasks/, /results/ and /publications/ — the fieldwork for provincial platforms and the
inspectors' mobile clients.

- ``tasks`` (read): an inspector sees only the tasks assigned to them; township and city roles as usual.
- ``results``: read; ``POST /`` opens the draft of a task (201; 409 if one exists), ``PATCH /{id}/`` saves it
  (send ``version`` or ``If-Match: "<id>-<version>"``; a stale one is 409), ``POST /{id}/finalise/`` seals it (409
  when another device finalised first), ``POST /{id}/correct/`` starts a correction. Writes only by an assigned
  inspector's session or an API client with ``inspections:write`` (for tasks in its scope). Every write honours
  ``Idempotency-Key`` (required from API clients): a phone resending after a flaky network gets the first answer.
- ``publications`` (read).

All three lists are also change feeds: ``?updated_since=<ISO-8601>`` or ``?cursor=<next_cursor>`` answer
``{results, next_cursor, has_more, next}`` ordered by (updated_at, id), through ``apps.common.api.feeds.ChangeFeedMixin``.
"""

from __future__ import annotations

import base64
import binascii

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from apps.common.api.feeds import ChangeFeedMixin, feed_parameters
from apps.common.api.idempotency import IdempotencyMixin
from apps.common.api.mixins import ScopedViewSetMixin
from apps.common.api.serializers import (
    RoundedDecimalField,
    StrictFieldsMixin,
    StrictInputSerializer,
    read_only_fields_of,
)
from apps.common.exceptions import PreconditionFailed

from .. import services_fieldwork as svc
from ..choices import InspectionOutcome, ItemVerdict, PenaltyKind
from ..filters import PublicationFilterSet, ResultFilterSet, TaskFilterSet
from ..models import InspectionResult, InspectionTask, Publication
from ..selectors_fieldwork import publication_list, result_list, task_check_items, task_list

FEED_PARAMS = feed_parameters()
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


# ---------------------------------------------------------------------------- view sets
def _task_selector(*, actor):
    return task_list(actor=actor)


@extend_schema_view(
    list=extend_schema(summary="检查任务列表 / 变更订阅（检查人员只看到指派给本人的任务）", parameters=FEED_PARAMS),
    retrieve=extend_schema(summary="检查任务详情（含本次检查事项）"),
)
class InspectionTaskViewSet(
    ChangeFeedMixin, ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """检查任务（双随机、重点、飞行、整改复查）。"""

    queryset = InspectionTask.objects.none()
    selector = staticmethod(_task_selector)
    serializer_class = TaskOutputSerializer
    filterset_class = TaskFilterSet
    required_scopes = {"GET": "inspections:read"}

    def get_serializer_class(self):
        return TaskDetailSerializer if self.action == "retrieve" else TaskOutputSerializer

    def retrieve(self, request, *args, **kwargs):
        obj = self.get_object()
        return Response(self.get_serializer(obj).data, headers={"ETag": obj.etag})


def _result_selector(*, actor):
    return result_list(actor=actor)


def _expected_version(request, result: InspectionResult, body_version) -> int | None:
    header = (request.headers.get("If-Match") or "").strip()
    if header and header != "*":
        pk, _, version = header.strip('"').removeprefix("W/").strip('"').partition("-")
        if pk != str(result.pk) or not version.isdigit():
            raise PreconditionFailed(f"If-Match 与该检查结果不符（当前 ETag 为 {result.etag}）")
        return int(version)
    return body_version


@extend_schema_view(
    list=extend_schema(summary="检查结果列表 / 变更订阅", parameters=FEED_PARAMS),
    retrieve=extend_schema(summary="检查结果详情（响应头 ETag 用于 If-Match）"),
)
class InspectionResultViewSet(
    IdempotencyMixin,
    ChangeFeedMixin,
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """现场检查结果：草稿、保存、定稿（封存）、更正。"""

    queryset = InspectionResult.objects.none()
    selector = staticmethod(_result_selector)
    serializer_class = ResultOutputSerializer
    filterset_class = ResultFilterSet
    required_scopes = {"GET": "inspections:read", "POST": "inspections:write", "PATCH": "inspections:write"}
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_object(self):
        try:
            obj = self.get_queryset().get(pk=self.kwargs["pk"])
        except (InspectionResult.DoesNotExist, ValueError, TypeError):
            raise NotFound() from None
        self.check_object_permissions(self.request, obj)
        return obj

    def _respond(self, pk, status_code=status.HTTP_200_OK):
        fresh = result_list(actor=self.request.user).get(pk=pk)
        return Response(self.get_serializer(fresh).data, status=status_code, headers={"ETag": fresh.etag})

    def retrieve(self, request, *args, **kwargs):
        obj = self.get_object()
        return Response(self.get_serializer(obj).data, headers={"ETag": obj.etag})

    @staticmethod
    def _save_kwargs(data: dict) -> dict:
        values = dict(data)
        values.pop("version", None)
        values.pop("task", None)
        items = values.pop("items", None)
        inspector_png = values.pop("inspector_signature_png", None)
        operator_png = values.pop("operator_signature_png", None)
        return {
            "data": values,
            "items": None if items is None else [dict(i) for i in items],
            "inspector_signature": inspector_png,
            "operator_signature": operator_png,
        }

    @extend_schema(
        summary="开始填写：为任务创建检查结果草稿（可同时提交内容）",
        request=ResultCreateSerializer,
        responses={201: ResultOutputSerializer, 409: OpenApiResponse(description="该任务已有草稿或已完成")},
    )
    def create(self, request, *args, **kwargs):
        data = ResultCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        draft = svc.result_start(actor=request.user, task_id=data.validated_data["task"])
        if draft.version != 1 or draft.items.exists():
            raise svc.Conflict("该任务已有检查结果草稿，请用 PATCH 修改（携带 version）", code="draft_exists")
        kwargs = self._save_kwargs(data.validated_data)
        if any(v for v in kwargs.values()) or kwargs["data"]:
            svc.result_save(actor=request.user, result_id=draft.pk, version=draft.version, **kwargs)
        return self._respond(draft.pk, status.HTTP_201_CREATED)

    @extend_schema(
        summary="保存草稿（version 或 If-Match 必须是最新版本，否则 409）",
        request=ResultInputSerializer,
        responses={200: ResultOutputSerializer, 409: OpenApiResponse(description="已定稿或版本过期")},
        parameters=[OpenApiParameter("If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER)],
    )
    def partial_update(self, request, *args, **kwargs):
        result = self.get_object()
        data = ResultInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = _expected_version(request, result, data.validated_data.get("version"))
        svc.result_save(
            actor=request.user, result_id=result.pk, version=version, **self._save_kwargs(data.validated_data)
        )
        return self._respond(result.pk)

    @extend_schema(
        summary="定稿（封存内容哈希；两台设备同时定稿时后到者 409）",
        request=FinaliseInputSerializer,
        responses={200: ResultOutputSerializer, 409: OpenApiResponse(description="已定稿或版本过期")},
    )
    @action(detail=True, methods=["post"])
    def finalise(self, request, pk=None):
        result = self.get_object()
        data = FinaliseInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = _expected_version(request, result, data.validated_data.get("version"))
        svc.result_finalise(actor=request.user, result_id=result.pk, version=version)
        return self._respond(result.pk)

    @extend_schema(
        summary="提出更正：新建一版草稿，原记录不变",
        request=CorrectInputSerializer,
        responses={201: ResultOutputSerializer},
    )
    @action(detail=True, methods=["post"])
    def correct(self, request, pk=None):
        result = self.get_object()
        data = CorrectInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        draft = svc.result_correct(actor=request.user, result_id=result.pk, reason=data.validated_data["reason"])
        return self._respond(draft.pk, status.HTTP_201_CREATED)


def _publication_selector(*, actor):
    return publication_list(actor=actor)


@extend_schema_view(
    list=extend_schema(summary="结果公示列表 / 变更订阅", parameters=FEED_PARAMS),
    retrieve=extend_schema(summary="结果公示详情"),
)
class PublicationViewSet(
    ChangeFeedMixin, ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """一公开：每个定稿结果的公示（期限、异议期、状态）。"""

    queryset = Publication.objects.none()
    selector = staticmethod(_publication_selector)
    serializer_class = PublicationOutputSerializer
    filterset_class = PublicationFilterSet
    required_scopes = {"GET": "inspections:read"}


__all__ = ["InspectionResultViewSet", "InspectionTaskViewSet", "PublicationViewSet"]
