"""/api/v1/incidents/incidents/ (read; API clients need ``incidents:read``): township-scoped like the pages; a
synced resource (``?updated_since=`` / ``?cursor=``, apps/common/api/feeds.py). Every write (report, action, level,
closing) moves ``updated_at``, so a subscriber sees it."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets

from apps.common.api.feeds import ChangeFeedMixin, feed_parameters
from apps.common.api.mixins import ScopedViewSetMixin

from ...models.emergencies import Incident
from ..filters import IncidentFilterSet
from ..selectors import incident_list
from .serializers import IncidentOutputSerializer


def _api_list(*, actor, filters=None):
    from apps.enterprises.models import Enterprise

    return incident_list(actor=actor, filters=filters).prefetch_related(
        Prefetch("enterprises", queryset=Enterprise.objects.only("pk"))
    )


@extend_schema_view(
    list=extend_schema(
        summary="食品安全事件列表 / 变更订阅",
        parameters=feed_parameters("食品安全事件（报告、处置措施、级别确认、结案都会改变更新时间）"),
        description="普通列表分页返回 {count, next, previous, results}；带 updated_since 或 cursor 时为变更订阅，"
        "返回 {results, next_cursor, has_more, next}。",
    ),
    retrieve=extend_schema(summary="食品安全事件详情"),
)
class IncidentViewSet(
    ChangeFeedMixin, ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """食品安全事件（按管辖范围）。"""

    queryset = Incident.objects.none()
    selector = staticmethod(_api_list)
    serializer_class = IncidentOutputSerializer
    filterset_class = IncidentFilterSet
    required_scopes = {"GET": "incidents:read"}
    feed_name = "incidents-incidents"
