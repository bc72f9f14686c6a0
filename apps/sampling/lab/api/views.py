"""The lab API.

- ``POST /api/v1/sampling/samples/{sample}/results/`` — a lab client (scope ``sampling:results:write``; its service
  account must be a member of the sample's lab: ``manage.py sampling_lab_member``) submits one round of a sample's
  results; ``{sample}`` is the 抽样单编号 or the sample's id. The one service path of the page and the Excel
  import (``results_submit``): judged against the limits in force on the production date, all or nothing, final
  once reported (409 ``results_final``; a 复检 is a new round, ``recheck: true``, from the 复检 lab). A sample not
  sent to the client's lab is 403 ``not_your_lab``. ``Idempotency-Key`` is required from clients
  (``apps.common.api.idempotency``): the same key and body replay the first answer (``Idempotent-Replayed: true``);
  the same key with another body is refused (422 ``idempotency_key_reused``, the platform's one rule).
- ``GET /api/v1/sampling/results/`` — result items (scope ``sampling:read``), scoped like the pages, also a change
  feed (``?updated_since=`` / ``?cursor=``): a 复检 reaches a subscriber as new rows with ``is_recheck``.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from apps.common.api.feeds import ChangeFeedMixin, feed_parameters
from apps.common.api.idempotency import HEADER, IdempotencyMixin
from apps.common.api.mixins import ScopedViewSetMixin

from ...choices import EntryChannel
from ...models import ResultItem, Sample
from ..filters import ResultItemFilterSet
from ..selectors import result_list, sample_by_reference, sample_disposal
from ..services import results as result_services
from .serializers import ResultItemOutputSerializer, ResultsSubmitInputSerializer, SubmitOutputSerializer


def _result_selector(*, actor):
    return result_list(actor=actor)


@extend_schema_view(
    list=extend_schema(summary="检验结果列表 / 变更订阅", parameters=feed_parameters("检验结果")),
    retrieve=extend_schema(summary="检验结果详情"),
)
class ResultItemViewSet(
    ChangeFeedMixin, ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """检验结果（每个样品每个检验项目一行；复检结果 is_recheck=true）。"""

    queryset = ResultItem.objects.none()
    selector = staticmethod(_result_selector)
    serializer_class = ResultItemOutputSerializer
    filterset_class = ResultItemFilterSet
    feed_name = "sampling-results"
    required_scopes = {"GET": "sampling:read"}


SAMPLE_PARAM = OpenApiParameter(
    "sample",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description="抽样单编号（如 DC26330481000000001）或样品编号（id）",
    pattern=r"^[^/.]+$",
)


class SampleResultsViewSet(IdempotencyMixin, ScopedViewSetMixin, viewsets.GenericViewSet):
    """检验机构提交样品的检验结果（幂等）。"""

    queryset = ResultItem.objects.none()
    selector = staticmethod(_result_selector)
    serializer_class = SubmitOutputSerializer
    required_scopes = {"POST": "sampling:results:write"}

    @extend_schema(
        summary="提交样品的检验结果（一次一轮：初检或复检；全部判定通过才写入）",
        parameters=[SAMPLE_PARAM],
        request=ResultsSubmitInputSerializer,
        responses={
            201: SubmitOutputSerializer,
            403: OpenApiResponse(description="没有权限，或该样品未送本机构检验（not_your_lab）"),
            409: OpenApiResponse(description="样品已出具检验结论（results_final）、没有进行中的复检，或同键请求处理中"),
        },
    )
    def create(self, request, sample=None):
        data = ResultsSubmitInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            found = sample_by_reference(actor=request.user, ref=sample)
        except Sample.DoesNotExist:
            raise NotFound("未找到该样品，或该样品不在本客户端的范围内") from None
        items = [dict(item) for item in values["items"]]
        done = result_services.results_submit(
            request.user,
            found,
            items,
            channel=EntryChannel.API,
            idempotency_key=request.headers.get(HEADER),
            is_recheck=values["recheck"],
            report_no=values["report_no"],
            received_on=values["received_on"],
        )
        rows = (
            ResultItem.objects.filter(sample=done, is_recheck=values["recheck"])
            .select_related("sample", "sample__township", "test_item", "lab")
            .order_by("test_item__order", "id")
        )
        body = {
            "pk": done.pk,
            "number": done.number,
            "status": done.status,
            "received_on": done.received_on,
            "report_no": done.report_no,
            "conclusion": done.conclusion,
            "get_conclusion_display": done.get_conclusion_display(),
            "concluded_at": done.concluded_at,
            "recheck": values["recheck"],
            "results": list(rows),
            "disposal": sample_disposal(done),
        }
        location = f"/api/v1/sampling/results/?sample={done.pk}"
        return Response(
            SubmitOutputSerializer(body).data, status=status.HTTP_201_CREATED, headers={"Location": location}
        )
