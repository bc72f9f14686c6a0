"""/api/v1/inspections/plans/ and /api/v1/inspections/draws/ (read; the verification JSON; the draw action).

Reads need ``inspections:read`` for API clients. ``POST /plans/{id}/draw/`` and ``POST /plans/{id}/public-value/``
are for signed-in city staff only (no client scope opens them): the public value (hrs-v2) is entered once, not
before the date the commitment named; the draw runs exactly once — a repeat answers 409. Like every write they honour
``Idempotency-Key`` (a resent request gets the first answer) and ``If-Match`` on the plan (stale: 412).
``GET /draws/signing-key/`` is the platform's Ed25519 public key that signs hrs-v2 records.
"""

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.common.api.etags import ConditionalWriteMixin
from apps.common.api.idempotency import IdempotencyMixin
from apps.common.api.mixins import ScopedViewSetMixin
from apps.common.permissions import ModelPermissions

from ...models import Draw, DrawPlan
from .. import signing
from ..filters import DrawFilterSet, DrawPlanFilterSet
from ..selectors import draw_get, draw_list, draw_record, plan_list
from ..services import draw_execute, public_value_enter
from .serializers import (
    DrawOutputSerializer,
    DrawPlanOutputSerializer,
    PublicValueInputSerializer,
    SigningKeySerializer,
)


class DrawPermissions(ModelPermissions):
    """POST /plans/{id}/draw/ needs inspections.add_draw (not add_drawplan)."""

    def has_permission(self, request, view):
        if getattr(view, "action", None) in ("draw", "public_value"):
            user = request.user
            return bool(user and user.is_authenticated and user.has_perm("inspections.add_draw"))
        return super().has_permission(request, view)


@extend_schema_view(list=extend_schema(summary="抽查计划列表"), retrieve=extend_schema(summary="抽查计划详情"))
class DrawPlanViewSet(
    IdempotencyMixin,
    ConditionalWriteMixin,
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """双随机抽查计划（分层、排除规则、检查人员规则、计划抽取时间）。"""

    queryset = DrawPlan.objects.none()
    selector = staticmethod(plan_list)
    serializer_class = DrawPlanOutputSerializer
    filterset_class = DrawPlanFilterSet
    required_scopes = {"GET": "inspections:read"}

    def get_permissions(self):
        from apps.common.permissions import ClientScopes

        return [DrawPermissions(), ClientScopes()]

    def get_queryset(self):
        return super().get_queryset().prefetch_related("check_items", "strata", "draws")

    @extend_schema(
        summary="执行抽取（仅一次；重复请求返回 409）",
        request=None,
        responses={201: DrawOutputSerializer, 409: OpenApiResponse(description="已抽取或未到抽取时间")},
    )
    @action(detail=True, methods=["post"])
    def draw(self, request, pk=None):
        plan = self.get_object()  # 404 outside scope
        drawn = draw_execute(actor=request.user, plan_id=plan.pk)
        return Response(
            DrawOutputSerializer(draw_get(actor=request.user, pk=drawn.pk)).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        summary="录入公开随机数（hrs-v2；仅一次，承诺写明的日期之前不能录入）",
        request=PublicValueInputSerializer,
        responses={
            201: DrawOutputSerializer,
            400: OpenApiResponse(description="数值不符合规则"),
            409: OpenApiResponse(description="未到日期、已录入或没有待抽取的承诺"),
        },
    )
    @action(detail=True, methods=["post"], url_path="public-value")
    def public_value(self, request, pk=None):
        plan = self.get_object()  # 404 outside scope
        data = PublicValueInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = public_value_enter(
            actor=request.user,
            plan_id=plan.pk,
            values=data.validated_data["values"],
            witnesses=data.validated_data.get("witnesses") or [],
            draw_uid=data.validated_data.get("draw_uid"),
        )
        return Response(
            DrawOutputSerializer(draw_get(actor=request.user, pk=row.draw_id)).data, status=status.HTTP_201_CREATED
        )


@extend_schema_view(list=extend_schema(summary="随机抽取列表"), retrieve=extend_schema(summary="随机抽取详情"))
class DrawViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """随机抽取记录（种子承诺、对象库哈希、种子、结果哈希）。"""

    queryset = Draw.objects.none()
    selector = staticmethod(draw_list)
    serializer_class = DrawOutputSerializer
    filterset_class = DrawFilterSet
    required_scopes = {"GET": "inspections:read"}

    @extend_schema(
        summary="校验用完整记录（与公开页面的 JSON 下载相同，可用 tools/verify_draw.py 校验）",
        responses={200: OpenApiResponse(description="hrs-v1 / hrs-v2 draw record")},
    )
    @action(detail=True, methods=["get"])
    def verification(self, request, pk=None):
        return Response(draw_record(self.get_object()))

    @extend_schema(summary="平台签名公钥（Ed25519；校验 hrs-v2 记录的签名）", responses={200: SigningKeySerializer})
    @action(detail=False, methods=["get"], url_path="signing-key", filterset_class=None, pagination_class=None)
    def signing_key(self, request):
        return Response(signing.public_key_info())
