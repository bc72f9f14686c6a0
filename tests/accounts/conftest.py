import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()  # the login throttle (apps/accounts/throttle.py) counts failures per IP and username on the cache
    yield
    cache.clear()
