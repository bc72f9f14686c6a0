"""Password policy (SECURITY.md AUTH-01..03): validators, history, expiry, random initial passwords.

The policy in force is a dated ``PasswordPolicy`` row (the security admin's), else the defaults of settings. It is
read once per login (``login_password_state``), not per request: the request path only compares the expiry time
kept in the session (apps/accounts/middleware.py).
"""

from __future__ import annotations

import datetime as dt
import secrets
import string
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.contrib.auth.password_validation import UserAttributeSimilarityValidator
from django.core.exceptions import ValidationError
from django.utils import timezone


@dataclass(frozen=True)
class Policy:
    expiry_days: int
    history_count: int
    initial_password_hours: int


def policy_in_force(on: dt.date | None = None) -> Policy:
    from .models import PasswordPolicy

    row = PasswordPolicy.objects.in_force(on or timezone.localdate())
    if row is not None:
        return Policy(row.expiry_days, row.history_count, row.initial_password_hours)
    return Policy(
        int(getattr(settings, "PASSWORD_EXPIRY_DAYS", 90)),
        int(getattr(settings, "PASSWORD_HISTORY_COUNT", 5)),
        int(getattr(settings, "INITIAL_PASSWORD_HOURS", 72)),
    )


def random_password(length: int = 16) -> str:
    """An initial or reset password: ``length`` (≥ 12) characters from the four classes, from ``secrets``."""
    length = max(length, 12)
    alphabet = string.ascii_letters + string.digits + "#@%+=-"
    while True:
        pw = "".join(secrets.choice(alphabet) for _ in range(length))
        if (
            any(c.islower() for c in pw)
            and any(c.isupper() for c in pw)
            and any(c.isdigit() for c in pw)
            and any(c in "#@%+=-" for c in pw)
        ):
            return pw


class SimilarityValidator(UserAttributeSimilarityValidator):
    """Django's similarity check over username, name, e-mail **and phone**, plus a plain containment test for the
    username and the phone digits (a phone number inside a password is not caught by the ratio)."""

    DEFAULT_USER_ATTRIBUTES = ("username", "full_name", "email", "phone")

    def __init__(self, user_attributes=DEFAULT_USER_ATTRIBUTES, max_similarity=0.7):
        super().__init__(user_attributes=user_attributes, max_similarity=max_similarity)

    def validate(self, password, user=None):
        if user is not None:
            lowered = (password or "").lower()
            for attr in ("username", "phone"):
                value = str(getattr(user, attr, "") or "").lower()
                if len(value) >= 4 and value in lowered:
                    raise ValidationError("密码不能包含用户名或手机号", code="password_contains_user_attribute")
        try:
            super().validate(password, user)
        except ValidationError:
            raise ValidationError("密码与用户名、姓名、邮箱或手机号过于相似", code="password_too_similar") from None

    def get_help_text(self):
        return "密码不能包含或近似用户名、姓名、邮箱、手机号"


class PasswordHistoryValidator:
    """Refuses the current password and the previous ``history_count`` − 1 (AUTH-02: "reuse of last 5 rejected");
    records the new hash once the password is saved (Django calls ``password_changed`` after ``user.save()``)."""

    message = "新密码不能与最近 {n} 次使用过的密码相同"

    def validate(self, password, user=None):
        if user is None or not getattr(user, "pk", None):
            return
        n = policy_in_force().history_count
        if any(check_password(password, encoded) for encoded in recent_hashes(user, n)):
            raise ValidationError(self.message.format(n=n), code="password_reused")

    def password_changed(self, password, user=None):
        if user is None or not getattr(user, "pk", None):
            return
        from .models import PasswordHistory, User

        now = timezone.now()
        PasswordHistory.objects.create(user=user, password=user.password, created_at=now)
        User.objects.filter(pk=user.pk).update(password_changed_at=now)
        user.password_changed_at = now
        keep = max(policy_in_force().history_count, 1)
        stale = PasswordHistory.objects.filter(user=user).order_by("-created_at", "-id").values_list("pk", flat=True)
        PasswordHistory.objects.filter(pk__in=list(stale[keep:])).delete()

    def get_help_text(self):
        return self.message.format(n=policy_in_force().history_count)


def recent_hashes(user, n: int) -> list[str]:
    """The current hash and the previous ones, at most ``n`` in all."""
    from .models import PasswordHistory

    hashes = [user.password] if user.password and user.has_usable_password() else []
    for encoded in (
        PasswordHistory.objects.filter(user=user)
        .order_by("-created_at", "-id")
        .values_list("password", flat=True)[: n + 1]
    ):
        if encoded not in hashes:
            hashes.append(encoded)
    return hashes[:n]


def password_state(user, now=None) -> tuple[str | None, dt.datetime | None]:
    """("must_change" | "expired" | "initial_expired" | None, when the password expires) for an account that logs in
    with a password. Service accounts (API clients) have no password and are never asked."""
    if getattr(user, "is_service_account", False) or not user.has_usable_password():
        return None, None
    now = now or timezone.now()
    policy = policy_in_force(timezone.localdate(now))
    changed = user.password_changed_at or user.date_joined
    if user.must_change_password:
        if changed and now - changed > dt.timedelta(hours=policy.initial_password_hours):
            return "initial_expired", None
        return "must_change", None
    expires = changed + dt.timedelta(days=policy.expiry_days) if changed else None
    if expires is not None and now >= expires:
        return "expired", expires
    return None, expires
