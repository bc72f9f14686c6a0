"""Rate limits of the public complaint pages, counted on the shared cache (Redis in production) in fixed windows
(``apps.common.ratelimit.window_hit``, the platform's one counter),
per client IP and per session — like the 你点我检 vote page (apps/sampling/publicity/voting.py). The raw IP is
never stored (an HMAC of it is the key). A cache outage lets the request through and logs it."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.crypto import salted_hmac

from apps.common.ratelimit import window_hit

log = logging.getLogger(__name__)
PURPOSE = "apps.incidents.complaints.public-rate.v1"

# (setting name, default): submissions of the form / status look-ups per window
LIMITS = {
    "submit_ip": ("COMPLAINTS_SUBMIT_IP_LIMIT", 10),
    "submit_session": ("COMPLAINTS_SUBMIT_SESSION_LIMIT", 5),
    "lookup_ip": ("COMPLAINTS_LOOKUP_IP_LIMIT", 30),
}


def window_seconds() -> int:
    return int(getattr(settings, "COMPLAINTS_RATE_WINDOW_SECONDS", 3600))


def limit_of(kind: str) -> int:
    name, default = LIMITS[kind]
    return int(getattr(settings, name, default))


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    limit: int
    retry_after: int


def take(kind: str, subject: str | None, *, now=None) -> RateDecision:
    now = now or timezone.now()
    window, limit = window_seconds(), limit_of(kind)
    digest = salted_hmac(PURPOSE, subject or "unknown", algorithm="sha256").hexdigest()[:40]
    count, remaining = window_hit(f"complaints:{kind}:{digest}", window, at=int(now.timestamp()))
    retry_after = int(remaining)
    if count is None:  # a cache outage must not stop a citizen's complaint (logged by window_hit)
        return RateDecision(True, limit, retry_after)
    return RateDecision(count <= limit, limit, retry_after)
