"""How 你点我检 tells a voter apart without an account, and how it limits votes per client (docs/sampling.md).

* **Voter id**: a random 32-character token in a long-lived first-party cookie (``hn_voter``, HttpOnly,
  SameSite=Lax, Secure over HTTPS, 400 days), set on the first visit of the public vote page.
* **Voter key**: what is stored with a vote — ``HMAC-SHA256`` of the voter id under a key derived from the server
  secret (``SAMPLING_VOTE_SECRET``, else ``SECRET_KEY``) with the purpose string ``VOTER_PURPOSE``. The database
  keeps no cookie value, so a leaked table does not let anyone vote as someone else, and the key cannot be linked
  back to a browser without the server secret. One vote per (topic, period, voter key) is a unique constraint.
* **Client limit**: at most ``SAMPLING_VOTE_IP_LIMIT`` (20) vote submissions per client IP per clock hour
  (``SAMPLING_VOTE_IP_WINDOW_SECONDS``), counted on the shared cache (Redis in production) under an HMAC of the IP
  (purpose ``IP_PURPOSE``): the raw IP is never stored. Over the limit: HTTP 429 with ``Retry-After``.

A person who clears the cookie gets a new voter id and can vote again, bounded by the IP limit: a deliberate
trade-off for voting without an account.
"""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.crypto import salted_hmac

from apps.common.ratelimit import window_hit

log = logging.getLogger(__name__)

VOTER_COOKIE = "hn_voter"
VOTER_COOKIE_MAX_AGE = 400 * 24 * 3600  # browsers cap cookie lifetimes at 400 days
VOTER_PURPOSE = "apps.sampling.publicity.vote.voter-key.v1"
IP_PURPOSE = "apps.sampling.publicity.vote.client-ip.v1"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")


def _secret() -> str:
    return getattr(settings, "SAMPLING_VOTE_SECRET", "") or settings.SECRET_KEY


def ip_limit() -> int:
    return int(getattr(settings, "SAMPLING_VOTE_IP_LIMIT", 20))


def ip_window_seconds() -> int:
    return int(getattr(settings, "SAMPLING_VOTE_IP_WINDOW_SECONDS", 3600))


def new_voter_id() -> str:
    return secrets.token_urlsafe(24)  # 32 characters, 192 bits


def voter_id_of(request) -> str | None:
    """The request's voter id: the cookie's value when well-formed (anything else is no id)."""
    value = request.COOKIES.get(VOTER_COOKIE, "")
    return value if _TOKEN.match(value) else None


def voter_key(voter_id: str) -> str:
    """What a vote stores: 64 hex characters, HMAC-SHA256(server secret + purpose, voter id)."""
    return salted_hmac(VOTER_PURPOSE, voter_id, secret=_secret(), algorithm="sha256").hexdigest()


def ip_key(ip: str | None) -> str:
    return salted_hmac(IP_PURPOSE, ip or "unknown", secret=_secret(), algorithm="sha256").hexdigest()[:40]


def set_voter_cookie(request, response, voter_id: str) -> None:
    response.set_cookie(
        VOTER_COOKIE,
        voter_id,
        max_age=VOTER_COOKIE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure() or bool(getattr(settings, "SESSION_COOKIE_SECURE", False)),
        path="/public/",
    )


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    count: int
    limit: int
    retry_after: int  # seconds until the window ends


def ip_rate_take(ip: str | None, *, now=None) -> RateDecision:
    """Count one vote submission for ``ip`` in the current fixed window; refused above the limit.

    The cache being unreachable (Redis down; the cache ignores its errors) lets the vote through and logs it: the
    per-cookie unique constraint still holds, only the IP bound is lost for that time."""
    now = now or timezone.now()
    window, limit = ip_window_seconds(), ip_limit()
    count, remaining = window_hit(f"sampling:vote-ip:{ip_key(ip)}", window, at=int(now.timestamp()))
    retry_after = int(remaining)
    if count is None:  # the cache is unreachable (logged by window_hit)
        return RateDecision(True, 0, limit, retry_after)
    return RateDecision(count <= limit, int(count), limit, retry_after)
