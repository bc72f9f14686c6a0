"""Second factor in tests: a signed-in session of city staff or an admin role needs a verified TOTP device.

``tests/conftest.py`` wraps ``Client.force_login`` with ``force_login_verified``: after Django's force_login, an
account that needs a second factor (apps/accounts/second_factor.py) gets a confirmed device and the session is
marked verified, as the login page's second step does. Tests of the second factor itself use
``force_login_unverified`` (Django's force_login alone) to prove such a session is refused.
"""

from django.test.client import ClientMixin
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp

_django_force_login = ClientMixin.force_login


def verified_device(user):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="测试验证器", confirmed=True)


def current_code(device, *, offset_steps: int = 0) -> str:
    """The 6-digit code the device accepts now (``offset_steps`` moves by 30-s steps)."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset_steps):0{device.digits}d}"


def mark_session_verified(client, user):
    device = verified_device(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


def force_login_verified(self, user, backend=None):
    _django_force_login(self, user, backend)
    from apps.accounts.second_factor import requires_second_factor

    user._role_codes_cache = None
    user.__dict__.pop("_perm_entry", None)
    if requires_second_factor(user):
        mark_session_verified(self, user)


def force_login_unverified(client, user, backend=None):
    _django_force_login(client, user, backend)


def install():
    ClientMixin.force_login = force_login_verified


def login_with_second_factor(client, username: str, password: str, **extra):
    """The web login's two steps as a browser does them: password, then the device's current code. (The replay
    guard is reset first, so a test may sign in twice within one 30-s step; test_second_factor.py tests the guard.)"""
    from django.urls import reverse

    from apps.accounts.models import User

    device = verified_device(User.objects.get(username=username))
    type(device).objects.filter(pk=device.pk).update(last_t=-1)  # a second login within 30 s is not a replay here
    device.refresh_from_db()
    response = client.post(reverse("accounts:login"), {"username": username, "password": password, **extra})
    assert response.status_code == 302 and response.url == reverse("accounts:second_factor"), response
    return client.post(response.url, {"code": current_code(device)})
