"""/api/v1/sampling/tasks/ and /api/v1/sampling/samples/ — read-only, scoped (township staff: their townships;
samplers: their organisation's; labs: the samples sent to them; city roles: all), filtered by the pages' FilterSets,
and change feeds (``?updated_since=`` / ``?cursor=``, apps.common.api.feeds.ChangeFeedMixin)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets

from apps.common.api.feeds import ChangeFeedMixin, feed_parameters
from apps.common.api.mixins import ScopedViewSetMixin

from ...models import Sample, SamplingTask
from ..filters import SampleFilterSet, TaskFilterSet
from ..selectors import sample_list, task_list
from .serializers import SampleDetailOutputSerializer, SampleOutputSerializer, SamplingTaskOutputSerializer


def _task_selector(*, actor):
    return task_list(actor=actor)


def _sample_selector(*, actor):
    return sample_list(actor=actor)


@extend_schema_view(
    list=extend_schema(summary="抽样任务列表 / 变更订阅", parameters=feed_parameters("抽样任务")),
    retrieve=extend_schema(summary="抽样任务详情"),
)
class SamplingTaskViewSet(
    ChangeFeedMixin, ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """抽样任务：计划明细下达给抽样机构的任务（抽检分离：抽样机构与检验机构不同）。"""

    queryset = SamplingTask.objects.none()
    selector = staticmethod(_task_selector)
    serializer_class = SamplingTaskOutputSerializer
    filterset_class = TaskFilterSet
    required_scopes = {"GET": "sampling:read"}
    feed_name = "sampling-task"


@extend_schema_view(
    list=extend_schema(summary="样品（抽样单）列表 / 变更订阅", parameters=feed_parameters("样品")),
    retrieve=extend_schema(summary="样品（抽样单）详情（含附件及其 SHA-256）", responses=SampleDetailOutputSerializer),
)
class SampleViewSet(
    ChangeFeedMixin, ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """样品（抽样单）：国家抽样单的全部字段与检验状态。"""

    queryset = Sample.objects.none()
    selector = staticmethod(_sample_selector)
    serializer_class = SampleOutputSerializer
    filterset_class = SampleFilterSet
    required_scopes = {"GET": "sampling:read"}
    feed_name = "sampling-sample"

    def get_serializer_class(self):
        return SampleDetailOutputSerializer if self.action == "retrieve" else SampleOutputSerializer
