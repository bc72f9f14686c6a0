"""Bearer-token authentication for ApiClients (hashed tokens, revocable, last-used time)."""

import datetime as dt

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from apps.accounts.models import ApiClient
from apps.common import context

LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


class ApiClientTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        try:
            header = authentication.get_authorization_header(request).split()
        except UnicodeError:
            raise exceptions.AuthenticationFailed("认证头包含非法字符") from None
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("认证头格式应为：Bearer <令牌>")
        try:
            raw = header[1].decode("ascii")
        except UnicodeError:
            raise exceptions.AuthenticationFailed("令牌包含非法字符") from None
        client = ApiClient.objects.active().select_related("user").filter(token_hash=ApiClient.hash_token(raw)).first()
        if client is None or not client.user.is_active:
            raise exceptions.AuthenticationFailed("令牌无效、已过期或已吊销")
        now = timezone.now()
        if client.last_used_at is None or now - client.last_used_at > LAST_USED_RESOLUTION:
            ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
            client.last_used_at = now
        ctx = context.current()
        context.set_context(
            context.RequestContext(request_id=ctx.request_id, ip=ctx.ip, actor=client.user, api_client=client.name)
        )
        return client.user, client

    def authenticate_header(self, request):
        return self.keyword


class ApiClientTokenScheme(OpenApiAuthenticationExtension):
    """Describes the bearer token in the OpenAPI document (securitySchemes.bearerAuth)."""

    target_class = "apps.accounts.api.authentication.ApiClientTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "接口客户端令牌（由安全管理员用 manage.py api_client_create 签发，仅显示一次）。"
            "请求头：Authorization: Bearer <令牌>",
        }
