"""/api/v1/sampling/suggestions/ — the 靶向抽检 ranking with its reasons (the page's function and FilterSet).

- ``GET suggestions/?year=&township=&category=&limit=`` the first ``limit`` (1–500, default 50) suggestions of the
  year (default this year), best first, with the weights used, the date the data runs to and ``count`` (all ranked);
  township-scoped like the page: a township's staff or client sees its own enterprises only.
- ``GET suggestions/{enterprise id}-{大类 id}/?year=`` one suggestion, scored the same way (404 outside scope).

Scope ``sampling:read``; permission ``sampling.view_planline`` (a suggestion is a candidate plan line).
"""

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from apps.accounts.models import Township
from apps.common.api.filters import ID_BOUNDS, YEAR_BOUNDS, check_single_values, integer_query
from apps.common.api.mixins import ScopedViewSetMixin
from apps.common.api.schema import AutoSchema, integer_parameter
from apps.standards.models import SamplingCategory

from ...models import PlanLine
from .. import selectors
from ..filters import SuggestionFilterSet
from .serializers import SuggestionListSerializer, SuggestionSerializer

LIMIT_BOUNDS = (1, 500)
LIMIT_DEFAULT = 50
READ = {"GET": "sampling:read"}


class RankingSchema(AutoSchema):
    """The list answers one object (the ranking: its year, weights and dates, ``count``, ``results``), not an array."""

    def _is_list_view(self, serializer=None) -> bool:
        if getattr(self.view, "action", None) == "list":
            return False
        return super()._is_list_view(serializer)


class SuggestionViewSet(ScopedViewSetMixin, viewsets.GenericViewSet):
    """靶向抽检建议：按风险等级、既往不合格、投诉举报、距上次抽检时间和品类风险排序，每条附各项理由、原始值、得分与权重。"""

    queryset = PlanLine.objects.none()  # permission: sampling.view_planline
    selector = staticmethod(selectors.plan_line_visible)
    serializer_class = SuggestionSerializer
    required_scopes = READ
    filter_backends = []
    pagination_class = None
    lookup_field = "key"  # "<enterprise id>-<大类 id>"; anything else is a 404 (selectors.parse_key)
    schema = RankingSchema()

    @extend_schema(
        operation_id="sampling_suggestions_list",
        summary="靶向抽检建议（排名与理由）",
        description="与“靶向抽检建议”页面同一排名：按总分从高到低返回前 limit 条（1–500，默认 50），"
        "count 为符合条件的建议总数。year 缺省为今年；今年及以后的年度用截至今天的数据，过去的年度用该年 1 月 1 日前的数据。"
        "township / category 指向不存在的记录时结果为空。",
        parameters=[
            integer_parameter("year", *YEAR_BOUNDS, "计划年度（默认今年）"),
            integer_parameter("township", *ID_BOUNDS, "镇街编号"),
            integer_parameter("category", *ID_BOUNDS, "抽检大类编号"),
            integer_parameter(
                "limit", *LIMIT_BOUNDS, f"返回条数（{LIMIT_BOUNDS[0]}–{LIMIT_BOUNDS[1]}，默认 {LIMIT_DEFAULT}）"
            ),
        ],
        responses=SuggestionListSerializer,
    )
    def list(self, request, *args, **kwargs):
        query = integer_query(
            request, {"year": YEAR_BOUNDS, "township": ID_BOUNDS, "category": ID_BOUNDS, "limit": LIMIT_BOUNDS}
        )
        check_single_values(request.query_params, SuggestionFilterSet)
        if len([v for v in request.query_params.getlist("limit") if v.strip()]) > 1:
            raise ValidationError({"limit": ["只能指定一个值"]})
        limit = query["limit"] or LIMIT_DEFAULT
        filters = {name: query[name] for name in ("year", "township", "category") if query[name] is not None}
        missing = (query["township"] is not None and not Township.objects.filter(pk=query["township"]).exists()) or (
            query["category"] is not None
            and not SamplingCategory.objects.filter(pk=query["category"], level=1, is_active=True).exists()
        )
        if missing:  # a filter on a row that does not exist matches nothing (as everywhere in the API)
            filters = {"year": filters["year"]} if "year" in filters else {}
        ranking = selectors.suggestion_list(actor=request.user, filters=filters)
        rows = [] if missing else ranking[:limit]
        body = {
            "year": ranking.year,
            "data_until": ranking.data_until,
            "window_from": ranking.window_from,
            "weights": ranking.weights.as_dict(),
            "complaints_available": ranking.complaints_available,
            "grade_available": ranking.grade_available,
            "count": 0 if missing else len(ranking),
            "limit": limit,
            "results": [s.as_dict() for s in rows],
        }
        return Response(SuggestionListSerializer(body).data)

    @extend_schema(
        summary="一条靶向抽检建议",
        parameters=[
            OpenApiParameter(
                "key", str, OpenApiParameter.PATH, pattern=r"^[0-9]+-[0-9]+$", description="检查对象编号-抽检大类编号"
            ),
            integer_parameter("year", *YEAR_BOUNDS, "计划年度（默认今年）"),
        ],
        responses=SuggestionSerializer,
    )
    def retrieve(self, request, key=None, *args, **kwargs):
        query = integer_query(request, {"year": YEAR_BOUNDS})
        year = query["year"] or timezone.localdate().year
        suggestion = selectors.suggestion_get(actor=request.user, key=key or "", year=year)
        if suggestion is None:
            raise NotFound(
                "未找到该建议（检查对象或抽检大类不存在、不在管辖范围内、不属该单位可抽的大类，或已列入本年度计划）"
            )
        return Response(SuggestionSerializer(suggestion.as_dict()).data)
