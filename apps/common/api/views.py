"""API views of apps/common: jobs (status, progress, starting allowed kinds), the /api/v1/ catch-all, schema and docs."""

from django.urls import Resolver404, resolve
from drf_spectacular.utils import extend_schema, extend_schema_field
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import serializers, status, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.common.api.idempotency import IdempotencyMixin
from apps.common.api.mixins import ScopedViewSetMixin
from apps.common.api.serializers import StrictInputSerializer
from apps.common.filters import JobFilterSet
from apps.common.job_registry import registered_kinds
from apps.common.jobs import job_create
from apps.common.models import Job
from apps.common.permissions import ClientScopes, ModelPermissions
from apps.common.selectors import job_get, job_list


class SelftestPayloadSerializer(StrictInputSerializer):
    steps = serializers.IntegerField(min_value=1, max_value=20, default=4, help_text="步数（1–20）")
    delay = serializers.FloatField(min_value=0, max_value=2, default=0.2, help_text="每步耗时（秒，0–2）")


# Job kinds a caller may start through POST /api/v1/jobs/: kind -> (title, payload serializer). Other kinds are
# started by the business action that owns them (an import, a draw, an export), never directly.
STARTABLE_JOB_KINDS = {
    "common.selftest": ("系统自检", SelftestPayloadSerializer),
}


class JsonErrorsMixin:
    """Errors (and OPTIONS metadata) of views with non-JSON renderers (YAML schema, HTML docs) are rendered as JSON."""

    def finalize_response(self, request, response, *args, **kwargs):
        if isinstance(response, Response) and (response.status_code >= 400 or request.method == "OPTIONS"):
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)


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


@extend_schema_field(SelftestPayloadSerializer)  # the only startable kind today; a new kind adds a oneOf here
class PayloadField(serializers.DictField):
    pass


class JobStartInputSerializer(StrictInputSerializer):
    kind = serializers.ChoiceField(
        choices=[(kind, title) for kind, (title, _) in STARTABLE_JOB_KINDS.items()],
        help_text="任务类型：" + "、".join(STARTABLE_JOB_KINDS),
        error_messages={"invalid_choice": "不支持通过接口启动此类型的任务"},
    )
    payload = PayloadField(required=False, default=dict, help_text="任务参数（JSON 对象，按任务类型校验）")

    def validate_kind(self, value):
        if value not in STARTABLE_JOB_KINDS or value not in registered_kinds():
            raise serializers.ValidationError("不支持通过接口启动此类型的任务")
        return value

    def validate(self, attrs):
        payload = STARTABLE_JOB_KINDS[attrs["kind"]][1](data=attrs.get("payload") or {})
        if not payload.is_valid():
            raise serializers.ValidationError({"payload": payload.errors})
        attrs["payload"] = dict(payload.validated_data)
        return attrs


class JobViewSet(IdempotencyMixin, ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """后台任务：状态与进度（仅本人发起的任务；系统管理员可见全部），以及启动允许通过接口启动的任务。"""

    queryset = Job.objects.none()
    selector = staticmethod(job_list)
    serializer_class = JobOutputSerializer
    permission_classes = [ClientScopes, ModelPermissions]
    required_permissions = {"POST": ["common.view_job"]}
    required_scopes = {"GET": "jobs:read", "POST": "jobs:write"}
    filterset_class = JobFilterSet

    @extend_schema(
        request=JobStartInputSerializer,
        responses={202: JobOutputSerializer},
        summary="启动后台任务",
        description="启动一个允许通过接口启动的任务（目前：common.selftest 系统自检）。"
        "接口客户端必须携带 Idempotency-Key；重放返回首次响应。",
    )
    def create(self, request, *args, **kwargs):
        data = JobStartInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        kind = data.validated_data["kind"]
        job = job_create(
            kind=kind, payload=data.validated_data["payload"], actor=request.user, title=STARTABLE_JOB_KINDS[kind][0]
        )
        fresh = job_get(actor=request.user, pk=job.pk)  # re-read: same query profile as the list
        return Response(
            JobOutputSerializer(fresh).data,
            status=status.HTTP_202_ACCEPTED,
            headers={"Location": f"{request.path.rstrip('/')}/{fresh.pk}/"},
        )


@extend_schema(exclude=True)
class ApiNotFoundView(APIView):
    """Any other path under /api/v1/: 401 for anonymous callers (nothing is revealed), else a JSON 404 for every
    method, OPTIONS included."""

    permission_classes = [IsAuthenticated]

    def get(self, request, rest=""):
        message = "未找到该接口"
        if rest and not rest.endswith("/"):
            try:
                match = resolve(f"{request.path}/")
            except Resolver404:
                match = None
            if match is not None and getattr(match.func, "view_class", None) is not ApiNotFoundView:
                message = "未找到该接口（接口路径须以 / 结尾）"
        raise NotFound(message)

    post = put = patch = delete = options = head = get


class SchemaView(JsonErrorsMixin, SpectacularAPIView):
    """OpenAPI 3 document (YAML; ``?format=json`` for JSON). Signed-in users and API clients only."""

    permission_classes = [IsAuthenticated]


class DocsView(JsonErrorsMixin, SpectacularSwaggerSplitView):
    """Swagger UI from local files (drf-spectacular-sidecar), script served separately for the CSP."""

    permission_classes = [IsAuthenticated]
