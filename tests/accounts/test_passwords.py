"""Password policy: validators, history, expiry, initial passwords, storage (SECURITY.md AUTH-01, 02, 03, 07)."""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import PasswordHistory, PasswordPolicy, User
from apps.accounts.passwords import random_password
from apps.accounts.services import password_reset
from apps.common.models import AuditEvent
from tests.conftest import make_user

PASSWORD = "Test#pass-2026"

# (password, accepted?) for the user zhangwei / 13912345678 (AUTH-01: 40 fixtures, min length 12, ≥ 3 classes)
FIXTURES = [
    ("Ab1#", False),  # short
    ("Abcdefg1#", False),  # 9 characters
    ("Abcdefgh1#x", False),  # 11 characters
    ("abcdefghijkl", False),  # 12, one class
    ("abcdefghijk1", False),  # 12, two classes
    ("ABCDEFGHIJK1", False),  # two classes
    ("abcdefghijk#", False),  # two classes
    ("123456789012", False),  # digits only (numeric, one class)
    ("!!!!!!!!!!!!", False),  # one class
    ("abcdefABCDEF", False),  # two classes
    ("Password1234", False),  # common (in Django's list) though 3 classes
    ("Qwerty123456", False),  # common (compared in lower case) though 3 classes
    ("Qwertyuiop12", False),  # common keyboard walk
    ("Zhangwei#2026", False),  # contains the username
    ("x13912345678Ab", False),  # contains the phone number
    ("ZHANGWEI-abc1", False),  # username, other case
    ("Abc123456789", False),  # common
    ("1Q2w3e4r5t6y", False),  # common keyboard pattern
    ("Aa1!", False),
    ("", False),
    ("Shanghai#2026x", True),
    ("Haining-Food-Safety-9", True),
    ("correct horse Battery 7", True),  # passphrase with spaces
    ("食品安全监管平台Abc1", True),  # CJK counts as a symbol class: CJK + upper + lower + digit
    ("食品安全监管平台abc1", True),  # CJK (symbol) + lower + digit
    ("食品安全监管平台食品安全监管", False),  # one class (symbols only)
    ("a" * 40 + "B1", True),  # long, three classes
    ("Tr0ub4dor&3xx", True),
    ("Xk9#mPq2vL7w", True),
    ("blue-Sky-Morning-88", True),
    ("7Days.in.Haining", True),
    ("Ab12cd34ef56", True),  # upper, lower, digit
    ("ab12cd34ef5!", True),  # lower, digit, symbol
    ("AB12CD34EF5!", True),  # upper, digit, symbol
    ("Abcdefghij!k", True),  # upper, lower, symbol
    ("N0t-A-Common-One", True),
    ("Spring#Festival26", True),
    ("a quiet Rain falls 2", True),
    ("Kx7!" * 16, True),  # 64 characters
    ("ZWqp#8812kkLL", True),
]


def test_there_are_forty_fixtures():
    assert len(FIXTURES) == 40


@pytest.mark.django_db
@pytest.mark.parametrize(("password", "accepted"), FIXTURES)
def test_each_fixture_password_is_classified_as_expected(password, accepted):
    user = User(username="zhangwei", full_name="张伟", phone="13912345678")
    try:
        validate_password(password, user)
        outcome = True
    except ValidationError:
        outcome = False
    assert outcome is accepted, password


@pytest.mark.django_db
def test_the_refusals_are_chinese():
    user = User(username="zhangwei", phone="13912345678")
    with pytest.raises(ValidationError) as exc:
        validate_password("zhangwei1390", user)
    messages = " ".join(exc.value.messages)
    assert "用户名" in messages
    with pytest.raises(ValidationError) as exc:
        validate_password("abcdefghijkl", user)
    assert "至少包含" in " ".join(exc.value.messages)


@pytest.fixture
def officer(reference, township_a):
    return make_user("officer", "township_staff", [township_a])


def _change(client, old, new):
    return client.post(
        reverse("accounts:password_change"), {"old_password": old, "new_password1": new, "new_password2": new}
    )


def test_history_of_five_refuses_each_reuse_with_a_chinese_message(client, officer):
    """AUTH-02: the last 5 passwords (the current one included) are refused; the 6th-last is allowed again."""
    client.force_login(officer)
    chain = [PASSWORD] + [f"Haining#Step-{i:02d}x" for i in range(1, 6)]
    for old, new in zip(chain, chain[1:], strict=False):
        assert _change(client, old, new).status_code == 302
    current = chain[-1]
    refused = 0
    for reused in chain[-5:]:  # the current one and the four before it
        response = _change(client, current, reused)
        assert response.status_code == 200
        errors = " ".join(response.context["form"].errors["new_password2"])
        assert "最近 5 次" in errors
        refused += 1
    assert refused == 5
    assert PasswordHistory.objects.filter(user=officer).count() == 5  # only hashes, and only as many as needed
    assert all(h.startswith("md5$") or "$" in h for h in PasswordHistory.objects.values_list("password", flat=True))
    assert _change(client, current, chain[0]).status_code == 302  # the 6th-last may come back


def test_history_length_is_configuration_with_an_effective_date(client, officer):
    PasswordPolicy.objects.create(
        effective_from=timezone.localdate(), expiry_days=90, history_count=2, initial_password_hours=72
    )
    client.force_login(officer)
    assert _change(client, PASSWORD, "Haining#Step-01x").status_code == 302
    assert _change(client, "Haining#Step-01x", "Haining#Step-02x").status_code == 302
    assert _change(client, "Haining#Step-02x", PASSWORD).status_code == 302  # 3rd-last: allowed with 2


def test_an_expired_password_is_changed_before_any_other_call(client, officer):
    """AUTH-02: after 90 days every page redirects to the change page and every API call answers 403
    password_expired; only the change page (and logout) answer; after the change all works again."""
    officer.password_changed_at = timezone.now() - dt.timedelta(days=91)
    officer.save(update_fields=["password_changed_at"])
    client.force_login(officer)
    pages = ["/", "/enterprises/", "/jobs/", "/calendar/", "/accounts/otp/"]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 302 and response.url == reverse("accounts:password_change"), path
    for path in ["/api/v1/enterprises/", "/api/v1/townships/"]:
        response = client.get(path)
        assert response.status_code == 403, path
        assert response.json()["code"] == "password_expired"
        assert "密码已过期" in response.json()["message"]
    assert client.post("/api/v1/enterprises/", {}, content_type="application/json").status_code == 403
    page = client.get(reverse("accounts:password_change"))
    assert page.status_code == 200 and "密码已过期" in page.content.decode()
    assert _change(client, PASSWORD, "Haining#Fresh-2026").status_code == 302
    assert client.get("/").status_code == 200
    assert client.get("/api/v1/townships/").status_code == 200


def test_at_89_days_nothing_is_asked(client, officer):
    officer.password_changed_at = timezone.now() - dt.timedelta(days=89)
    officer.save(update_fields=["password_changed_at"])
    client.force_login(officer)
    assert client.get("/").status_code == 200


def test_a_password_that_expires_during_a_session_is_asked_for_then(client, officer):
    officer.password_changed_at = timezone.now() - dt.timedelta(days=90) + dt.timedelta(hours=1)
    officer.save(update_fields=["password_changed_at"])
    start = timezone.now()
    client.force_login(officer)
    assert client.get("/").status_code == 200
    for minutes in (25, 50):  # active, so the idle timeout does not end the session first
        with time_machine.travel(start + dt.timedelta(minutes=minutes), tick=False):
            assert client.get("/").status_code == 200
    with time_machine.travel(start + dt.timedelta(hours=1, minutes=1), tick=False):
        response = client.get("/")
        assert response.status_code == 302 and response.url == reverse("accounts:password_change")


def test_api_tokens_of_clients_are_not_passwords(client, reference):
    """A provincial client's service account is never asked to change a password (it has none)."""
    from apps.accounts.services import api_client_create

    c, raw = api_client_create(name="省平台", scopes=["enterprises:read"], city_wide=True)
    User.objects.filter(pk=c.user_id).update(password_changed_at=timezone.now() - dt.timedelta(days=400))
    response = client.get("/api/v1/enterprises/", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200


def test_reset_password_is_random_one_time_and_changed_at_first_login(client, reference, township_a, sys_admin):
    """AUTH-03: ≥ 12 random characters, audited, to be changed at the first login; the old sessions end."""
    target = make_user("target", "township_staff", [township_a])
    other = client.__class__()
    other.force_login(target)
    assert other.get("/").status_code == 200
    user, raw = password_reset(actor=sys_admin, user_id=target.pk)
    assert len(raw) >= 12 and raw != PASSWORD
    validate_password(raw, User(username="target"))  # the random password passes the policy itself
    assert user.must_change_password
    assert AuditEvent.objects.filter(action="auth.password_reset", object_id=str(target.pk)).exists()
    assert not AuditEvent.objects.filter(extra__icontains=raw).exists()
    assert other.get("/").status_code == 302  # the old session ended (the hash changed)

    response = client.post(reverse("accounts:login"), {"username": "target", "password": raw})
    assert response.status_code == 302
    home = client.get("/")
    assert home.status_code == 302 and home.url == reverse("accounts:password_change")
    page = client.get(reverse("accounts:password_change"))
    assert "首次登录" in page.content.decode()
    assert _change(client, raw, raw).status_code == 200  # the initial password cannot be kept
    assert _change(client, raw, "Haining#Mine-2026").status_code == 302
    assert client.get("/").status_code == 200
    user.refresh_from_db()
    assert not user.must_change_password


def test_an_unused_initial_password_expires_after_72_hours(client, reference, township_a, sys_admin):
    target = make_user("target", "township_staff", [township_a])
    _, raw = password_reset(actor=sys_admin, user_id=target.pk)
    with time_machine.travel(timezone.now() + dt.timedelta(hours=73), tick=False):
        response = client.post(reverse("accounts:login"), {"username": "target", "password": raw})
        assert response.status_code == 200
        assert "初始密码已超过有效期" in response.content.decode()
        assert "_auth_user_id" not in client.session


def test_only_the_sys_admin_resets_passwords(reference, township_a, staff_a):
    from django.core.exceptions import PermissionDenied

    security = make_user("sec", "security_admin")
    for actor in (staff_a, security):
        with pytest.raises(PermissionDenied):
            password_reset(actor=actor, user_id=staff_a.pk)


def test_random_passwords_have_four_classes_and_differ():
    seen = {random_password() for _ in range(200)}
    assert len(seen) == 200
    assert all(len(p) >= 12 for p in seen)


def test_stored_hashes_are_salted_and_unique(reference, township_a, settings):
    """AUTH-07: PBKDF2 (production default) with a unique salt: the same password gives different hashes."""
    assert (
        "django.contrib.auth.hashers.PBKDF2PasswordHasher"
        in __import__("django.conf", fromlist=["global_settings"]).global_settings.PASSWORD_HASHERS[0:1]
    )
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    users = [make_user(f"same{i}", "township_staff", [township_a]) for i in range(3)]
    hashes = list(User.objects.filter(pk__in=[u.pk for u in users]).values_list("password", flat=True))
    assert all(h.startswith("pbkdf2_sha256$") for h in hashes)
    assert len(set(hashes)) == 3
    assert len({h.split("$")[2] for h in hashes}) == 3  # salts


def test_the_admin_action_shows_the_reset_password_once(client, reference, township_a, sys_admin):
    target = make_user("target", "township_staff", [township_a])
    client.force_login(sys_admin)
    response = client.post(
        reverse("admin:accounts_user_changelist"), {"action": "reset_password", "_selected_action": [target.pk]}
    )
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    raw = response.context["rows"][0][1]
    assert raw in response.content.decode() and len(raw) >= 12
    target.refresh_from_db()
    assert target.check_password(raw) and target.must_change_password


def test_a_password_set_by_an_administrator_must_be_changed(client, reference, township_a, sys_admin):
    target = make_user("target", "township_staff", [township_a])
    client.force_login(sys_admin)
    url = reverse("admin:auth_user_password_change", args=[target.pk])
    response = client.post(
        url, {"password1": "Chosen#ByAdmin-26", "password2": "Chosen#ByAdmin-26", "usable_password": "true"}
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.must_change_password


def test_the_password_form_refuses_empty_fields_in_chinese(client, officer):
    client.force_login(officer)
    response = client.post(
        reverse("accounts:password_change"), {"old_password": "", "new_password1": "", "new_password2": ""}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["old_password"] == ["请填写当前密码"] and errors["new_password1"] == ["请填写新密码"]
    wrong = _change(client, "not-mine", "Haining#Fresh-2026")
    assert wrong.context["form"].errors["old_password"] == ["当前密码不正确"]


def test_similarity_covers_the_phone_and_the_name():
    from apps.accounts.passwords import SimilarityValidator

    assert set(SimilarityValidator().user_attributes) == {"username", "full_name", "email", "phone"}
    user = User(username="u1", full_name="Zhang Weiming", phone="13912345678")
    with pytest.raises(ValidationError):
        SimilarityValidator().validate("Zhang-Weiming", user)  # near the name, though not containing the username
