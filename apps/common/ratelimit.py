"""One fixed-window counter on the shared cache, for every rate limit of the platform (API throttles, the public
complaint form, 你点我检 votes).

``window_hit(name, seconds, at=...)`` counts one event under ``name`` in the window of ``seconds`` that holds the
moment ``at`` (epoch seconds): ``cache.add`` then ``cache.incr`` — atomic on Redis (INCR) and in the in-process
cache alike, so several workers never count the same event twice. It answers (count in this window, seconds until
the window ends); the count is None when the cache is unreachable (Redis down with ``IGNORE_EXCEPTIONS``, or any
cache error): callers let the request through, since a rate limit must not take a page down with the cache.
"""

from __future__ import annotations

import logging

from django.core.cache import cache as default_cache

log = logging.getLogger(__name__)


def count_one(key: str, timeout: int, *, cache=None) -> int | None:
    """Count one event under ``key`` (created with ``timeout`` seconds on its first event): the count after it, or
    None when the cache is unreachable. ``cache.add`` then ``cache.incr``: atomic on Redis and in-process alike."""
    cache = default_cache if cache is None else cache
    try:
        if cache.add(key, 1, timeout=timeout):
            return 1
        count = cache.incr(key)
    except ValueError:  # the key expired between add and incr
        cache.set(key, 1, timeout=timeout)
        return 1
    except Exception:  # noqa: BLE001 - a cache outage lets the request through
        log.warning("rate limit %s: cache unavailable, request let through", key, exc_info=True)
        return None
    return None if count is None else int(count)


def window_hit(name: str, seconds: int, *, at: float, cache=None) -> tuple[int | None, float]:
    window = int(at // seconds)
    remaining = (window + 1) * seconds - at
    return count_one(f"{name}:{seconds}:{window}", seconds + 60, cache=cache), remaining


__all__ = ["count_one", "window_hit"]
