"""Request id + client IP for every request; the actor is bound once authentication has run."""

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
