"""DRF permissions built on Django model permissions, plus ApiClient scope checks.

Every API view declares ``permission_classes`` explicitly; the global default is ``DenyAll`` (SECURITY.md ACL-10),
and tests/common/test_scoping_coverage.py fails on a view that relies on it.
"""

from django.core.exceptions import PermissionDenied
from rest_framework import exceptions, permissions

from apps.common.api.clients import api_client_of


def require_perm(actor, perm: str, *, system_allowed: bool = False) -> None:
    """The one permission check of the services. ``actor=None`` is the system (beat tasks, management commands,
    seeding): refused unless the call says ``system_allowed=True`` — a service never lets a missing actor through
    by accident. An anonymous or inactive user, or one without ``perm``, is refused (PermissionDenied → 403)."""
    if actor is None:
        if system_allowed:
            return
        raise PermissionDenied
    if not getattr(actor, "is_authenticated", False) or not actor.has_perm(perm):
        raise PermissionDenied


class DenyAll(permissions.BasePermission):
    """The global default: a view that declares nothing allows nothing (SECURITY.md ACL-10)."""

    message = "拒绝访问"

    def has_permission(self, request, view):
        return False


class ModelPermissions(permissions.DjangoModelPermissions):
    """DjangoModelPermissions that also requires view_<model> on GET/HEAD/OPTIONS (NetBox's HTTP_ACTIONS).

    A view may replace the permissions of a method with ``required_permissions``, e.g.
    ``{"POST": ["common.view_job"]}`` for an action that is not "add a row of this model".
    """

    message = "没有权限执行此操作"

    perms_map = {
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "POST": ["%(app_label)s.add_%(model_name)s"],
        "PUT": ["%(app_label)s.change_%(model_name)s"],
        "PATCH": ["%(app_label)s.change_%(model_name)s"],
        "DELETE": ["%(app_label)s.delete_%(model_name)s"],
    }

    def has_permission(self, request, view):
        user = request.user
        if not user or not user.is_authenticated:
            return False
        if request.method not in view.allowed_methods:
            return True  # no handler: the dispatcher answers 405, nothing runs
        override = getattr(view, "required_permissions", None) or {}
        method = "GET" if request.method in ("HEAD", "OPTIONS") and request.method not in override else request.method
        if method in override:
            perms = list(override[method])
        else:
            if method not in self.perms_map:
                raise exceptions.MethodNotAllowed(request.method)
            queryset = self._queryset(view)
            perms = self.get_required_permissions(method, queryset.model)
        return user.has_perms(perms)


class ClientScopes(permissions.BasePermission):
    """For ApiClient tokens: the view's ``required_scopes`` ({"GET": "enterprises:read", ...}) must be granted.

    HEAD and OPTIONS need the GET scope; ``"*"`` is a fallback for every method.
    Session users are not limited by scopes (their model permissions apply).
    A view without ``required_scopes`` is closed to API clients.
    """

    message = "接口客户端未被授予此接口所需的权限范围"
    code = "insufficient_scope"

    def has_permission(self, request, view):
        client = api_client_of(request)
        if client is None:
            return True
        required = getattr(view, "required_scopes", None) or {}
        method = "GET" if request.method in ("HEAD", "OPTIONS") else request.method
        scope = required.get(method) or required.get("*")
        if not scope:
            self.message = "此接口不对接口客户端开放"
            return False
        if not client.has_scope(scope):
            self.message = f"接口客户端未被授予此接口所需的权限范围：{scope}"
            return False
        return True


class AnyAuthenticatedReader(permissions.IsAuthenticated):
    message = "请先登录"
