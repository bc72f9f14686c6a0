"""Account hygiene (SECURITY.md ACL-09): dormant, shared and over-privileged accounts, for ``account_hygiene``."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from .models import User
from .roles import ADMIN_ROLE_CODES, ROLE_BY_CODE

ADMIN_ROLE_LABELS = frozenset(ROLE_BY_CODE[c].label for c in ADMIN_ROLE_CODES)
DEFAULT_NAMES = frozenset({"admin", "administrator", "root", "test", "guest", "user", "demo", "superuser", "sa"})


@dataclass(frozen=True)
class Finding:
    kind: str  # dormant | shared | over_privileged | default_name
    username: str
    detail: str


KIND_LABELS = {
    "dormant": "长期未登录",
    "shared": "疑似共用",
    "over_privileged": "权限过大",
    "default_name": "默认账户名",
}


def account_findings(*, dormant_days: int | None = None, now=None) -> list[Finding]:
    """Every finding over the enabled accounts (API service accounts hold tokens, not passwords: only their
    privileges are checked). Queries: a fixed handful, whatever the number of accounts."""
    dormant_days = dormant_days or int(getattr(settings, "ACCOUNT_DORMANT_DAYS", 90))
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=dormant_days)
    active = User.objects.filter(is_active=True)
    out: list[Finding] = []

    people = active.filter(is_service_account=False)
    for username, last_login in (
        people.filter(Q(last_login__lt=cutoff) | Q(last_login__isnull=True, date_joined__lt=cutoff))
        .order_by("username")
        .values_list("username", "last_login")
    ):
        when = f"最近登录 {timezone.localtime(last_login):%Y-%m-%d}" if last_login else "从未登录"
        out.append(Finding("dormant", username, f"{when}，超过 {dormant_days} 天，应停用"))

    by_hash = defaultdict(list)
    by_phone = defaultdict(list)
    for username, password, phone in people.order_by("username").values_list("username", "password", "phone"):
        if password and not password.startswith("!"):
            by_hash[password].append(username)
        if phone.strip():
            by_phone[phone.strip()].append(username)
    for names in by_hash.values():
        if len(names) > 1:
            out.extend(
                Finding("shared", n, f"与 {'、'.join(m for m in names if m != n)} 的密码哈希相同") for n in names
            )
    for phone, names in by_phone.items():
        if len(names) > 1:
            masked = phone[:3] + "****" + phone[-4:] if len(phone) >= 8 else "***"
            out.extend(
                Finding("shared", n, f"与 {'、'.join(m for m in names if m != n)} 使用同一手机号 {masked}")
                for n in names
            )

    admin_counts = active.annotate(
        n_admin=Count("groups", filter=Q(groups__name__in=ADMIN_ROLE_LABELS), distinct=True),
        n_direct=Count("user_permissions", distinct=True),
    ).values_list("username", "n_admin", "n_direct", "is_superuser", "is_staff", "is_service_account")
    for username, n_admin, n_direct, is_superuser, is_staff, is_service in admin_counts.order_by("username"):
        if n_admin > 1:
            out.append(Finding("over_privileged", username, f"同时担任 {n_admin} 个管理员角色（三权分立只允许一个）"))
        if is_superuser:
            out.append(Finding("over_privileged", username, "超级用户（生产环境不使用 is_superuser）"))
        if is_staff and n_direct and not is_service:
            out.append(
                Finding("over_privileged", username, f"后台账户另有 {n_direct} 项直接授予的权限（应只来自角色）")
            )
        if username.lower() in DEFAULT_NAMES:
            out.append(Finding("default_name", username, "默认或通用账户名，应改为实名账户"))
    return out
