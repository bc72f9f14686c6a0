"""Per-IP and per-username throttle on the shared cache; no user enumeration (SECURITY.md AUTH-04, AUTH-05)."""

import re
import statistics
import time

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.urls import reverse

from apps.accounts import throttle
from tests.conftest import make_user

PASSWORD = "Test#pass-2026"
LOGIN_URL = "/accounts/login/"


@pytest.fixture
def officer(reference, township_a):
    return make_user("officer", "township_staff", [township_a])


def post_login(client, username, password, ip="10.1.2.3"):
    return client.post(LOGIN_URL, {"username": username, "password": password}, REMOTE_ADDR=ip)


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_spraying_thirty_usernames_from_one_ip_stops_that_ip(client, officer):
    """AUTH-04: 30 failures across 30 usernames from one address; the 31st attempt from it is refused even with
    a real account's correct password, while the same account signs in from another address."""
    assert settings.LOGIN_IP_FAILURE_LIMIT == 30
    for i in range(30):
        response = post_login(client, f"user{i:02d}", "Spray#Guess-2026")
        assert response.status_code == 200 and not logged_in(client)
    refused = post_login(client, "officer", PASSWORD)
    assert refused.status_code == 200 and not logged_in(client)
    assert "用户名或密码错误" in refused.content.decode()
    accepted = post_login(client, "officer", PASSWORD, ip="10.9.9.9")
    assert accepted.status_code == 302 and logged_in(client)


def test_twenty_nine_failures_from_one_ip_do_not_stop_it(client, officer):
    for i in range(29):
        post_login(client, f"user{i:02d}", "Spray#Guess-2026")
    assert post_login(client, "officer", PASSWORD).status_code == 302


def test_the_counters_live_on_the_shared_cache(officer):
    """Another worker process reads the same counts: they are cache entries, not process memory."""
    from django.core.cache import cache

    throttle.record_failure("10.0.0.1", "officer")
    keys = [throttle._key("ip", "10.0.0.1"), throttle._key("user", "officer")]
    assert cache.get_many(keys) == dict.fromkeys(keys, 1)


def test_the_username_ceiling_is_ten_an_hour_and_unlocking_clears_it(client, officer):
    from axes.models import AccessAttempt

    _lock(client, "officer")  # 5 failures: axes locks, the cache counts 5
    assert not throttle.is_throttled("10.0.2.1", "officer")
    for i in range(5):
        throttle.record_failure(f"10.0.1.{i}", "officer")
    assert throttle.is_throttled("10.0.2.1", "officer")  # 10 in the hour, from any addresses
    AccessAttempt.objects.filter(username="officer").update(failures_since_start=0)  # axes alone would let it in
    response = post_login(client, "officer", PASSWORD, ip="10.0.2.1")
    assert response.status_code == 200 and not logged_in(client)
    AccessAttempt.objects.filter(username="officer").delete()  # the security admin's unlock
    assert not throttle.is_throttled("10.0.2.1", "officer")
    assert post_login(client, "officer", PASSWORD, ip="10.0.2.1").status_code == 302


def _normalise(response, username) -> str:
    html = response.content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken" value=""', html)
    html = re.sub(r'"X-CSRFToken": "[^"]+"', '"X-CSRFToken": ""', html)
    return html.replace(f'value="{username}"', 'value=""')


def _headers(response) -> dict:
    skip = {"date", "x-request-id", "set-cookie"}
    return {k.lower(): v for k, v in response.headers.items() if k.lower() not in skip}


def _lock(client, username):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        post_login(client, username, "wrong-password", ip="10.7.7.7")


def test_unknown_wrong_and_locked_answer_identically(client, officer, staff_a):
    """AUTH-05: status, body (but for the echoed username and the CSRF token) and headers are the same."""
    assert len("nobody1") == len("officer") == len("staff_a")
    _lock(client, "staff_a")
    cases = {
        "unknown": ("nobody1", "Some#Guess-2026"),  # usernames of one length: the same Content-Length
        "wrong": ("officer", "Some#Guess-2026"),
        "locked": ("staff_a", PASSWORD),  # the right password of a locked account
    }
    answers = {name: post_login(client, u, p) for name, (u, p) in cases.items()}
    assert {r.status_code for r in answers.values()} == {200}
    bodies = {name: _normalise(answers[name], cases[name][0]) for name in cases}
    assert bodies["unknown"] == bodies["wrong"] == bodies["locked"]
    assert _headers(answers["unknown"]) == _headers(answers["wrong"]) == _headers(answers["locked"])
    assert not logged_in(client)


class _SlowHasher(PBKDF2PasswordHasher):
    iterations = 200_000  # ≈ 0.1 s here: a path that skipped the hash would be 0.1 s faster


def _medians_ms(fns, n) -> list[float]:
    """Round-robin (one trial of each in turn) so that the load of a shared machine falls on all alike."""
    samples = [[] for _ in fns]
    for fn in fns:
        fn()  # warm-up
    for _ in range(n):
        for i, fn in enumerate(fns):
            start = time.perf_counter()
            fn()
            samples[i].append((time.perf_counter() - start) * 1000)
    return [statistics.median(s) for s in samples]


def test_unknown_wrong_and_locked_take_the_same_time(client, reference, township_a, settings):
    """AUTH-05 latency: each refusal runs the password hasher once (Django does for an unknown user, the login
    form does for a locked account and a throttled address), so the medians differ by < 30 ms. Each trial of
    "unknown" and "wrong" uses a fresh username, so none of them is locked meanwhile."""
    settings.PASSWORD_HASHERS = [f"{__name__}._SlowHasher"]
    settings.LOGIN_USERNAME_HOURLY_LIMIT = 10_000
    settings.LOGIN_IP_FAILURE_LIMIT = 10_000
    n = 11
    for i in range(n + 1):
        make_user(f"officer{i:02d}", "township_staff", [township_a])
    make_user("lockme", "township_staff", [township_a])
    _lock(client, "lockme")
    unknown_names = iter(f"nobody{i:02d}" for i in range(n + 1))
    wrong_names = iter(f"officer{i:02d}" for i in range(n + 1))
    unknown, wrong, locked = _medians_ms(
        [
            lambda: post_login(client, next(unknown_names), "Some#Guess-2026", ip="10.3.3.3"),
            lambda: post_login(client, next(wrong_names), "Some#Guess-2026", ip="10.3.3.4"),
            lambda: post_login(client, "lockme", "Some#Guess-2026", ip="10.3.3.5"),
        ],
        n,
    )
    assert max(unknown, wrong, locked) - min(unknown, wrong, locked) < 30, (unknown, wrong, locked)
    assert min(unknown, wrong, locked) > 30  # the hasher really ran in each (the test would see a skipped one)


def test_the_login_page_names_no_account(client, officer):
    html = post_login(client, "officer", "wrong").content.decode()
    assert "不存在" not in html and "已锁定" not in html.replace("暂时锁定", "")
    assert reverse("accounts:login") in html or 'method="post"' in html
