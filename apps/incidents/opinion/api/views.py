"""/api/v1/incidents/opinion-events/ (read; API clients need ``incidents:read``): township-scoped like the pages; a
synced resource (``?updated_since=`` / ``?cursor=``, apps/common/api/feeds.py). Every write of the event (a step,
an action, a link, a spawn) moves ``updated_at``, so a subscriber sees it."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets

from apps.common.api.feeds import ChangeFeedMixin, feed_parameters
from apps.common.api.mixins import ScopedViewSetMixin

from ...models.opinion import OpinionEvent
from ..filters import OpinionEventFilterSet
from ..selectors import event_list
from .serializers import OpinionEventOutputSerializer


def _api_list(*, actor, filters=None):
    return event_list(actor=actor, filters=filters).prefetch_related("enterprises")


@extend_schema_view(
    list=extend_schema(
        summary="舆情事件列表 / 变更订阅",
        parameters=feed_parameters("舆情事件（研判、处置措施、回应、关闭、关联与转办都会改变更新时间）"),
        description="普通列表分页返回 {count, next, previous, results}；带 updated_since 或 cursor 时为变更订阅，"
        "返回 {results, next_cursor, has_more, next}。",
    ),
    retrieve=extend_schema(summary="舆情事件详情"),
)
class OpinionEventViewSet(
    ChangeFeedMixin, ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """舆情事件（按管辖范围）。"""

    queryset = OpinionEvent.objects.none()
    selector = staticmethod(_api_list)
    serializer_class = OpinionEventOutputSerializer
    filterset_class = OpinionEventFilterSet
    required_scopes = {"GET": "incidents:read"}
    feed_name = "incidents-opinion-events"
