"""Request id + client IP for every request; the actor is bound once authentication has run; refusals are logged.

``RequestContextMiddleware`` also sends the two security headers Django's SecurityMiddleware has no setting for
(``PERMISSIONS_POLICY``, ``CROSS_ORIGIN_RESOURCE_POLICY``), on every response, pages and API alike (CFG-02)."""

import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import resolve_url

from . import context
from .audit import safe_json_line


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


SECURITY_LOGGER = "haining.security"


class AccessDecisionLogMiddleware:
    """Failed access decisions and validation failures, logged in one place (SECURITY.md AUD-02).

    Judged by the answer, whatever raised it: 401 and 403 (``access.denied``), a redirect of an anonymous visitor to
    the login page (``access.denied``, as 401), 404 on a route that exists — a record out of the actor's scope or
    absent (``access.not_found``), 400/422 — a form or API body refused (``input.invalid``). Unknown paths are not
    logged (a scanner's noise is the web server's log). One line per event on the ``haining.security`` logger, JSON,
    escaped (AUD-10), shipped with the other logs (AUD-09).

    Not in the audit hash chain on purpose: a refusal has no side effect in the database (ACL matrix), and an
    anonymous flood must not be able to grow the chain. Rate limit: at most one record per second per actor (the
    user, or the client IP when anonymous) and kind, on the shared cache; the next record says how many were
    suppressed meanwhile."""

    KINDS = {
        401: "access.denied",
        403: "access.denied",
        404: "access.not_found",
        400: "input.invalid",
        422: "input.invalid",
    }

    def __init__(self, get_response):
        self.get_response = get_response
        self.log = logging.getLogger(SECURITY_LOGGER)

    def __call__(self, request):
        response = self.get_response(request)
        try:
            kind = self._kind(request, response)
            if kind:
                self._record(request, response, kind)
        except Exception:  # pragma: no cover - logging a refusal must never turn it into a 500
            self.log.exception("access decision could not be logged")
        return response

    def _kind(self, request, response) -> str | None:
        if getattr(request, "resolver_match", None) is None:
            return None
        status = response.status_code
        if status in (301, 302, 303):
            login = resolve_url(settings.LOGIN_URL)
            location = response.get("Location", "")
            if not _authenticated(request) and location.startswith(login) and not request.path.startswith(login):
                return "access.denied"
            return None
        if status == 200 and request.method == "POST" and _has_invalid_form(response):
            return "input.invalid"  # a page that re-renders a refused form with 200
        return self.KINDS.get(status)

    def _record(self, request, response, kind):
        user = getattr(request, "user", None)
        ctx = context.current()
        who = f"user:{user.pk}" if _authenticated(request) else f"ip:{ctx.ip or '-'}"
        key = f"aud02:{kind}:{who}"
        suppressed_key = f"{key}:suppressed"
        if not _first_this_second(key):
            _incr(suppressed_key)
            return
        suppressed = _pop(suppressed_key)
        match = request.resolver_match
        self.log.warning(
            safe_json_line(
                {
                    "event": kind,
                    "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(_now())),
                    "status": 401 if response.status_code in (301, 302, 303) else response.status_code,
                    # 200 with kind input.invalid: a page re-rendered its form with the errors
                    "method": request.method,
                    "path": request.path,
                    "route": match.view_name or match.route,
                    "actor_id": user.pk if _authenticated(request) else None,
                    "actor": str(user)[:150] if _authenticated(request) else "匿名",
                    "api_client": ctx.api_client or "",
                    "ip": ctx.ip,
                    "request_id": ctx.request_id,
                    "suppressed": suppressed,
                }
            )
        )


def _has_invalid_form(response) -> bool:
    from django.forms import BaseForm, BaseFormSet

    for value in (getattr(response, "context_data", None) or {}).values():
        if isinstance(value, BaseForm | BaseFormSet) and value.is_bound and not value.is_valid():
            return True
    return False


def _authenticated(request) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and getattr(user, "is_authenticated", False))


_local_marks: dict[str, int] = {}  # fallback when the shared cache is down (per process; pages keep answering)


def _now() -> float:
    return time.time()


def _first_this_second(key) -> bool:
    """True for the first refusal of ``key`` in the current wall-clock second (one shared-cache ``add`` per call)."""
    second = int(_now())
    try:
        return bool(cache.add(f"{key}:{second}", 1, timeout=2))
    except Exception:  # noqa: BLE001 - the cache being down must not break the page
        if _local_marks.get(key) == second:
            return False
        if len(_local_marks) > 10_000:
            _local_marks.clear()
        _local_marks[key] = second
        return True


def _incr(key):
    try:
        if not cache.add(key, 1, timeout=3600):
            cache.incr(key)
    except Exception:  # noqa: BLE001, S110 - a lost count is acceptable; the refusal itself is answered
        pass


def _pop(key) -> int:
    try:
        value = cache.get(key) or 0
        if value:
            cache.delete(key)
        return int(value)
    except Exception:  # noqa: BLE001
        return 0
