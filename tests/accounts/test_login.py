"""Login, lockout (django-axes), session fixation and idle timeout (SECURITY.md AUTH-04, SESS-01, SESS-04).

A locked account answers like a wrong password (AUTH-05, tests/accounts/test_enumeration.py): the login page again
with the one refusal message, status 200, and no session."""

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from apps.common.models import AuditEvent
from tests.conftest import make_user
from tests.helpers.otp import login_with_second_factor

PASSWORD = "Test#pass-2026"  # make_user's password
LOGIN_URL = "/accounts/login/"


@pytest.fixture
def officer(reference, township_a):
    return make_user("officer", "township_staff", [township_a])


def post_login(client, username, password):
    return client.post(LOGIN_URL, {"username": username, "password": password})


def is_logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_login_page_is_chinese_and_has_the_form(client, reference):
    response = client.get(LOGIN_URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-Hans">' in html
    assert "请使用工作账户登录" in html
    assert 'name="username"' in html and 'name="password"' in html
    assert 'autocomplete="current-password"' in html


def test_correct_password_logs_in_redirects_home_and_is_audited(client, officer):
    response = post_login(client, "officer", PASSWORD)
    assert response.status_code == 302 and response.url == reverse("home")
    assert is_logged_in(client)
    event = AuditEvent.objects.filter(action="auth.login").latest("seq")
    assert event.actor_id == officer.pk and event.outcome == "success"


def test_next_parameter_is_honoured_only_for_this_site(client, officer):
    response = client.post(LOGIN_URL + "?next=/jobs/", {"username": "officer", "password": PASSWORD, "next": "/jobs/"})
    assert response.url == "/jobs/"
    client.logout()
    response = client.post(LOGIN_URL, {"username": "officer", "password": PASSWORD, "next": "https://evil.example/"})
    assert response.url == reverse("home")


def test_unknown_user_and_wrong_password_get_the_same_answer(client, officer):
    wrong = post_login(client, "officer", "not-the-password")
    unknown = post_login(client, "nobody-here", "not-the-password")
    assert wrong.status_code == unknown.status_code == 200
    assert "用户名或密码错误" in wrong.content.decode()
    assert wrong.context["form"].non_field_errors() == unknown.context["form"].non_field_errors()
    assert not is_logged_in(client)


def test_five_failures_lock_the_account_even_for_the_right_password(client, officer):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert post_login(client, "officer", "wrong-password").status_code == 200
    fifth = post_login(client, "officer", "wrong-password")
    assert fifth.status_code == 200
    assert "暂时锁定" in fifth.content.decode()

    sixth = post_login(client, "officer", PASSWORD)
    html = sixth.content.decode()
    assert sixth.status_code == 200
    assert "用户名或密码错误" in html and "30 分钟" in html
    assert not is_logged_in(client)
    assert AuditEvent.objects.filter(action="auth.locked_out", object_repr="officer").exists()
    assert client.get(reverse("home")).status_code == 302  # still anonymous


def test_lockout_is_per_username(client, officer, staff_b):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        post_login(client, "officer", "wrong-password")
    assert post_login(client, "officer", PASSWORD).status_code == 200
    assert not is_logged_in(client)
    # Same browser, same IP, another account: not locked.
    response = post_login(client, "staff_b", PASSWORD)
    assert response.status_code == 302
    assert is_logged_in(client)


def _lock(client, start):
    with time_machine.travel(start, tick=False):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            post_login(client, "officer", "wrong-password")


def test_lock_lifts_after_30_minutes(client, officer):
    start = timezone.now()
    _lock(client, start)
    with time_machine.travel(start + dt.timedelta(minutes=31), tick=False):
        response = post_login(client, "officer", PASSWORD)
        assert response.status_code == 302
        assert is_logged_in(client)


def test_still_locked_at_29_minutes_and_trying_restarts_the_lock(client, officer):
    start = timezone.now()
    _lock(client, start)
    with time_machine.travel(start + dt.timedelta(minutes=29), tick=False):
        assert post_login(client, "officer", PASSWORD).status_code == 200
        assert not is_logged_in(client)
    # The refused attempt at minute 29 counts: the lock now runs until minute 59.
    with time_machine.travel(start + dt.timedelta(minutes=31), tick=False):
        assert post_login(client, "officer", PASSWORD).status_code == 200
        assert not is_logged_in(client)
    with time_machine.travel(start + dt.timedelta(minutes=29 + 31 + 30), tick=False):
        assert post_login(client, "officer", PASSWORD).status_code == 302


def test_security_admin_unlocks_by_deleting_the_attempt(client, officer):
    from axes.models import AccessAttempt

    for _ in range(settings.AXES_FAILURE_LIMIT):
        post_login(client, "officer", "wrong-password")
    assert post_login(client, "officer", PASSWORD).status_code == 200
    assert not is_logged_in(client)
    AccessAttempt.objects.filter(username="officer").delete()  # what the admin's delete action does
    assert post_login(client, "officer", PASSWORD).status_code == 302


def test_failures_and_the_lockout_are_audited(client, officer):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        post_login(client, "officer", "wrong-password")
    failed = AuditEvent.objects.filter(action="auth.login_failed")
    assert failed.count() == settings.AXES_FAILURE_LIMIT
    assert set(failed.values_list("object_repr", "outcome")) == {("officer", "failure")}
    locked = AuditEvent.objects.filter(action="auth.locked_out")
    assert locked.count() == 1
    assert locked.get().object_repr == "officer" and locked.get().outcome == "failure"
    assert locked.get().ip == "127.0.0.1"
    # The password never reaches the audit log.
    assert not AuditEvent.objects.filter(extra__icontains="wrong-password").exists()


def test_session_key_changes_at_login(client, officer):
    session = client.session
    session["probe"] = "before-login"
    session.save()
    before = session.session_key
    client.cookies[settings.SESSION_COOKIE_NAME] = before
    assert client.session.session_key == before

    post_login(client, "officer", PASSWORD)
    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert is_logged_in(client)
    assert after != before
    from django.contrib.sessions.models import Session

    assert not Session.objects.filter(session_key=before).exists()


@pytest.mark.parametrize(
    ("role_code", "ok_minutes", "expired_minutes"),
    [("township_staff", 29, 31), ("audit_admin", 14, 16)],
)
def test_idle_timeout(client, reference, township_a, role_code, ok_minutes, expired_minutes):
    """Staff: 30 minutes idle; the three admin roles: 15 (SESS-01). Every request restarts the clock."""
    make_user("idle", role_code, [township_a])
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        if role_code == "audit_admin":
            assert login_with_second_factor(client, "idle", PASSWORD).status_code == 302
        else:
            assert post_login(client, "idle", PASSWORD).status_code == 302
        assert is_logged_in(client)
    with time_machine.travel(start + dt.timedelta(minutes=ok_minutes), tick=False):
        assert client.get(reverse("home")).status_code == 200
    later = start + dt.timedelta(minutes=ok_minutes)
    with time_machine.travel(later + dt.timedelta(minutes=ok_minutes), tick=False):
        assert client.get(reverse("home")).status_code == 200  # activity kept the session alive
    later += dt.timedelta(minutes=ok_minutes)
    with time_machine.travel(later + dt.timedelta(minutes=expired_minutes), tick=False):
        response = client.get(reverse("home"))
        assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


def test_session_settings_are_the_idle_policy():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_TOUCH_SECONDS == 30  # the session is saved at most every 30 s (SessionTouchMiddleware)
    assert "apps.common.middleware.SessionTouchMiddleware" in settings.MIDDLEWARE


def _session_writes(ctx) -> int:
    return sum(1 for q in ctx.captured_queries if q["sql"].startswith('UPDATE "django_session"'))


def test_the_session_is_written_at_most_every_30_seconds_and_idles_from_then(client, reference, township_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_user("idle", "township_staff", [township_a])
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert post_login(client, "idle", PASSWORD).status_code == 302
    with time_machine.travel(start + dt.timedelta(seconds=29), tick=False):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("home")).status_code == 200
        assert _session_writes(ctx) == 0  # saved 29 s ago: not again
    # idle 29 min after that request (29 min 29 s after the last save): alive, and now saved again
    with time_machine.travel(start + dt.timedelta(minutes=29, seconds=29), tick=False):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("home")).status_code == 200
        assert _session_writes(ctx) == 1
    with time_machine.travel(start + dt.timedelta(minutes=60, seconds=30), tick=False):
        response = client.get(reverse("home"))
        assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


def test_logout_is_post_only_and_audited(client, officer):
    client.force_login(officer)
    assert client.get("/accounts/logout/").status_code == 405
    assert is_logged_in(client)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302 and response.url == reverse("accounts:login")
    assert not is_logged_in(client)
    assert AuditEvent.objects.filter(action="auth.logout", actor=officer).exists()


def test_demo_accounts_are_listed_on_the_login_page_only_in_demo_mode(client, reference, settings):
    settings.DEMO_MODE = True
    html = client.get(LOGIN_URL).content.decode()
    assert "演示账户" in html and "zhenjie" in html and "审计管理员" in html
    assert "密码" in html
    settings.DEMO_MODE = False
    html = client.get(LOGIN_URL).content.decode()
    assert "zhenjie" not in html


def test_logged_in_user_visiting_login_goes_home(client, officer):
    client.force_login(officer)
    response = client.get(LOGIN_URL)
    assert response.status_code == 302 and response.url == reverse("home")


def test_admin_login_is_the_site_login(client, officer):
    response = client.get("/manage/login/?next=/manage/")
    assert response.status_code == 302
    assert response.url == "/accounts/login/?next=/manage/"
    # A logged-in account without admin access gets 403, not a redirect loop.
    client.force_login(officer)
    response = client.get("/manage/", follow=True)
    assert response.status_code == 403
