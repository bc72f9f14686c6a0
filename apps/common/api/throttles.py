"""Rate limits of the API, per client and per role, on the shared cache (SECURITY.md API-05; settings: API_THROTTLE).

Who is counted, and at what rate (each a list of ``"<n>/<period>"``, all of which must hold):

- an API client (bearer token): ``clients[<client name>]`` if configured, else ``client`` —
  1,000 an hour with a burst of 20 a second (the provincial platform's contract);
- a signed-in user (session): the most generous ``roles[<role code>]`` among the user's roles, else ``user`` —
  600 a minute;
- anyone else, by client IP (``apps.common.middleware.client_ip``, so behind the proxy the real address):
  ``anon`` — 60 a minute. Anonymous API requests are refused (401) before DRF would throttle them, so the
  exception handler counts every 401 and 403 through ``refusal_throttle_check`` too: token guessing and
  permission probing spend the same allowance as anything else.

Counting: a fixed window per rate (``throttle:<who>:<seconds>:<window number>``, ``apps.common.ratelimit``),
``cache.add`` then ``cache.incr`` — atomic on Redis (INCR) and on the in-process cache alike, so N workers never
accept more than the limit in a window (DRF's own throttles read, append and write back a list: racy across
workers). The shortest
period is counted first and a request it refuses does not count against the longer ones (a burst refused does not
eat the hourly allowance). Over the limit: 429 ``throttled`` with ``Retry-After`` (seconds until the window that
refused ends). If the cache is unreachable (Redis down, ``IGNORE_EXCEPTIONS``) the request is let through: a rate
limit must not take the API down with the cache.

Same code in both stacks; only the cache differs (Redis in production, in-process otherwise). The test settings
raise the rates so the suite never trips them; the throttle tests set their own.
"""

import time

from django.conf import settings
from django.core.cache import caches
from rest_framework import exceptions
from rest_framework.throttling import BaseThrottle

from apps.common.api.clients import api_client_of
from apps.common.middleware import client_ip
from apps.common.ratelimit import window_hit

DEFAULTS = {
    "anon": ["60/min"],
    "user": ["600/min"],
    "client": ["1000/hour", "20/second"],
    "roles": {},
    "clients": {},
    "cache": "default",
}
PERIODS = {
    "s": 1,
    "sec": 1,
    "second": 1,
    "m": 60,
    "min": 60,
    "minute": 60,
    "h": 3600,
    "hour": 3600,
    "d": 86400,
    "day": 86400,
}


def now() -> float:  # patched by the tests
    return time.time()


def parse_rate(text: str) -> tuple[int, int]:
    """``"600/min"`` → (600, 60); ``"20/s"``, ``"1000/hour"``, ``"5/10s"`` (5 per 10 seconds)."""
    count, _, period = str(text).strip().partition("/")
    digits = "".join(ch for ch in period if ch.isdigit())
    unit = period[len(digits) :].strip().lower()
    if not count.strip().isdigit() or unit not in PERIODS:
        raise ValueError(f"invalid rate {text!r}: use '<n>/<s|min|hour|day>'")
    return int(count), PERIODS[unit] * (int(digits) if digits else 1)


def config() -> dict:
    return {**DEFAULTS, **getattr(settings, "API_THROTTLE", {})}


def _rates(values) -> list[tuple[int, int]]:
    if isinstance(values, str):
        values = [values]
    return sorted((parse_rate(v) for v in values), key=lambda rate: rate[1])


def _generosity(rates: list[tuple[int, int]]) -> float:
    return min(count / seconds for count, seconds in rates) if rates else 0.0


def bucket_of(request) -> tuple[str, list[tuple[int, int]]]:
    """Who the request is counted as, and the rates that apply to it."""
    conf = config()
    client = api_client_of(request)
    if client is not None:
        return f"client:{client.pk}", _rates(conf["clients"].get(client.name, conf["client"]))
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        candidates = [_rates(conf["roles"][code]) for code in getattr(user, "role_codes", []) if code in conf["roles"]]
        rates = max(candidates, key=_generosity) if candidates else _rates(conf["user"])
        return f"user:{user.pk}", rates
    raw = getattr(request, "_request", request)
    return f"ip:{client_ip(raw) or 'unknown'}", _rates(conf["anon"])


def consume(who: str, rates: list[tuple[int, int]], *, at: float | None = None) -> float | None:
    """Count one request of ``who``; None if every rate allows it, else the seconds until it would be allowed."""
    cache = caches[config()["cache"]]
    moment = now() if at is None else at
    for limit, seconds in rates:
        count, remaining = window_hit(f"throttle:{who}", seconds, at=moment, cache=cache)
        if count is None:  # the cache is unreachable: let the request through
            return None
        if count > limit:
            return remaining
    return None


class ApiRateThrottle(BaseThrottle):
    """DEFAULT_THROTTLE_CLASSES: one throttle for every API view (see the module docstring)."""

    def allow_request(self, request, view):
        who, rates = bucket_of(request)
        self._wait = consume(who, rates)
        request._throttle_counted = True  # a refusal later in the view does not count it twice
        return self._wait is None

    def wait(self):
        return getattr(self, "_wait", None)


def refusal_throttle_check(request) -> exceptions.Throttled | None:
    """For the exception handler: a request refused with 401/403 counts like any other (see the module)."""
    if request is None or getattr(request, "_throttle_counted", False):
        return None
    if not getattr(settings, "REST_FRAMEWORK", {}).get("DEFAULT_THROTTLE_CLASSES"):
        return None
    request._throttle_counted = True
    try:
        who, rates = bucket_of(request)
    except exceptions.APIException:  # request.user raised (bad token): count the caller by IP
        raw = getattr(request, "_request", request)
        who, rates = f"ip:{client_ip(raw) or 'unknown'}", _rates(config()["anon"])
    wait = consume(who, rates)
    return exceptions.Throttled(wait=wait) if wait is not None else None


__all__ = ["ApiRateThrottle", "bucket_of", "consume", "parse_rate", "refusal_throttle_check"]
