from rest_framework import viewsets

from apps.accounts.api.serializers import TownshipOutputSerializer
from apps.accounts.filters import TownshipFilterSet
from apps.accounts.models import Township
from apps.accounts.selectors import township_list
from apps.common.permissions import ClientScopes, ModelPermissions


class TownshipViewSet(viewsets.ReadOnlyModelViewSet):
    """镇街及各年度常住人口（参考数据，按官方顺序）。详情按镇街代码查询，如 /api/v1/townships/xiashi/。

    Reference data, deliberately not row-scoped (see apps.accounts.selectors.township_list).
    """

    queryset = Township.objects.none()
    serializer_class = TownshipOutputSerializer
    permission_classes = [ClientScopes, ModelPermissions]
    required_scopes = {"GET": "reference:read"}
    filterset_class = TownshipFilterSet
    lookup_field = "code"
    lookup_value_regex = "[A-Za-z0-9_-]+"

    def get_queryset(self):
        return township_list(actor=self.request.user)
