"""/api/v1/inspections/plans/ and /api/v1/inspections/draws/ (read; the verification JSON; the draw action).

Reads need ``inspections:read`` for API clients. ``POST /plans/{id}/draw/`` is for signed-in city staff only (no
client scope opens it): it runs the committed draw — exactly once; a repeat answers 409. Like every write it honours
``Idempotency-Key`` (a resent request gets the first answer) and ``If-Match`` on the plan (stale: 412).
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
from ..filters import DrawFilterSet, DrawPlanFilterSet
from ..selectors import draw_get, draw_list, draw_record, plan_list
from ..services import draw_execute
from .serializers import DrawOutputSerializer, DrawPlanOutputSerializer


class DrawPermissions(ModelPermissions):
    """POST /plans/{id}/draw/ needs inspections.add_draw (not add_drawplan)."""

    def has_permission(self, request, view):
        if getattr(view, "action", None) == "draw":
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
        responses={200: OpenApiResponse(description="hrs-v1 draw record")},
    )
    @action(detail=True, methods=["get"])
    def verification(self, request, pk=None):
        return Response(draw_record(self.get_object()))
