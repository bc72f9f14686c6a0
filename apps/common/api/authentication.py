"""Session authentication for the API with the CSRF refusal in Chinese (DRF's says "CSRF Failed: ..." in English)."""

from drf_spectacular.authentication import SessionScheme as _SpectacularSessionScheme
from rest_framework import authentication, exceptions

CSRF_REASONS = (
    ("CSRF cookie not set", "缺少 CSRF Cookie：请先在浏览器中打开本站页面，或改用 Bearer 令牌"),
    ("CSRF token missing", "缺少 CSRF 令牌：请在 X-CSRFToken 请求头中提交，或改用 Bearer 令牌"),
    ("CSRF token from", "CSRF 令牌无效：请刷新页面后重试"),
    ("CSRF token incorrect", "CSRF 令牌无效或已过期：请刷新页面后重试"),
    ("Referer checking failed", "请求来源（Referer）与本站不符"),
    ("Origin checking failed", "请求来源（Origin）与本站不符"),
)


def csrf_message(reason: str) -> str:
    for prefix, message in CSRF_REASONS:
        if str(reason).startswith(prefix):
            return f"CSRF 校验失败：{message}"
    return "CSRF 校验失败：请刷新页面后重试，或改用 Bearer 令牌"


class SessionAuthentication(authentication.SessionAuthentication):
    def enforce_csrf(self, request):
        try:
            super().enforce_csrf(request)
        except exceptions.PermissionDenied as exc:
            reason = str(exc.detail).removeprefix("CSRF Failed: ")
            raise exceptions.PermissionDenied(csrf_message(reason), code="csrf_failed") from None


class SessionScheme(_SpectacularSessionScheme):
    """The OpenAPI security scheme of this class (cookieAuth), as drf-spectacular gives DRF's own."""

    target_class = "apps.common.api.authentication.SessionAuthentication"
