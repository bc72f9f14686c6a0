"""Login, logout, failed login and lockout are audit events (SECURITY.md AUD-01)."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from apps.common.audit import audit_record


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs):
    audit_record("auth.login", obj=user, actor=user)


@receiver(user_logged_out)
def on_logout(sender, request, user, **kwargs):
    if user is not None:
        audit_record("auth.logout", obj=user, actor=user)


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    audit_record(
        "auth.login_failed",
        object_type="accounts.user",
        object_repr=str(credentials.get("username", ""))[:150],
        outcome="failure",
    )


@receiver(user_locked_out)
def on_locked_out(sender, request, username=None, ip_address=None, **kwargs):
    audit_record(
        "auth.locked_out",
        object_type="accounts.user",
        object_repr=str(username or "")[:150],
        outcome="failure",
        extra={"ip": ip_address},
    )
