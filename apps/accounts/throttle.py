"""Failed-login throttle per client IP and per username on the shared cache (SECURITY.md AUTH-04).

django-axes locks an account after 5 failures in 15 minutes (per username, in the database). This adds what axes
does not: a limit per IP across usernames (password spraying: ``LOGIN_IP_FAILURE_LIMIT`` = 30 failures in
``LOGIN_THROTTLE_WINDOW`` = 15 min) and a ceiling per username over an hour (``LOGIN_USERNAME_HOURLY_LIMIT`` = 10,
under ASVS's 100), both counted in the cache all web workers share (Redis in production). A refused attempt never
reaches the password check and answers exactly like a wrong password (no user enumeration, AUTH-05).

A per-IP **lock** at 5 (axes' ``["username", "ip_address"]``) is not used: one mistyping officer would lock a whole
township office behind one NAT address; 30 distinct failures from one address is spraying, not mistyping.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache

from apps.common.ratelimit import count_one


def _limits():
    window = int(getattr(settings, "LOGIN_THROTTLE_WINDOW", 15 * 60))
    return (
        ("ip", int(getattr(settings, "LOGIN_IP_FAILURE_LIMIT", 30)), window),
        ("user", int(getattr(settings, "LOGIN_USERNAME_HOURLY_LIMIT", 10)), 60 * 60),
    )


def _key(kind: str, value: str) -> str:
    return f"accounts:login-fail:{kind}:{hashlib.sha256(value.encode('utf-8')).hexdigest()[:32]}"


def _values(ip: str | None, username: str | None) -> dict[str, str]:
    out = {}
    if ip:
        out["ip"] = ip
    if username:
        out["user"] = username.strip().lower()
    return out


def is_throttled(ip: str | None, username: str | None) -> bool:
    values = _values(ip, username)
    for kind, limit, _ in _limits():
        if kind in values and int(cache.get(_key(kind, values[kind])) or 0) >= limit:
            return True
    return False


def record_failure(ip: str | None, username: str | None) -> None:
    """Count one failure; the window starts at the first failure (a fixed window per key)."""
    values = _values(ip, username)
    for kind, _, window in _limits():
        if kind not in values:
            continue
        count_one(_key(kind, values[kind]), window)


def reset(ip: str | None = None, username: str | None = None) -> None:
    values = _values(ip, username)
    cache.delete_many([_key(kind, value) for kind, value in values.items()])
