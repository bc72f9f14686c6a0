"""/api/v1/standards/ — the standards catalogue, read-only (scope ``standards:read``).

- ``GET standards/`` (filters: prefix, status, q) and ``GET standards/{id}/``: every standard version with its
  superseding / superseded versions.
- ``GET standards/test-items/`` (filters: category, standard, judging_standard, method_standard, judgement_type,
  kind, q) and ``GET standards/test-items/{id}/``: test items with their categories and every limit (newest judging
  version first; a sample is judged by the newest version in force on its production date).

City-wide reference data: the selectors return every row to a holder of the view permission, none to anyone else.
"""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets

from apps.common.api.mixins import ScopedViewSetMixin

from .. import selectors
from ..filters import StandardFilterSet, TestItemFilterSet
from ..models import Standard, TestItem
from .serializers import StandardOutputSerializer, TestItemOutputSerializer

READ = {"GET": "standards:read"}


@extend_schema_view(list=extend_schema(summary="标准列表（各版本）"), retrieve=extend_schema(summary="标准详情"))
class StandardViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """食品安全标准（判定依据、检验方法）的各个版本，含代替关系。"""

    queryset = Standard.objects.none()
    selector = staticmethod(selectors.standard_list)
    serializer_class = StandardOutputSerializer
    filterset_class = StandardFilterSet
    required_scopes = READ
    lookup_value_regex = "[0-9]+"


@extend_schema_view(
    list=extend_schema(summary="检验项目及其限量"), retrieve=extend_schema(summary="检验项目详情（含各版本限量）")
)
class TestItemViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """检验项目、适用的抽检食品分类和各版本判定依据下的限量（判定方式、允许限、单位、检验方法、检出限）。"""

    __test__ = False

    queryset = TestItem.objects.none()
    selector = staticmethod(selectors.test_item_list)
    serializer_class = TestItemOutputSerializer
    filterset_class = TestItemFilterSet
    required_scopes = READ
    lookup_value_regex = "[0-9]+"
