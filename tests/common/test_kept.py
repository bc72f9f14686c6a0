"""apps.common.kept: figures kept in the shared cache, or computed on every request."""

import pytest
from django.core.cache import cache

from apps.common.kept import Kept, kept


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


def test_kept_then_fresh_then_never():
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    first = kept("k", compute, seconds=60)
    again = kept("k", compute, seconds=60)
    assert (first.data, first.from_cache, again.data, again.from_cache) == (1, False, 1, True)
    assert again.computed_at == first.computed_at
    fresh = kept("k", compute, seconds=60, fresh=True)
    assert (fresh.data, fresh.from_cache) == (2, False) and kept("k", compute, seconds=60).data == 2
    assert [kept("n", compute, seconds=0).from_cache for _ in range(2)] == [False, False] and len(calls) == 4


@pytest.mark.parametrize(("seconds", "span"), [(60, "60 秒"), (90, "90 秒"), (300, "5 分钟"), (150, "150 秒")])
def test_span_in_words(seconds, span):
    assert Kept(None, None, False, seconds).span == span
