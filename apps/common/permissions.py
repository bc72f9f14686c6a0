"""DRF permissions built on Django model permissions, plus ApiClient scope checks."""

from rest_framework import permissions


class DenyAll(permissions.BasePermission):
    """The global default: a view that declares nothing allows nothing (SECURITY.md ACL-10)."""

    message = "拒绝访问"

    def has_permission(self, request, view):
        return False


class ModelPermissions(permissions.DjangoModelPermissions):
    """DjangoModelPermissions that also requires view_<model> on GET/HEAD/OPTIONS (NetBox's HTTP_ACTIONS)."""

    perms_map = {
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "POST": ["%(app_label)s.add_%(model_name)s"],
        "PUT": ["%(app_label)s.change_%(model_name)s"],
        "PATCH": ["%(app_label)s.change_%(model_name)s"],
        "DELETE": ["%(app_label)s.delete_%(model_name)s"],
    }


class ClientScopes(permissions.BasePermission):
    """For ApiClient tokens: the view's ``required_scopes`` ({"GET": "enterprises:read", ...}) must be granted.

    Session users are not limited by scopes (their model permissions apply).
    A view without ``required_scopes`` is closed to API clients.
    """

    message = "接口客户端未被授予此权限范围"

    def has_permission(self, request, view):
        from apps.accounts.models import ApiClient

        client = getattr(request, "auth", None)
        if not isinstance(client, ApiClient):
            return True
        required = getattr(view, "required_scopes", None) or {}
        method = "GET" if request.method in ("HEAD", "OPTIONS") else request.method
        scope = required.get(method) or required.get("*")
        return bool(scope) and client.has_scope(scope)


class AnyAuthenticatedReader(permissions.IsAuthenticated):
    message = "请先登录"
