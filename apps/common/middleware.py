"""Request id + client IP for every request; the actor is bound once authentication has run.

``RequestContextMiddleware`` also sends the two security headers Django's SecurityMiddleware has no setting for
(``PERMISSIONS_POLICY``, ``CROSS_ORIGIN_RESOURCE_POLICY``), on every response, pages and API alike (CFG-02)."""

import time

from django.conf import settings

from . import context


def client_ip(request) -> str | None:
    # Behind our reverse proxy (TRUST_X_REAL_IP=1 in docker-compose) the proxy sets X-Real-IP; otherwise REMOTE_ADDR,
    # so a client cannot choose the address recorded in the audit log.
    ip = None
    if settings.TRUST_X_REAL_IP:
        ip = request.META.get("HTTP_X_REAL_IP")
    ip = ip or request.META.get("REMOTE_ADDR") or None
    return ip.strip() if ip else None


SECURITY_HEADERS = (
    ("Permissions-Policy", "PERMISSIONS_POLICY"),
    ("Cross-Origin-Resource-Policy", "CROSS_ORIGIN_RESOURCE_POLICY"),
)


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if incoming.isalnum() and len(incoming) <= 64 else context.new_request_id()
        request.request_id = request_id
        token = context.set_context(context.RequestContext(request_id=request_id, ip=client_ip(request)))
        try:
            response = self.get_response(request)
        finally:
            context.reset_context(token)
        response["X-Request-ID"] = request_id
        for header, setting in SECURITY_HEADERS:
            value = getattr(settings, setting, "")
            if value and header not in response:
                response[header] = value
        return response


class AuditActorMiddleware:
    """Binds the session user as the audit actor (API token users are bound by the authentication class)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        ctx = context.current()
        token = context.set_context(
            context.RequestContext(
                request_id=ctx.request_id,
                ip=ctx.ip,
                actor=user if user is not None and user.is_authenticated else None,
                api_client=ctx.api_client,
            )
        )
        try:
            return self.get_response(request)
        finally:
            context.reset_context(token)


class SessionTouchMiddleware:
    """The idle clock (SECURITY.md SESS-01) without a session write on every request.

    ``SESSION_SAVE_EVERY_REQUEST`` rewrote the session row on every page (three statements and a second commit). Here
    a non-empty session is saved — which moves its expiry to now + its idle age — only when it was last saved more
    than ``SESSION_TOUCH_SECONDS`` (30) ago, or when the request changed it anyway. The idle timeout therefore counts
    from a moment at most 30 s before the last request: a session idle for 29 minutes (14 for the admin roles) is
    still alive, one idle for 31 (16) is gone, as SESS-01 states."""

    KEY = "_touched"

    def __init__(self, get_response):
        self.get_response = get_response
        self.every = int(getattr(settings, "SESSION_TOUCH_SECONDS", 30))

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and not session.is_empty():
            now = int(time.time())
            if session.modified or now - int(session.get(self.KEY, 0)) >= self.every:
                session[self.KEY] = now
        return response
