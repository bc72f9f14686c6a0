"""The session policy of a signed-in account, checked on every request from the session alone (no query of its own).

After AuthenticationMiddleware and OTPMiddleware:

1. **Absolute lifetime** (SESS-02): a session older than ``SESSION_ABSOLUTE_SECONDS`` (12 h) since its login ends,
   however active it was. The idle timeout (SESS-01) is the session's expiry (``SESSION_COOKIE_AGE``, 15 min for
   the admin roles set at login) kept by ``apps.common.middleware.SessionTouchMiddleware``.
2. **Second factor** (AUTH-06): a session of an account that needs one (apps/accounts/second_factor.py) without a
   verified device ends — whatever made it (the login page's two steps are the only path that verifies).
3. **Password expiry / first-login change** (AUTH-02/03): until the password is changed, pages go to the change page
   and API calls answer 403 ``password_expired``; only the change page, logout and static files are reachable.
   API clients authenticate by token, not by session, and are never asked (their tokens are not passwords).

Ending a session: pages are sent to the login page (``?next=``), API calls get 401 JSON.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from .passwords import password_state
from .roles import ADMIN_ROLE_CODES, role_codes_for
from .second_factor import requires_second_factor

LOGIN_AT = "_login_at"
PASSWORD_FLAG = "_pw_change"  # "must_change" | "expired"
PASSWORD_EXPIRES = "_pw_expires"  # epoch seconds


def absolute_seconds() -> int:
    return int(getattr(settings, "SESSION_ABSOLUTE_SECONDS", 12 * 60 * 60))


def admin_idle_seconds() -> int:
    return int(getattr(settings, "ADMIN_SESSION_IDLE_SECONDS", 15 * 60))


def stamp_login(request, user) -> None:
    """At every login (any path that calls ``django.contrib.auth.login``): the login time, the admin roles' idle
    age, and the password state, so that the request path reads the session only."""
    session = request.session
    session[LOGIN_AT] = int(time.time())
    if set(role_codes_for(user)) & ADMIN_ROLE_CODES:
        session.set_expiry(admin_idle_seconds())
    state, expires = password_state(user)
    if state:
        session[PASSWORD_FLAG] = state
    else:
        session.pop(PASSWORD_FLAG, None)
    if expires is not None:
        session[PASSWORD_EXPIRES] = int(expires.timestamp())
    else:
        session.pop(PASSWORD_EXPIRES, None)


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


class AccountPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is None or "_auth_user_id" not in session:
            return self.get_response(request)
        user = request.user
        if not user.is_authenticated:
            return self.get_response(request)
        now = int(time.time())
        login_at = session.get(LOGIN_AT)
        if login_at is None or now - int(login_at) >= absolute_seconds():
            return self._end(request, "登录已超过 12 小时，请重新登录")
        if requires_second_factor(user) and not (getattr(user, "is_verified", None) and user.is_verified()):
            return self._end(request, "该账户需要二次验证，请重新登录")
        flag = session.get(PASSWORD_FLAG)
        expires = session.get(PASSWORD_EXPIRES)
        if flag or (expires is not None and now >= int(expires)):
            return self._password_change_required(request, flag or "expired")
        return self.get_response(request)

    def _end(self, request, message: str):
        logout(request)
        if _is_api(request):
            return JsonResponse({"code": "not_authenticated", "message": message, "fields": {}}, status=401)
        messages.info(request, message)
        return redirect_to_login(request.get_full_path(), reverse(settings.LOGIN_URL))

    def _password_change_required(self, request, flag: str):
        change_url = reverse("accounts:password_change")
        allowed = (change_url, reverse("accounts:logout"), settings.STATIC_URL)
        if request.path.startswith(allowed):
            return self.get_response(request)
        message = "初始密码须在首次登录时修改" if flag == "must_change" else "密码已过期，请先修改密码"
        if _is_api(request):
            return JsonResponse({"code": "password_expired", "message": message, "fields": {}}, status=403)
        messages.warning(request, message)
        return redirect(change_url)
