"""/api/v1/sampling/plans/ and /api/v1/sampling/plan-lines/ (read; API clients need ``sampling:read``).

Only issued plans (已下达 / 已结束) and their lines are published; drafts are working copies. Plans are city-wide;
lines are township-scoped (a township's staff and clients see their township's lines, city roles all). The lines
are a synced resource: ``?updated_since=`` / ``?cursor=`` turn the list into its change feed ordered by
(updated_at, id). An issued plan's lines are never deleted; issuing, a change by a consultation decision and
closing the plan (``plan_status`` becomes ``closed``) move ``updated_at``, so every change reaches a subscriber.
"""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets

from apps.common.api.feeds import ChangeFeedMixin, feed_parameters
from apps.common.api.mixins import ScopedViewSetMixin

from ...models import PlanLine, SamplingPlan
from ..filters import PlanLineFilterSet, SamplingPlanFilterSet
from ..selectors import issued_line_list, issued_plan_list
from .serializers import PlanLineOutputSerializer, SamplingPlanOutputSerializer

READ = {"GET": "sampling:read"}


@extend_schema_view(
    list=extend_schema(summary="抽检计划列表（已下达、已结束）"), retrieve=extend_schema(summary="抽检计划详情")
)
class SamplingPlanViewSet(
    ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """年度抽检计划（监督抽检、风险监测、评价性抽检），全市范围。"""

    queryset = SamplingPlan.objects.none()
    selector = staticmethod(issued_plan_list)
    serializer_class = SamplingPlanOutputSerializer
    filterset_class = SamplingPlanFilterSet
    required_scopes = READ


@extend_schema_view(
    list=extend_schema(
        summary="抽检计划明细列表 / 变更订阅",
        parameters=feed_parameters("计划明细（计划下达、调整和结束都会改变更新时间）"),
        description="普通列表分页返回 {count, next, previous, results}；带 updated_since 或 cursor 时为变更订阅，"
        "返回 {results, next_cursor, has_more, next}。只含已下达、已结束计划的明细。",
    ),
    retrieve=extend_schema(summary="抽检计划明细详情"),
)
class PlanLineViewSet(
    ChangeFeedMixin, ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """抽检计划明细：镇街 × 抽检分类 × 月份 × 来源（三位一体）的批次（按管辖范围）。"""

    queryset = PlanLine.objects.none()
    selector = staticmethod(issued_line_list)
    serializer_class = PlanLineOutputSerializer
    filterset_class = PlanLineFilterSet
    required_scopes = READ
    feed_name = "sampling-plan-lines"
