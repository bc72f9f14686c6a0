"""Login, logout, failed login and lockout are audit events (SECURITY.md AUD-01); the session policy stamps of a
login (SESS-01/02, AUTH-02); the failure throttle (AUTH-04); 三权分立 on every change of a user's groups (ACL-08)."""

from axes.signals import user_locked_out
from django.contrib.auth.models import Group
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed
from django.dispatch import receiver

from apps.common.audit import audit_record
from apps.common.middleware import client_ip

from . import throttle
from .models import User
from .roles import ADMIN_ROLE_CODES, ROLE_BY_CODE

ADMIN_ROLE_LABELS = frozenset(ROLE_BY_CODE[code].label for code in ADMIN_ROLE_CODES)


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        from .middleware import stamp_login

        stamp_login(request, user)
    audit_record("auth.login", obj=user, actor=user)


@receiver(user_logged_out)
def on_logout(sender, request, user, **kwargs):
    if user is not None:
        audit_record("auth.logout", obj=user, actor=user)


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    if request is not None:
        throttle.record_failure(client_ip(request), username)
    audit_record("auth.login_failed", object_type="accounts.user", object_repr=username, outcome="failure")


@receiver(user_locked_out)
def on_locked_out(sender, request, username=None, ip_address=None, **kwargs):
    audit_record(
        "auth.locked_out",
        object_type="accounts.user",
        object_repr=str(username or "")[:150],
        outcome="failure",
        extra={"ip": ip_address},
    )


def _unlocked(sender, instance, **kwargs):
    """The security admin unlocks an account by deleting its axes attempt: the hourly ceiling goes with it."""
    if instance.username:
        throttle.reset(username=instance.username)


def _connect_unlock():
    from axes.models import AccessAttempt
    from django.db.models.signals import post_delete

    post_delete.connect(_unlocked, sender=AccessAttempt, dispatch_uid="accounts-throttle-unlock")


_connect_unlock()


@receiver(m2m_changed, sender=User.groups.through, dispatch_uid="accounts-admin-roles-exclusive")
def admin_roles_exclusive(sender, instance, action, reverse, pk_set, **kwargs):
    """No path (service, admin form, shell, fixture) gives one account two of the three admin roles."""
    if action != "pre_add" or not pk_set:
        return
    from apps.common.exceptions import DomainError

    from .services import ADMIN_ROLE_CONFLICT

    admin_group_ids = set(Group.objects.filter(name__in=ADMIN_ROLE_LABELS).values_list("pk", flat=True))
    if not reverse:  # user.groups.add(...)
        held = set(instance.groups.filter(pk__in=admin_group_ids).values_list("pk", flat=True))
        if len(held | (set(pk_set) & admin_group_ids)) > 1:
            raise DomainError(ADMIN_ROLE_CONFLICT, code="admin_roles_exclusive")
    elif instance.pk in admin_group_ids:  # group.user_set.add(...)
        clash = (
            User.groups.through.objects.filter(user_id__in=pk_set, group_id__in=admin_group_ids - {instance.pk})
            .values_list("user_id", flat=True)
            .exists()
        )
        if clash:
            raise DomainError(ADMIN_ROLE_CONFLICT, code="admin_roles_exclusive")
