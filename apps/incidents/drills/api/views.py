"""/api/v1/incidents/emergency-plans/ and /api/v1/incidents/drills/ (read; API clients need ``incidents:read``, and
the caller needs ``incidents.view_emergencyplan`` / ``incidents.view_drill`` — ``ModelPermissions`` on the view's
model, as the complaints API does). Scoped like the pages; both are synced resources (``?updated_since=`` /
``?cursor=``, apps/common/api/feeds.py): issuing a plan version and adding a drill attachment move ``updated_at``."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets

from apps.common.api.feeds import ChangeFeedMixin, feed_parameters
from apps.common.api.mixins import ScopedViewSetMixin

from ...models.drills import Drill, EmergencyPlan, PlanVersion
from ..filters import DrillFilterSet, PlanFilterSet
from ..selectors import drill_list, plan_list
from .serializers import DrillOutputSerializer, EmergencyPlanOutputSerializer


def _plans(*, actor, filters=None):
    issued = PlanVersion.objects.filter(number__isnull=False).order_by("-number")
    return plan_list(actor=actor, filters=filters).prefetch_related(Prefetch("versions", queryset=issued))


@extend_schema_view(
    list=extend_schema(
        summary="应急预案列表 / 变更订阅",
        parameters=feed_parameters("应急预案（签发新版本会改变更新时间）"),
        description="普通列表分页返回 {count, next, previous, results}；带 updated_since 或 cursor 时为变更订阅，"
        "返回 {results, next_cursor, has_more, next}。township 为镇街编号或 none（市级预案）。",
    ),
    retrieve=extend_schema(summary="应急预案详情（含已签发的版本）"),
)
class EmergencyPlanViewSet(
    ChangeFeedMixin, ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """应急预案（按管辖范围；镇街人员另可见市级预案）。"""

    queryset = EmergencyPlan.objects.none()
    selector = staticmethod(_plans)
    serializer_class = EmergencyPlanOutputSerializer
    filterset_class = PlanFilterSet
    required_scopes = {"GET": "incidents:read"}
    feed_name = "incidents-emergency-plans"


@extend_schema_view(
    list=extend_schema(
        summary="应急演练列表 / 变更订阅",
        parameters=feed_parameters("应急演练"),
        description="普通列表分页返回 {count, next, previous, results}；带 updated_since 或 cursor 时为变更订阅，"
        "返回 {results, next_cursor, has_more, next}。township 为镇街编号或 none（市级演练），year 为演练年度。",
    ),
    retrieve=extend_schema(summary="应急演练详情"),
)
class DrillViewSet(
    ChangeFeedMixin, ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """应急演练（按管辖范围）。"""

    queryset = Drill.objects.none()
    selector = staticmethod(drill_list)
    serializer_class = DrillOutputSerializer
    filterset_class = DrillFilterSet
    required_scopes = {"GET": "incidents:read"}
    feed_name = "incidents-drills"
