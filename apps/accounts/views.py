"""Login (password, then the second factor where required), enrolment, recovery codes, password change.

The role home pages are apps.dashboard. The login is two steps for the accounts that need a second factor
(apps/accounts/second_factor.py): the password step keeps only a *pending* marker in the session (no
``_auth_user_id``: no signed-in session exists yet); the second step calls ``django.contrib.auth.login`` (which
cycles the session key: no fixation, SESS-04) and ``django_otp.login``. The Django admin has no login of its own
(apps/accounts/admin.py sends it here) and the API has no password login (clients hold tokens issued by the
security admin), so this is the one path to a session; there is no self-service password reset.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.signals import user_login_failed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django_otp import login as otp_login

from apps.common.audit import audit_record
from apps.common.exceptions import DomainError
from apps.common.viewmixins import ScopedFormView, ScopedPageView

from . import second_factor as sf
from .forms import EnrolForm, LoginForm, PasswordChangeFormZh, SecondFactorForm
from .middleware import PASSWORD_EXPIRES, PASSWORD_FLAG
from .models import User
from .passwords import password_state
from .roles import ROLE_BY_CODE
from .services import password_change, recovery_codes_regenerate, second_factor_enrol

PENDING = "_2fa_pending"
PENDING_SECONDS = 5 * 60
MAX_CODE_FAILURES = 5


class LoginView(auth_views.LoginView):
    """Django's login behind django-axes (lockout per username) and the IP/username throttle (AUTH-04)."""

    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if sf.requires_second_factor(user):
            session = self.request.session
            session.cycle_key()
            session[PENDING] = {
                "uid": user.pk,
                "backend": user.backend,
                "at": int(time.time()),
                "next": self.get_success_url(),
                "failures": 0,
            }
            return redirect("accounts:second_factor" if sf.confirmed_device(user) else "accounts:enrol")
        return super().form_valid(form)  # auth_login; the session policy stamps come from the user_logged_in signal

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if getattr(settings, "DEMO_MODE", False):
            from .services import DEMO_ACCOUNTS

            context["demo_accounts"] = [
                {"username": username, "role": ROLE_BY_CODE[code].label} for username, _, code, _ in DEMO_ACCOUNTS
            ]
        return context


def _pending_user(request):
    pending = request.session.get(PENDING)
    if not pending or int(time.time()) - int(pending.get("at", 0)) > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        return None, None
    user = User.objects.filter(pk=pending["uid"], is_active=True).first()
    if user is None:
        request.session.pop(PENDING, None)
    return user, pending


def _complete_login(request, user, pending, device):
    request.session.pop(PENDING, None)
    user.backend = pending["backend"]
    auth_login(request, user, backend=pending["backend"])  # cycles the key; signal stamps the session policy
    otp_login(request, device)
    target = pending.get("next") or reverse(settings.LOGIN_REDIRECT_URL)
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse(settings.LOGIN_REDIRECT_URL)
    return target


class _PendingMixin:
    """The pages between the password and the session: only with a fresh pending marker (else back to login)."""

    template_name = ""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            return redirect(settings.LOGIN_REDIRECT_URL)
        self.user, self.pending = _pending_user(request)
        if self.user is None:
            messages.info(request, "请重新输入用户名和密码")
            return redirect("accounts:login")
        return super().dispatch(request, *args, **kwargs)

    def render(self, form, status=200, **extra):
        response = TemplateResponse(
            self.request, self.template_name, {"form": form, "pending_user": self.user, **extra}, status=status
        )
        response["Cache-Control"] = "no-store"
        return response

    def code_failed(self, form, message):
        """A wrong code counts as a failed login (django-axes lockout, throttle, audit); 5 end the attempt."""
        self.pending["failures"] = int(self.pending.get("failures", 0)) + 1
        self.request.session[PENDING] = self.pending
        self.request.session.modified = True
        user_login_failed.send(sender=type(self), credentials={"username": self.user.username}, request=self.request)
        if self.pending["failures"] >= MAX_CODE_FAILURES:
            self.request.session.pop(PENDING, None)
            messages.error(self.request, "验证码错误次数过多，请重新登录")
            return redirect("accounts:login")
        form.add_error("code", message)
        return self.render(form)


class SecondFactorView(_PendingMixin, View):
    """Step two: a TOTP code of the confirmed device, or one unused recovery code."""

    template_name = "accounts/second_factor.html"

    def get(self, request):
        if sf.confirmed_device(self.user) is None:
            return redirect("accounts:enrol")
        return self.render(SecondFactorForm())

    def post(self, request):
        device = sf.confirmed_device(self.user)
        if device is None:
            return redirect("accounts:enrol")
        form = SecondFactorForm(request.POST)
        if not form.is_valid():
            return self.render(form)
        code = form.cleaned_data["code"]
        used_recovery = False
        if not sf.totp_verify(device, code):
            if len(code.replace("-", "").replace(" ", "")) != 10 or not sf.recovery_code_use(self.user, code):
                return self.code_failed(form, "验证码不正确、已过期或已使用过，请输入验证器当前显示的验证码")
            used_recovery = True
        target = _complete_login(request, self.user, self.pending, device)
        if used_recovery:
            left = sf.recovery_codes_left(self.user)
            audit_record("auth.recovery_code_used", obj=self.user, actor=self.user, extra={"left": left})
            messages.warning(request, f"已使用一个恢复码，还剩 {left} 个。可在“二次验证”页面重新生成。")
        return redirect(target)


class EnrolView(_PendingMixin, View):
    """First login of an account that needs a second factor: bind an authenticator app (QR code or the secret)."""

    template_name = "accounts/enrol.html"

    def get(self, request):
        if sf.confirmed_device(self.user) is not None:
            return redirect("accounts:second_factor")
        return self.render(EnrolForm(), **self._device_context())

    def _device_context(self):
        device = sf.pending_device(self.user)
        uri = sf.otpauth_uri(device)
        return {"otpauth_uri": uri, "secret": sf.base32_secret(device), "qr_svg": sf.qr_svg(uri), "device": device}

    def post(self, request):
        if sf.confirmed_device(self.user) is not None:
            return redirect("accounts:second_factor")
        device = sf.pending_device(self.user)
        form = EnrolForm(request.POST)
        if not form.is_valid():
            return self.render(form, **self._device_context())
        if not sf.totp_verify(device, form.cleaned_data["code"]):
            response = self.code_failed(form, "验证码不正确，请确认验证器已添加本账户并输入当前显示的 6 位数字")
            if isinstance(response, TemplateResponse):
                response.context_data.update(self._device_context())
            return response
        codes = second_factor_enrol(user=self.user, device=device)
        target = _complete_login(request, self.user, self.pending, device)
        response = TemplateResponse(
            request, "accounts/recovery_codes.html", {"codes": codes, "next_url": target, "just_enrolled": True}
        )
        response["Cache-Control"] = "no-store"
        return response


class RecoveryCodesView(ScopedPageView):
    """二次验证: how many recovery codes are left; POST replaces them with 10 new ones (shown once)."""

    permission_required = ()
    template_name = "accounts/recovery_codes.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["left"] = sf.recovery_codes_left(self.request.user)
        context["has_device"] = sf.confirmed_device(self.request.user) is not None
        return context

    def post(self, request):
        try:
            codes = recovery_codes_regenerate(user=request.user)
        except DomainError as exc:  # no authenticator bound (an account that needs no second factor)
            context = self.get_context_data(error=exc.message)
            return self.render_to_response(context, status=exc.status_code)
        response = TemplateResponse(
            request, self.template_name, {"codes": codes, "next_url": reverse(settings.LOGIN_REDIRECT_URL)}
        )
        response["Cache-Control"] = "no-store"
        return response


class PasswordChangeView(ScopedFormView):
    """Change one's own password (forced when it expired or is an initial one: AccountPolicyMiddleware)."""

    permission_required = ()
    template_name = "accounts/password_change.html"
    form_class = PasswordChangeFormZh

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["forced"] = self.request.session.get(PASSWORD_FLAG)
        if context["forced"] is None and self.request.session.get(PASSWORD_EXPIRES):
            context["forced"] = "expired" if time.time() >= self.request.session[PASSWORD_EXPIRES] else None
        return context

    def form_valid(self, form):
        user = password_change(user=self.request.user, new_password=form.cleaned_data["new_password1"])
        update_session_auth_hash(self.request, user)
        session = self.request.session
        session.pop(PASSWORD_FLAG, None)
        _, expires = password_state(user)
        if expires is not None:
            session[PASSWORD_EXPIRES] = int(expires.timestamp())
        messages.success(self.request, "密码已修改")
        return redirect(settings.LOGIN_REDIRECT_URL)


def lockout_response(request, original_response, credentials):
    """django-axes' answer for a locked account: the login page's own answer, unchanged (no enumeration)."""
    return original_response
