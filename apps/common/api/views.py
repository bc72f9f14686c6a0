from rest_framework import serializers, viewsets
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny

from apps.common.api.mixins import ScopedViewSetMixin
from apps.common.models import Job
from apps.common.selectors import job_list


class JobOutputSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Job
        fields = [
            "id",
            "kind",
            "title",
            "status",
            "status_label",
            "progress",
            "message",
            "result",
            "error",
            "created_at",
            "started_at",
            "finished_at",
            "attempts",
        ]


class JobViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """后台任务：状态与进度（仅本人发起的任务；系统管理员可见全部）。"""

    queryset = Job.objects.none()
    selector = staticmethod(job_list)
    serializer_class = JobOutputSerializer
    required_scopes = {"GET": "jobs:read"}
    filterset_fields = ["status", "kind"]


@api_view(["GET", "POST", "PUT", "PATCH", "DELETE"])
@authentication_classes([])
@permission_classes([AllowAny])
def api_not_found(request, rest=""):
    raise NotFound()
