"""/api/v1/assessment/rounds/ and /api/v1/assessment/scores/ (read only; API clients need ``assessment:read``, the
caller ``assessment.view_assessmentround`` / ``assessment.view_townshipscore``). Rounds are city-wide rows; scores
are scoped like the pages (a township sees only its own), each with its items (the drill-down)."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets

from apps.common.api.mixins import ScopedViewSetMixin

from ...models.schemes import AssessmentRound, ScoreItem, TownshipScore
from ..filters import RoundFilterSet, ScoreFilterSet
from ..selectors import round_list, score_list
from .serializers import RoundOutputSerializer, ScoreOutputSerializer


def _scores(*, actor, filters=None):
    items = ScoreItem.objects.select_related("indicator").order_by("indicator__order", "indicator_id")
    return score_list(actor=actor, filters=filters).prefetch_related(Prefetch("items", queryset=items))


@extend_schema_view(
    list=extend_schema(summary="年度镇街考核列表", description="year 为考核年度，status 为 open（进行中）或 closed。"),
    retrieve=extend_schema(summary="年度镇街考核详情"),
)
class RoundViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """年度镇街考核（全市一份；得分按管辖范围见 scores）。"""

    queryset = AssessmentRound.objects.none()
    selector = staticmethod(round_list)
    serializer_class = RoundOutputSerializer
    filterset_class = RoundFilterSet
    required_scopes = {"GET": "assessment:read"}


@extend_schema_view(
    list=extend_schema(
        summary="镇街考核得分列表（含各指标明细）",
        description="按管辖范围：镇街只见本镇街。year、round、township、stars 可筛选。",
    ),
    retrieve=extend_schema(summary="镇街考核得分详情（含各指标明细）"),
)
class ScoreViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """镇街考核得分（按管辖范围）。"""

    queryset = TownshipScore.objects.none()
    selector = staticmethod(_scores)
    serializer_class = ScoreOutputSerializer
    filterset_class = ScoreFilterSet
    required_scopes = {"GET": "assessment:read"}
