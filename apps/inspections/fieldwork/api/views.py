"""/api/v1/inspections/tasks/, /results/ and /publications/ — the fieldwork for provincial platforms and the
inspectors' mobile clients.

- ``tasks`` (read): an inspector sees only the tasks assigned to them; township and city roles as usual.
- ``results``: read; ``POST /`` opens the draft of a task (201; 409 if one exists), ``PATCH /{id}/`` saves it
  (send ``If-Match: "<id>-<version>"`` — a stale one is 412, ``apps.common.api.etags`` — or ``version`` in the body
  — a stale one is 409), ``POST /{id}/finalise/`` seals it (the same; 409 when another device finalised first),
  ``POST /{id}/correct/`` starts a correction. Writes only by an assigned
  inspector's session or an API client with ``inspections:write`` (for tasks in its scope). Every write honours
  ``Idempotency-Key`` (required from API clients): a phone resending after a flaky network gets the first answer.
- ``publications`` (read).

All three lists are also change feeds: ``?updated_since=<ISO-8601>`` or ``?cursor=<next_cursor>`` answer
``{results, next_cursor, has_more, next}`` ordered by (updated_at, id), through ``apps.common.api.feeds.ChangeFeedMixin``.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from apps.common.api.etags import ConditionalWriteMixin
from apps.common.api.feeds import ChangeFeedMixin, feed_parameters
from apps.common.api.idempotency import IdempotencyMixin
from apps.common.api.mixins import ScopedViewSetMixin

from ...models import InspectionResult, InspectionTask, Publication
from ..filters import PublicationFilterSet, ResultFilterSet, TaskFilterSet
from ..selectors import publication_list, result_list, task_list
from ..services import results as result_services
from .serializers import (
    CorrectInputSerializer,
    FinaliseInputSerializer,
    PublicationOutputSerializer,
    ResultCreateSerializer,
    ResultInputSerializer,
    ResultOutputSerializer,
    TaskDetailSerializer,
    TaskOutputSerializer,
)

FEED_PARAMS = feed_parameters()


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


@extend_schema_view(
    list=extend_schema(summary="检查结果列表 / 变更订阅", parameters=FEED_PARAMS),
    retrieve=extend_schema(summary="检查结果详情（响应头 ETag 用于 If-Match）"),
)
class InspectionResultViewSet(
    IdempotencyMixin,
    ConditionalWriteMixin,
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
        return Response(self.get_serializer(fresh).data, status=status_code)  # + ETag (ConditionalWriteMixin)

    def _expected_version(self, body_version) -> int | None:
        """If-Match (already checked against the row: 412) wins; else the body's ``version`` (stale: 409)."""
        return self.if_match_version if self.if_match_version is not None else body_version

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
        draft = result_services.result_start(actor=request.user, task_id=data.validated_data["task"], new_only=True)
        kwargs = self._save_kwargs(data.validated_data)
        if any(v for v in kwargs.values()) or kwargs["data"]:
            result_services.result_save(actor=request.user, result_id=draft.pk, version=draft.version, **kwargs)
        return self._respond(draft.pk, status.HTTP_201_CREATED)

    @extend_schema(
        summary="保存草稿（If-Match 过期为 412；请求体中的 version 过期为 409）",
        request=ResultInputSerializer,
        responses={200: ResultOutputSerializer, 409: OpenApiResponse(description="已定稿或版本过期")},
    )
    def partial_update(self, request, *args, **kwargs):
        result = self.get_object()
        data = ResultInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = self._expected_version(data.validated_data.get("version"))
        result_services.result_save(
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
        version = self._expected_version(data.validated_data.get("version"))
        result_services.result_finalise(actor=request.user, result_id=result.pk, version=version)
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
        draft = result_services.result_correct(
            actor=request.user, result_id=result.pk, reason=data.validated_data["reason"]
        )
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
