"""Login (the role home pages are apps.dashboard)."""

from django.conf import settings
from django.contrib.auth import views as auth_views

from .forms import LoginForm
from .roles import ADMIN_ROLE_CODES, ROLE_BY_CODE, role_codes_for

# SECURITY.md SESS-01: idle logout after 30 minutes (SESSION_COOKIE_AGE), 15 for the three admin roles.
ADMIN_IDLE_SECONDS = getattr(settings, "ADMIN_SESSION_IDLE_SECONDS", 15 * 60)


class LoginView(auth_views.LoginView):
    """Django's login (which cycles the session key: no fixation) behind django-axes (lockout per username)."""

    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        if set(role_codes_for(form.get_user())) & ADMIN_ROLE_CODES:
            self.request.session.set_expiry(ADMIN_IDLE_SECONDS)
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if getattr(settings, "DEMO_MODE", False):
            from .services import DEMO_ACCOUNTS

            context["demo_accounts"] = [
                {"username": username, "role": ROLE_BY_CODE[code].label} for username, _, code, _ in DEMO_ACCOUNTS
            ]
        return context
