import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()  # the public form's rate limits count on the cache
    yield
    cache.clear()
