"""TOTP second factor on every login path of city staff and the admin roles (SECURITY.md AUTH-06).

Login paths: the web login (two steps); the Django admin (sends to the web login); the API's session
authentication (the same session); there is no API password/token login (tokens are issued by the security admin)
and no self-service password reset. A session made any other way (``force_login`` without the helper) is refused.
"""

import pytest
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY

from apps.accounts.models import RecoveryCode
from apps.accounts.services import second_factor_reset
from apps.common.models import AuditEvent
from tests.conftest import make_user
from tests.helpers.otp import current_code, force_login_unverified, login_with_second_factor, verified_device

PASSWORD = "Test#pass-2026"
ROLES_WITH_OTP = ["city_staff", "sys_admin", "security_admin", "audit_admin"]


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def password_step(client, username, password=PASSWORD):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


@pytest.fixture
def enrolled(reference):
    def make(role):
        user = make_user(f"u_{role}", role)
        return user, verified_device(user)

    return make


@pytest.mark.parametrize("role", ROLES_WITH_OTP)
def test_password_alone_gives_no_session(client, enrolled, role):
    user, _ = enrolled(role)
    response = password_step(client, user.username)
    assert response.status_code == 302 and response.url == reverse("accounts:second_factor")
    assert not logged_in(client)
    for path in ["/", "/manage/", "/api/v1/townships/"]:
        assert client.get(path).status_code in (302, 401, 403), path
    assert client.get("/").url.startswith(reverse("accounts:login"))


@pytest.mark.parametrize("role", ROLES_WITH_OTP)
def test_wrong_code_is_refused_and_counts_as_a_failed_login(client, enrolled, role):
    user, device = enrolled(role)
    password_step(client, user.username)
    wrong = f"{(int(current_code(device)) + 1) % 1_000_000:06d}"
    response = client.post(reverse("accounts:second_factor"), {"code": wrong})
    assert response.status_code == 200 and not logged_in(client)
    assert "验证码不正确" in response.content.decode()
    assert AuditEvent.objects.filter(action="auth.login_failed", object_repr=user.username).count() == 1


@pytest.mark.parametrize("role", ROLES_WITH_OTP)
def test_fresh_code_signs_in_and_a_replayed_code_is_refused(client, enrolled, role):
    user, device = enrolled(role)
    password_step(client, user.username)
    code = current_code(device)
    response = client.post(reverse("accounts:second_factor"), {"code": code})
    assert response.status_code == 302 and logged_in(client)
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert client.get("/").status_code == 200
    client.post(reverse("accounts:logout"))
    password_step(client, user.username)
    replay = client.post(reverse("accounts:second_factor"), {"code": code})  # same 30-s step: already used
    assert replay.status_code == 200 and not logged_in(client)


def test_five_wrong_codes_end_the_attempt_and_lock_the_account(client, enrolled):
    user, device = enrolled("sys_admin")
    password_step(client, user.username)
    for _ in range(5):
        response = client.post(reverse("accounts:second_factor"), {"code": "000000"})
    assert response.status_code in (200, 302)
    assert not logged_in(client)
    assert client.get(reverse("accounts:second_factor")).url == reverse("accounts:login")  # pending gone
    from axes.models import AccessAttempt

    assert AccessAttempt.objects.get(username=user.username).failures_since_start >= 5
    response = password_step(client, user.username)  # locked now: the password step refuses, like a wrong one
    assert response.status_code == 200 and "用户名或密码错误" in response.content.decode()


def test_the_verify_step_needs_a_fresh_password_step(client, enrolled):
    user, device = enrolled("audit_admin")
    response = client.post(reverse("accounts:second_factor"), {"code": current_code(device)})
    assert response.status_code == 302 and response.url == reverse("accounts:login")
    assert not logged_in(client)


@pytest.mark.parametrize("role", ROLES_WITH_OTP)
def test_a_session_without_the_second_factor_is_refused_on_pages_admin_and_api(client, reference, role):
    """Whatever made the session (here Django's force_login alone), it ends at the first request."""
    user = make_user(f"u_{role}", role)
    for path, expected in [("/", 302), ("/manage/", 302), ("/api/v1/townships/", 401)]:
        force_login_unverified(client, user)
        response = client.get(path)
        assert response.status_code == expected, path
        assert not logged_in(client)


def test_staff_without_an_admin_role_do_not_need_it(client, reference, township_a):
    make_user("zj", "township_staff", [township_a])
    response = password_step(client, "zj")
    assert response.status_code == 302 and response.url == reverse("home") and logged_in(client)


def test_first_login_enrols_with_an_inline_qr_and_gives_ten_recovery_codes(client, reference):
    user = make_user("newadmin", "security_admin")
    response = password_step(client, "newadmin")
    assert response.url == reverse("accounts:enrol")
    page = client.get(response.url)
    html = page.content.decode()
    assert page.status_code == 200 and "<svg" in html and "otpauth://totp/" in html
    assert "http://" not in html.split("<svg", 1)[1].split("</svg>", 1)[0].replace("http://www.w3.org", "")
    device = page.context["device"]
    assert not device.confirmed and page.context["secret"] in html
    done = client.post(reverse("accounts:enrol"), {"code": current_code(device)})
    assert done.status_code == 200 and logged_in(client)
    codes = done.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    stored = list(RecoveryCode.objects.filter(user=user).values_list("code_hash", flat=True))
    assert len(stored) == 10 and not any(c.replace("-", "") in h or c in h for c in codes for h in stored)
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEvent.objects.filter(action="auth.otp_enrol", object_id=str(user.pk)).exists()
    assert client.get("/").status_code == 200


def test_a_wrong_enrolment_code_does_not_enrol(client, reference):
    user = make_user("newadmin", "audit_admin")
    password_step(client, "newadmin")
    client.get(reverse("accounts:enrol"))
    response = client.post(reverse("accounts:enrol"), {"code": "123"})
    assert response.status_code == 200 and not logged_in(client)
    assert not RecoveryCode.objects.filter(user=user).exists()


def test_empty_code_on_either_step_is_refused_in_chinese_and_signs_nobody_in(client, reference):
    """The second-factor forms as a browser submits them untouched (an empty field): the form again with its
    Chinese message, no session, nothing stored."""
    user = make_user("empty", "sys_admin")
    password_step(client, "empty")
    enrol = client.post(reverse("accounts:enrol"), {"code": ""})
    assert enrol.status_code == 200 and not logged_in(client) and enrol.context["form"].errors
    assert any("\u4e00" <= ch <= "\u9fff" for e in enrol.context["form"].errors["code"] for ch in e)
    assert not RecoveryCode.objects.filter(user=user).exists()
    codes = _enrol(client, "empty")
    assert len(codes) == 10
    password_step(client, "empty")
    step = client.post(reverse("accounts:second_factor"), {"code": ""})
    assert step.status_code == 200 and not logged_in(client) and step.context["form"].errors["code"]


def _enrol(client, username):
    password_step(client, username)
    device = client.get(reverse("accounts:enrol")).context["device"]
    codes = client.post(reverse("accounts:enrol"), {"code": current_code(device)}).context["codes"]
    client.post(reverse("accounts:logout"))
    return codes


def test_each_recovery_code_works_once(client, reference):
    make_user("admin2", "sys_admin")
    codes = _enrol(client, "admin2")
    password_step(client, "admin2")
    response = client.post(reverse("accounts:second_factor"), {"code": codes[0].lower()})
    assert response.status_code == 302 and logged_in(client)
    assert AuditEvent.objects.filter(action="auth.recovery_code_used").exists()
    client.post(reverse("accounts:logout"))
    password_step(client, "admin2")
    again = client.post(reverse("accounts:second_factor"), {"code": codes[0]})
    assert again.status_code == 200 and not logged_in(client)


def test_another_users_recovery_code_does_not_work(client, reference):
    make_user("admin_a", "sys_admin")
    make_user("admin_b", "audit_admin")
    codes_a = _enrol(client, "admin_a")
    _enrol(client, "admin_b")
    password_step(client, "admin_b")
    response = client.post(reverse("accounts:second_factor"), {"code": codes_a[1]})
    assert response.status_code == 200 and not logged_in(client)


def test_security_admin_resets_the_second_factor_audited_and_the_session_ends(client, reference):
    target = make_user("lost_phone", "city_staff")
    security = make_user("sec", "security_admin")
    login_with_second_factor(client, "lost_phone", PASSWORD)
    assert client.get("/").status_code == 200
    second_factor_reset(actor=security, user_id=target.pk)
    assert AuditEvent.objects.filter(action="auth.otp_reset", object_id=str(target.pk), actor=security).exists()
    response = client.get("/")
    assert response.status_code == 302 and not logged_in(client)
    assert password_step(client, "lost_phone").url == reverse("accounts:enrol")


def test_only_the_security_admin_resets_it(reference):
    from django.core.exceptions import PermissionDenied

    target = make_user("t", "city_staff")
    for role in ("sys_admin", "audit_admin", "city_staff"):
        with pytest.raises(PermissionDenied):
            second_factor_reset(actor=make_user(f"x_{role}", role), user_id=target.pk)


def test_the_admin_action_resets_it(client, reference):
    target = make_user("t", "city_staff")
    verified_device(target)
    security = make_user("sec", "security_admin")
    client.force_login(security)
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "reset_second_factor", "_selected_action": [target.pk]},
    )
    assert response.status_code == 302
    from django_otp.plugins.otp_totp.models import TOTPDevice

    assert not TOTPDevice.objects.filter(user=target).exists()


def test_demo_accounts_print_a_working_second_factor(reference, settings):
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from apps.accounts.services import demo_accounts_create

    settings.DEMO_MODE = True
    rows = {r["username"]: r for r in demo_accounts_create(password="Demo#Check-2026")}
    assert rows["shiju"]["otp_secret"] and rows["xitong"]["otp_secret"] and not rows["zhenjie"]["otp_secret"]
    device = TOTPDevice.objects.get(user__username="xitong")
    from base64 import b32decode

    secret = rows["xitong"]["otp_secret"]
    assert b32decode(secret + "=" * (-len(secret) % 8)) == device.bin_key
    assert totp(device.bin_key) >= 0
    again = {r["username"]: r for r in demo_accounts_create(password="Demo#Check-2026")}
    assert again["xitong"]["otp_secret"] == secret  # a second `make run` keeps the devices


def test_recovery_codes_page_counts_and_regenerates(client, reference):
    user = make_user("adm", "sys_admin")
    codes = _enrol(client, "adm")
    login_with_second_factor(client, "adm", PASSWORD)
    page = client.get(reverse("accounts:recovery_codes"))
    assert page.status_code == 200 and page.context["left"] == 10
    fresh = client.post(reverse("accounts:recovery_codes"))
    assert "no-store" in fresh["Cache-Control"]
    new_codes = fresh.context["codes"]
    assert len(new_codes) == 10 and not set(new_codes) & set(codes)
    assert RecoveryCode.objects.filter(user=user).count() == 10
    assert AuditEvent.objects.filter(action="auth.recovery_codes_regenerate").exists()


def test_regenerating_recovery_codes_without_an_authenticator_is_a_chinese_400(client, reference):
    """An account that needs no second factor (township staff) has no authenticator: regenerating is refused on the
    page (it was a 500), nothing written."""
    user = make_user("zhen", "township_staff")
    client.force_login(user)
    response = client.post(reverse("accounts:recovery_codes"))
    assert response.status_code == 400 and "尚未绑定验证器" in response.content.decode()
    assert not RecoveryCode.objects.filter(user=user).exists()


def test_demo_otp_prints_the_current_code_only_in_demo_mode(reference, settings):
    import io

    from django.core.management import CommandError, call_command

    from apps.accounts.services import demo_accounts_create

    settings.DEMO_MODE = True
    demo_accounts_create(password="Demo#Check-2026")
    out = io.StringIO()
    call_command("demo_otp", "xitong", stdout=out)
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user__username="xitong")
    assert device.verify_token(out.getvalue().strip())
    with pytest.raises(CommandError):
        call_command("demo_otp", "zhenjie", stdout=io.StringIO())  # no second factor for township staff
    settings.DEMO_MODE = False
    with pytest.raises(CommandError):
        call_command("demo_otp", "xitong", stdout=io.StringIO())
