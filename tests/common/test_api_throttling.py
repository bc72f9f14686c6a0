"""Rate limits per client and per role on the shared cache (SECURITY.md API-05; apps/common/api/throttles.py).

The suite runs the throttle at rates no test reaches (settings/test.py); these tests put the real ones back
(``real_rates``) on a clean cache, and move the clock with ``throttles.now`` instead of sleeping.
"""

import os
import threading
import uuid

import pytest
from django.core.cache import caches
from rest_framework.test import APIClient

import haining_foodsafety.settings.base as base_settings
from apps.accounts.services import api_client_create
from apps.common.api import throttles

pytestmark = pytest.mark.django_db

URL = "/api/v1/townships/"
T0 = 1_800_000_000.0  # a moment on a minute and hour boundary: 1,800,000,000 = 500,000 h


@pytest.fixture
def clock(monkeypatch):
    moment = {"t": T0 + 0.25}
    monkeypatch.setattr(throttles, "now", lambda: moment["t"])
    return moment


@pytest.fixture
def real_rates(settings, clock):
    settings.API_THROTTLE = dict(base_settings.API_THROTTLE)
    caches["default"].clear()
    yield settings.API_THROTTLE
    caches["default"].clear()


def _chinese_429(response):
    assert response.status_code == 429, (response.status_code, response.content[:200])
    body = response.json()
    assert body["code"] == "throttled" and set(body) == {"code", "message", "fields"}
    seconds = int(response["Retry-After"])
    assert seconds >= 1
    assert body["message"] == f"请求过于频繁，请 {seconds} 秒后再试"
    return seconds


def test_the_configured_rates_are_the_contract():
    conf = base_settings.API_THROTTLE
    assert conf["anon"] == ["60/min"] and conf["user"] == ["600/min"]
    assert conf["client"] == ["1000/hour", "20/second"]
    assert base_settings.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] == ["apps.common.api.throttles.ApiRateThrottle"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("600/min", (600, 60)), ("20/s", (20, 1)), ("1000/hour", (1000, 3600)), ("5/10s", (5, 10)), ("9/day", (9, 86400))],
)
def test_rates_parse(text, expected):
    assert throttles.parse_rate(text) == expected


@pytest.mark.parametrize("text", ["600", "x/min", "10/fortnight", "/s"])
def test_a_bad_rate_is_refused(text):
    with pytest.raises(ValueError):
        throttles.parse_rate(text)


def test_a_user_gets_600_a_minute(real_rates, staff_a, clock):
    client = APIClient()
    client.force_authenticate(staff_a)
    for _ in range(600):
        assert client.get(URL).status_code == 200
    seconds = _chinese_429(client.get(URL))
    assert seconds == 60  # the minute started 0.25 s ago
    clock["t"] += 60
    assert client.get(URL).status_code == 200


def test_users_are_counted_apart(real_rates, staff_a, staff_b):
    real_rates["user"] = ["3/min"]
    a, b = APIClient(), APIClient()
    a.force_authenticate(staff_a)
    b.force_authenticate(staff_b)
    assert [a.get(URL).status_code for _ in range(4)] == [200, 200, 200, 429]
    assert b.get(URL).status_code == 200


def test_anonymous_callers_get_60_a_minute_per_ip_and_refusals_count(real_rates, reference):
    client = APIClient()
    statuses = [client.get(URL).status_code for _ in range(60)]
    assert statuses == [401] * 60  # refused, and counted: no unlimited token guessing
    _chinese_429(client.get(URL, HTTP_AUTHORIZATION="Bearer hn_guess"))
    other = APIClient(REMOTE_ADDR="10.0.0.9")
    assert other.get(URL).status_code == 401


def test_refused_requests_of_a_user_count_once(real_rates, user_without_perms):
    real_rates["user"] = ["3/min"]
    client = APIClient()
    client.force_authenticate(user_without_perms)
    assert [client.get(URL).status_code for _ in range(4)] == [403, 403, 403, 429]


def test_a_provincial_client_gets_a_20_per_second_burst(real_rates, clock, reference):
    _, token = api_client_create(name="省平台", scopes=["reference:read"], city_wide=True)
    client = APIClient(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert all(client.get(URL).status_code == 200 for _ in range(20))
    assert _chinese_429(client.get(URL)) == 1
    clock["t"] += 1
    assert client.get(URL).status_code == 200


def test_a_provincial_client_gets_1000_an_hour(real_rates, clock, reference):
    api, token = api_client_create(name="省平台", scopes=["reference:read"], city_wide=True)
    for i in range(999):  # the hour's first 999 requests, 19 a second (within the burst)
        assert throttles.consume(f"client:{api.pk}", throttles._rates(real_rates["client"]), at=T0 + i / 19) is None
    clock["t"] = T0 + 1000 / 19
    client = APIClient(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert client.get(URL).status_code == 200  # the 1,000th
    clock["t"] += 1
    seconds = _chinese_429(client.get(URL))
    assert 3000 < seconds <= 3600  # until the hour is over
    clock["t"] = T0 + 3600
    assert client.get(URL).status_code == 200


def test_a_refused_burst_does_not_spend_the_hourly_allowance(real_rates, clock, reference):
    api, _ = api_client_create(name="省平台", scopes=["reference:read"], city_wide=True)
    rates = throttles._rates(real_rates["client"])
    outcomes = [throttles.consume(f"client:{api.pk}", rates, at=T0) for _ in range(100)]
    assert outcomes.count(None) == 20
    assert caches["default"].get(f"throttle:client:{api.pk}:3600:{int(T0 // 3600)}") == 20


def test_rates_per_role_and_per_client_are_configurable(real_rates, leader, staff_a, reference):
    real_rates["roles"] = {"city_leader": ["2/min"]}
    real_rates["clients"] = {"大客户": ["3/min"]}
    boss, staff = APIClient(), APIClient()
    boss.force_authenticate(leader)
    staff.force_authenticate(staff_a)
    assert [boss.get(URL).status_code for _ in range(3)] == [200, 200, 429]
    assert all(staff.get(URL).status_code == 200 for _ in range(5))  # the user default (600/min)
    _, token = api_client_create(name="大客户", scopes=["reference:read"], city_wide=True)
    big = APIClient(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert [big.get(URL).status_code for _ in range(4)] == [200, 200, 200, 429]


def test_the_most_generous_role_wins(real_rates, user_factory, township_a):
    from django.contrib.auth.models import Group

    from apps.accounts.permcache import bump
    from apps.accounts.roles import ROLE_BY_CODE

    both = user_factory("both", "township_staff", [township_a])
    both.groups.add(Group.objects.get(name=ROLE_BY_CODE["city_leader"].label))
    bump()
    real_rates["roles"] = {"city_leader": ["2/min"], "township_staff": ["4/min"]}
    client = APIClient()
    client.force_authenticate(both)
    statuses = [client.get(URL).status_code for _ in range(5)]
    assert statuses[:4] == [200] * 4 and statuses[4] == 429


def test_429_is_declared_with_retry_after_on_every_operation():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator(patterns=None).get_schema(request=None, public=True)
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            answer = operation["responses"].get("429")
            assert answer is not None, (method, path)
            assert answer["headers"]["Retry-After"]["required"] is True


def test_an_unreachable_cache_lets_requests_through(settings, staff_a):
    settings.CACHES = {
        **settings.CACHES,
        "dead": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2},
        },
    }
    settings.API_THROTTLE = {**base_settings.API_THROTTLE, "user": ["1/min"], "cache": "dead"}
    client = APIClient()
    client.force_authenticate(staff_a)
    assert [client.get(URL).status_code for _ in range(3)] == [200, 200, 200]


def _race(cache_alias: str, settings) -> int:
    """4 workers × 50 requests at once against a limit of 60 in the same window: how many are accepted."""
    settings.API_THROTTLE = {**base_settings.API_THROTTLE, "cache": cache_alias}
    rates = [(60, 60)]
    who = f"user:race-{uuid.uuid4().hex}"  # a fresh counter: the shared Redis is never flushed
    barrier = threading.Barrier(4)
    accepted = []

    def worker():
        barrier.wait()
        accepted.append(sum(throttles.consume(who, rates, at=T0 + 1) is None for _ in range(50)))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return sum(accepted)


def test_concurrent_workers_never_exceed_the_limit_in_process(settings, real_rates):
    assert _race("default", settings) == 60


@pytest.mark.redis
def test_concurrent_workers_never_exceed_the_limit_on_redis(settings):
    """The real stack's counters: Redis INCR, so 4 workers accept exactly the limit (DRF's throttles: up to 4×)."""
    settings.CACHES = {
        **settings.CACHES,
        "shared": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": "hn-throttle-test",
            "OPTIONS": {"IGNORE_EXCEPTIONS": False},  # a Redis error must fail this test, not pass it
        },
    }
    assert _race("shared", settings) == 60
