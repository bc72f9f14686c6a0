"""/api/v1/assessment/campaigns/ (read-only; API clients need ``assessment:campaigns:read``, the caller
``assessment.view_campaign``): the eight campaigns with their targets in force for ``?year=`` (default: this year)
and the progress of each, scoped like the pages (a township role gets its township's figures)."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets

from apps.common.api.mixins import ScopedViewSetMixin

from ...models.campaigns import Campaign
from ..filters import CampaignFilterSet
from ..selectors import campaign_list, campaign_progress
from .serializers import CampaignOutputSerializer


@extend_schema_view(
    list=extend_schema(
        summary="八大攻坚行动（目标与进展）",
        description="分页返回 {count, next, previous, results}。year 为目标与进展的年度（默认今年）；"
        "每个目标给出调用者范围内的整体值和各镇街的值、目标值、完成度和明细链接；指标尚未登记的目标值为空并附说明。",
    ),
    retrieve=extend_schema(summary="一项攻坚行动（目标与进展）"),
)
class CampaignViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """八大攻坚行动（市级配置，所有有查看权限的角色可读；进展按调用者的管辖范围计算）。"""

    queryset = Campaign.objects.none()
    selector = staticmethod(campaign_list)
    serializer_class = CampaignOutputSerializer
    filterset_class = CampaignFilterSet
    required_scopes = {"GET": "assessment:campaigns:read"}

    def _year(self) -> int:
        raw = str(self.request.query_params.get("year") or "").strip()
        return int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else timezone.localdate().year

    def get_serializer_context(self):
        context = super().get_serializer_context()
        year = self._year()
        context["year"] = year
        objects = getattr(self, "_page_objects", None)
        if objects is None:
            objects = list(self.filter_queryset(self.get_queryset()))
        rows = campaign_progress(self.request.user, year=year, campaigns=objects) if objects else []
        context["progress"] = {row.campaign.pk: row for row in rows}
        return context

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        self._page_objects = list(page) if page is not None else None
        return page

    def get_object(self):
        obj = super().get_object()
        self._page_objects = [obj]
        return obj
