"""Figures kept for a while in the shared cache, written once: a page that computes heavy aggregates (the quota
pages, the leadership dashboard) keeps them ``seconds`` under a key that names everything they depend on, and says
on the page when they were computed (``templates/common/_freshness.html``) with a link that computes them now
(``?fresh=1``). ``seconds`` 0: computed on every request and never kept."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache import cache
from django.utils import timezone


@dataclass
class Kept:
    """What ``compute()`` returned (``data``), when it ran, and whether this request read it from the cache."""

    data: object
    computed_at: dt.datetime
    from_cache: bool
    seconds: int

    @property
    def span(self) -> str:
        """How long figures are kept, in words: "5 分钟", "60 秒"."""
        s = self.seconds
        return f"{s // 60} 分钟" if s >= 120 and s % 60 == 0 else f"{s} 秒"


def kept(key: str, compute: Callable[[], object], *, seconds: int, fresh: bool = False) -> Kept:
    """``compute()``'s result from the cache under ``key`` if kept there, else computed now and kept ``seconds``
    (``fresh``: computed now whatever the cache holds, and kept again)."""
    seconds = max(int(seconds or 0), 0)
    if seconds and not fresh:
        hit = cache.get(key)
        if hit is not None:
            data, computed_at = hit
            return Kept(data, computed_at, True, seconds)
    data, computed_at = compute(), timezone.now()
    if seconds:
        cache.set(key, (data, computed_at), seconds)
    return Kept(data, computed_at, False, seconds)
