"""/api/v1/enterprises/ — the registry for provincial platforms and internal systems.

- ``GET /`` list (filters: apps/enterprises/filters.py, the same as the page and the Excel export), paginated.
- ``GET /?updated_since=<ISO-8601>`` or ``GET /?cursor=<next_cursor>``: the change feed, ordered by
  (updated_at, id), answering ``{results, next_cursor, has_more, next}``. Deactivated and cancelled rows are
  included (``status``), so a subscriber learns of closures; rows are never deleted.
- ``GET /{id}/`` detail with an ``ETag`` header (``"<id>-<version>"``; ``apps.common.api.etags``).
- ``POST /`` create (``township`` by code, only within the caller's scope; only at create).
- ``PUT`` / ``PATCH /{id}/`` update, ``POST /{id}/deactivate/``, ``POST /{id}/reactivate/``. PUT requires
  ``name`` and ``business_type``; like PATCH, a field left out keeps its value. ``licences`` (if sent) is the full
  list: listed licences are created or updated, the others set inactive. Read-only fields (id, status, version,
  created_*/updated_*, deactivated_at, uscc_warning ...) and unknown keys are a 400 naming the field (API-01).

Optimistic locking (``ConditionalWriteMixin``): writes to an existing row take ``If-Match: "<id>-<version>"`` (the
ETag). A stale one is 412. API clients (bearer tokens) **must** send it (missing → 428): they sync unattended and
would otherwise overwrite a change made in the browser. Browser sessions may omit it (last write wins), because
pages carry the version in their forms and the services check it there. Client writes also need an
``Idempotency-Key``.
"""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from apps.common.api.etags import ConditionalWriteMixin
from apps.common.api.feeds import ChangeFeedMixin, feed_parameters
from apps.common.api.idempotency import IdempotencyMixin
from apps.common.api.mixins import ScopedViewSetMixin

from ..filters import EnterpriseFilterSet
from ..models import Enterprise
from ..selectors import enterprise_get, enterprise_list
from ..services import enterprise_create, enterprise_deactivate, enterprise_reactivate, enterprise_update
from .serializers import (
    DeactivateInputSerializer,
    EnterpriseCreateInputSerializer,
    EnterpriseOutputSerializer,
    EnterpriseUpdateInputSerializer,
    ReactivateInputSerializer,
)


@extend_schema_view(
    list=extend_schema(
        summary="检查对象列表 / 变更订阅",
        parameters=feed_parameters("检查对象（含停业、注销）"),
        description="普通列表分页返回 {count, next, previous, results}；带 updated_since 或 cursor 时为变更订阅，"
        "返回 {results, next_cursor, has_more, next}。",
    ),
    retrieve=extend_schema(summary="检查对象详情（响应头 ETag 用于 If-Match）"),
)
class EnterpriseViewSet(
    IdempotencyMixin,
    ConditionalWriteMixin,
    ChangeFeedMixin,
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """检查对象名录（按管辖范围）。"""

    queryset = Enterprise.objects.none()  # router/schema introspection only; rows come from the selector
    selector = staticmethod(enterprise_list)
    serializer_class = EnterpriseOutputSerializer
    filterset_class = EnterpriseFilterSet
    feed_name = "enterprises"  # the cursor salt of the first feed: subscribers' stored cursors stay valid
    if_match_required_for_clients = True  # 428 without If-Match (declared in the schema)
    required_scopes = {
        "GET": "enterprises:read",
        "POST": "enterprises:write",
        "PUT": "enterprises:write",
        "PATCH": "enterprises:write",
    }

    # ------------------------------------------------------------------------------------ reads
    def get_object(self):
        try:
            obj = enterprise_get(actor=self.request.user, pk=self.kwargs["pk"])
        except Enterprise.DoesNotExist:
            raise NotFound() from None
        self.check_object_permissions(self.request, obj)
        return obj

    # ------------------------------------------------------------------------------------ writes
    def _respond(self, pk, status_code=status.HTTP_200_OK, **headers):
        fresh = enterprise_get(actor=self.request.user, pk=pk)  # re-read: same query profile as the list
        return Response(self.get_serializer(fresh).data, status=status_code, headers=headers)  # + ETag (mixin)

    @extend_schema(
        summary="新建检查对象",
        request=EnterpriseCreateInputSerializer,
        responses={201: EnterpriseOutputSerializer},
    )
    def create(self, request, *args, **kwargs):
        data = EnterpriseCreateInputSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        licences = values.pop("licences", None)
        enterprise = enterprise_create(actor=request.user, data=values, licences=licences)
        location = f"{request.path.rstrip('/')}/{enterprise.pk}/"
        return self._respond(enterprise.pk, status.HTTP_201_CREATED, Location=location)

    @extend_schema(
        summary="修改检查对象（整体）",
        request=EnterpriseUpdateInputSerializer,
        responses={200: EnterpriseOutputSerializer},
    )
    def update(self, request, *args, partial=False, **kwargs):
        enterprise = self.get_object()
        data = EnterpriseUpdateInputSerializer(
            data=request.data, partial=partial, context=self.get_serializer_context()
        )
        data.is_valid(raise_exception=True)
        expected = self.if_match_version  # If-Match was checked when the row was read (412 / 428)
        values = dict(data.validated_data)
        licences = values.pop("licences", None)
        try:
            enterprise_update(
                actor=request.user,
                enterprise_id=enterprise.pk,
                data=values,
                expected_version=expected,
                licences=licences,
            )
        except Enterprise.DoesNotExist:
            raise NotFound() from None
        return self._respond(enterprise.pk)

    @extend_schema(
        summary="修改检查对象（部分字段）",
        request=EnterpriseUpdateInputSerializer,
        responses={200: EnterpriseOutputSerializer},
    )
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    @extend_schema(
        summary="停业或注销",
        request=DeactivateInputSerializer,
        responses={200: EnterpriseOutputSerializer},
    )
    @action(detail=True, methods=["post"])
    def deactivate(self, request, pk=None):
        enterprise = self.get_object()
        data = DeactivateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        expected = self.if_match_version
        enterprise_deactivate(
            actor=request.user, enterprise_id=enterprise.pk, expected_version=expected, **data.validated_data
        )
        return self._respond(enterprise.pk)

    @extend_schema(
        summary="恢复营业（仅停业状态）",
        request=ReactivateInputSerializer,
        responses={200: EnterpriseOutputSerializer},
    )
    @action(detail=True, methods=["post"])
    def reactivate(self, request, pk=None):
        enterprise = self.get_object()
        data = ReactivateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        expected = self.if_match_version
        enterprise_reactivate(
            actor=request.user, enterprise_id=enterprise.pk, expected_version=expected, **data.validated_data
        )
        return self._respond(enterprise.pk)


__all__ = ["EnterpriseViewSet"]
