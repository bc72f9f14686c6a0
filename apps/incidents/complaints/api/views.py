"""/api/v1/incidents/complaints/ (read; API clients need ``complaints:read``): township-scoped like the pages; a
synced resource (``?updated_since=`` / ``?cursor=``, apps/common/api/feeds.py). Every step of the pipeline moves
``updated_at``, so a subscriber sees it. Never the reporter's identity."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets

from apps.common.api.feeds import ChangeFeedMixin, feed_parameters
from apps.common.api.mixins import ScopedViewSetMixin

from ...models import Complaint
from ..filters import ComplaintFilterSet
from ..selectors import complaint_list
from .serializers import ComplaintOutputSerializer


def _api_list(*, actor, filters=None):
    return complaint_list(actor=actor, filters=filters).select_related("duplicate_of")


@extend_schema_view(
    list=extend_schema(
        summary="投诉举报列表 / 变更订阅",
        parameters=feed_parameters("投诉举报（每个办理环节都会改变更新时间）"),
        description="普通列表分页返回 {count, next, previous, results}；带 updated_since 或 cursor 时为变更订阅，"
        "返回 {results, next_cursor, has_more, next}。不含举报人身份。",
    ),
    retrieve=extend_schema(summary="投诉举报详情"),
)
class ComplaintViewSet(
    ChangeFeedMixin, ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """投诉举报（按管辖范围；不含举报人身份）。"""

    queryset = Complaint.objects.none()
    selector = staticmethod(_api_list)
    serializer_class = ComplaintOutputSerializer
    filterset_class = ComplaintFilterSet
    required_scopes = {"GET": "complaints:read"}
    feed_name = "incidents-complaints"
