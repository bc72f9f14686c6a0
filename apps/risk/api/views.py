"""/api/v1/risk/ — grades, history, change feed, schemes (read-only), credit classes, events, coverage debt.

All scoped through the selectors (``enterprise__township``); API clients need the ``risk:read`` scope.

- ``GET assessments/`` (filters: enterprise, township, grade, year, kind, current) — paginated list;
  with ``?updated_since=<ISO-8601>`` or ``?cursor=`` the change feed ordered by (updated_at, id), answering
  ``{results, next_cursor, has_more, next}`` (a grade that stops being current changes ``updated_at`` too).
- ``GET enterprises/{id}/`` the enterprise's current grade, credit class and events; ``GET enterprises/{id}/history/``
  all its grades, newest first.
- ``GET schemes/``, ``GET schemes/{id}/`` every version with its tables.
- ``GET credit-classes/``, ``GET events/``.
- ``GET coverage-debt/`` overdue enterprises (most overdue first; filters township, min_days);
  ``GET coverage-debt/counts/`` per-township counts.
"""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from apps.common.api.feeds import ChangeFeedMixin, feed_parameters
from apps.common.api.filters import ID_BOUNDS, integer_query
from apps.common.api.mixins import ScopedViewSetMixin
from apps.common.api.schema import integer_parameter
from apps.enterprises.models import Enterprise

from .. import coverage, selectors
from ..filters import AssessmentFilterSet, CreditClassFilterSet, RiskEventFilterSet, SchemeFilterSet
from ..models import CreditClass, RiskAssessment, RiskEvent, RiskScheme
from .serializers import (
    AssessmentOutputSerializer,
    CoverageCountSerializer,
    CoverageDebtSerializer,
    CreditClassOutputSerializer,
    EnterpriseRiskSerializer,
    RiskEventOutputSerializer,
    SchemeOutputSerializer,
)

READ = {"GET": "risk:read"}
MIN_DAYS_BOUNDS = (0, 36500)  # 0 and 1 alike: every listed row is overdue


@extend_schema_view(
    list=extend_schema(
        summary="风险等级评定列表 / 变更订阅",
        parameters=feed_parameters("评定（不再是当前有效的评定也会变化）"),
        description="普通列表分页返回 {count, next, previous, results}；带 updated_since 或 cursor 时为变更订阅，"
        "返回 {results, next_cursor, has_more, next}。",
    ),
    retrieve=extend_schema(summary="风险等级评定详情（含输入快照与各因素得分）"),
)
class AssessmentViewSet(ChangeFeedMixin, ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """风险等级评定（按管辖范围）。"""

    queryset = RiskAssessment.objects.none()
    selector = staticmethod(selectors.assessment_list)
    serializer_class = AssessmentOutputSerializer
    filterset_class = AssessmentFilterSet
    required_scopes = READ

    def get_queryset(self):
        return selectors.assessment_list(actor=self.request.user)


class EnterpriseRiskViewSet(ScopedViewSetMixin, viewsets.GenericViewSet):
    """单个检查对象的风险信息：当前等级、信用分类、风险事件与评定历史。"""

    queryset = RiskAssessment.objects.none()  # permission: risk.view_riskassessment
    selector = staticmethod(selectors.assessment_list)
    serializer_class = AssessmentOutputSerializer
    required_scopes = READ
    filterset_class = None
    filter_backends = []

    def _enterprise(self, pk) -> Enterprise:
        try:
            return Enterprise.objects.visible_to(self.request.user).get(pk=pk)
        except (Enterprise.DoesNotExist, ValueError, TypeError):
            raise NotFound() from None

    @extend_schema(summary="检查对象风险概况", responses=EnterpriseRiskSerializer)
    def retrieve(self, request, pk=None):
        integer_query(request, {})
        enterprise = self._enterprise(pk)
        actor = request.user
        current = selectors.assessment_list(actor=actor).filter(enterprise=enterprise, is_current=True).first()
        credit = selectors.credit_class_list(actor=actor).filter(enterprise=enterprise).first()
        events = selectors.risk_event_list(actor=actor).filter(enterprise=enterprise)
        data = {
            "enterprise": enterprise.pk,
            "name": enterprise.name,
            "township": enterprise.township_id,
            "current": AssessmentOutputSerializer(current).data if current else None,
            "credit_class": CreditClassOutputSerializer(credit).data if credit else None,
            "events": RiskEventOutputSerializer(events, many=True).data,
        }
        return Response(data)

    @extend_schema(summary="检查对象风险等级历史（新到旧，分页）", responses=AssessmentOutputSerializer(many=True))
    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        integer_query(request, {}, allowed=("page", "page_size"))
        enterprise = self._enterprise(pk)
        qs = selectors.assessment_list(actor=request.user).filter(enterprise=enterprise)
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


@extend_schema_view(
    list=extend_schema(summary="风险分级方案（所有版本）"), retrieve=extend_schema(summary="风险分级方案详情（含各表）")
)
class SchemeViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """风险分级方案（只读）：静态风险因素表、动态项目、等级分值线与检查频次、等级调整规则。"""

    queryset = RiskScheme.objects.none()
    selector = staticmethod(selectors.scheme_queryset_for_api)
    serializer_class = SchemeOutputSerializer
    required_scopes = READ
    filterset_class = SchemeFilterSet

    def get_queryset(self):
        return selectors.scheme_queryset_for_api(actor=self.request.user).order_by("code", "-version")


@extend_schema_view(
    list=extend_schema(summary="信用风险分类（含历史）"), retrieve=extend_schema(summary="信用风险分类详情")
)
class CreditClassViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """信用风险分类 A–D（来源与分类日期）。同一企业取分类日期最新的一条为当前分类。"""

    queryset = CreditClass.objects.none()
    selector = staticmethod(selectors.credit_class_list)
    serializer_class = CreditClassOutputSerializer
    filterset_class = CreditClassFilterSet
    required_scopes = READ


@extend_schema_view(list=extend_schema(summary="风险事件"), retrieve=extend_schema(summary="风险事件详情"))
class RiskEventViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """影响下一年度风险等级的事件（抽检不合格、处罚、事故等；作废的事件 is_void=true）。"""

    queryset = RiskEvent.objects.none()
    selector = staticmethod(selectors.risk_event_list)
    serializer_class = RiskEventOutputSerializer
    filterset_class = RiskEventFilterSet
    required_scopes = READ


class CoverageDebtViewSet(ScopedViewSetMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """覆盖欠账：按风险等级频次、两年全项目检查底线与三小一摊首检计算的逾期企业（最逾期在前）。"""

    queryset = RiskAssessment.objects.none()  # permission: risk.view_riskassessment
    selector = staticmethod(selectors.assessment_list)
    serializer_class = CoverageDebtSerializer
    required_scopes = READ
    filter_backends = []

    @extend_schema(
        summary="覆盖欠账：逾期未检查的企业",
        parameters=[
            integer_parameter("township", *ID_BOUNDS, "镇街编号"),
            integer_parameter("min_days", *MIN_DAYS_BOUNDS, "至少逾期天数（默认 1）"),
        ],
    )
    def list(self, request, *args, **kwargs):
        query = integer_query(
            request, {"township": ID_BOUNDS, "min_days": MIN_DAYS_BOUNDS}, allowed=("page", "page_size")
        )
        township, min_days = query["township"], query["min_days"] or 1
        qs = coverage.coverage_debt_page_rows(actor=request.user, township_id=township, min_days=min_days)
        rows = [r.as_dict() for r in coverage.rows_of(self.paginate_queryset(qs))]
        return self.get_paginated_response(CoverageDebtSerializer(rows, many=True).data)

    @extend_schema(summary="覆盖欠账：各镇街计数", responses=CoverageCountSerializer(many=True))
    @action(detail=False, methods=["get"], pagination_class=None)
    def counts(self, request):
        integer_query(request, {})
        return Response(CoverageCountSerializer(coverage.coverage_debt_counts(request.user), many=True).data)
