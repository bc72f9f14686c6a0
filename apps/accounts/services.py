"""Writes for accounts: reference data, roles, demo accounts, API clients. Every write is audited."""

import json
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils import timezone

from apps.common.audit import audit_record, model_snapshot
from apps.common.exceptions import DomainError
from apps.common.permissions import require_perm

from .models import ApiClient, Township, TownshipPopulation, User
from .passwords import random_password
from .roles import ADMIN_ROLE_CODES, ROLE_BY_CODE, ROLES

FIXTURES = Path(settings.BASE_DIR) / "fixtures"


@transaction.atomic
def reference_data_load(*, actor=None) -> dict:
    """Townships and their population (estimates are created once and never overwrite staff edits)."""
    data = json.loads((FIXTURES / "townships.json").read_text(encoding="utf-8"))
    created = 0
    by_code = {}
    for row in data["townships"]:
        township, was_created = Township.objects.update_or_create(
            code=row["code"], defaults={"name": row["name"], "kind": row["kind"], "order": row["order"]}
        )
        by_code[row["code"]] = township
        created += was_created
    pops = 0
    for row in data["populations"]:
        _, was_created = TownshipPopulation.objects.get_or_create(
            township=by_code[row["township"]],
            year=row["year"],
            defaults={"population": row["population"], "is_estimate": row["is_estimate"], "source": row["source"]},
        )
        pops += was_created
    result = {"townships": len(by_code), "townships_created": created, "populations_created": pops}
    audit_record("reference.load", object_type="accounts.township", actor=actor, extra=result)
    return result


@transaction.atomic
def roles_sync(*, actor=None) -> dict:
    """Make each role group hold exactly the permissions of its definition (skipping apps not installed)."""
    perms = {f"{p.content_type.app_label}.{p.codename}": p for p in Permission.objects.select_related("content_type")}
    summary = {}
    for role in ROLES:
        group, _ = Group.objects.get_or_create(name=role.label)
        wanted = [perms[name] for name in role.permissions if name in perms]
        before = set(group.permissions.values_list("pk", flat=True))
        group.permissions.set(wanted)
        if before != {p.pk for p in wanted}:
            audit_record(
                "role.permissions_set",
                obj=group,
                actor=actor,
                changes={"permissions": [sorted(before), sorted(p.pk for p in wanted)]},
            )
        summary[role.code] = len(wanted)
    return summary


DEMO_ACCOUNTS = (
    # username, full name, role code, township code (None = city-wide)
    ("zhenjie", "王晓燕", "township_staff", "xiashi"),
    ("jiancha", "李建国", "inspector", "xiashi"),
    ("shiju", "陈志强", "city_staff", None),
    ("lingdao", "周海宁", "city_leader", None),
    ("chouyang", "郑晓明", "sampler", None),  # member of a demo 抽样机构 (apps/sampling/fieldwork/demo.py)
    ("jianyan", "冯丽华", "lab_staff", None),  # member of a demo 检验机构
    ("tousu", "赵敏", "complaint_officer", None),
    ("xitong", "孙立", "sys_admin", None),
    ("anquan", "钱卫", "security_admin", None),
    ("shenji", "吴审", "audit_admin", None),
)


@transaction.atomic
def demo_accounts_create(*, password: str | None = None) -> list[dict]:
    """One account per role (demo mode only). Returns username / password / role for printing."""
    if not getattr(settings, "DEMO_MODE", False):
        raise RuntimeError("演示账户只能在演示模式（DEMO_MODE=1）下创建")
    from .roles import ROLE_BY_CODE

    out = []
    for username, full_name, role_code, township_code in DEMO_ACCOUNTS:
        role = ROLE_BY_CODE[role_code]
        pw = password or random_password(14)
        user, _ = User.objects.get_or_create(username=username, defaults={"full_name": full_name})
        user.full_name = full_name
        user.is_staff = role.admin_role
        user.set_password(pw)
        user.password_changed_at = timezone.now()
        user.must_change_password = False
        user.save()
        user.groups.set([Group.objects.get(name=role.label)])
        if township_code:
            user.townships.set([Township.objects.get(code=township_code)])
        else:
            user.townships.clear()
        otp_secret = _demo_totp_device(user)
        audit_record("user.demo_create", obj=user, extra={"role": role_code})
        out.append(
            {
                "username": username,
                "password": pw,
                "role": role.label,
                # samplers and lab staff see the rows of their organisation (sampling), not of a township
                "township": user.townships.first().name
                if township_code
                else ("全市" if role.city_wide or role.admin_role else "按所属机构"),
                "otp_secret": otp_secret,
            }
        )
    return out


def _demo_totp_device(user) -> str:
    """Demo accounts that need the second factor get one confirmed TOTP device; its base32 secret is printed by
    ``demo_accounts`` (add it to any authenticator app, or run ``manage.py demo_otp <用户名>``). "" for the others."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from .second_factor import base32_secret, requires_second_factor

    if not requires_second_factor(user):
        TOTPDevice.objects.filter(user=user).delete()
        return ""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()  # a second `make run` keeps the secret
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="演示验证器", confirmed=True)
    return base32_secret(device)


# ---------------------------------------------------------------------------- passwords, second factor, roles
@transaction.atomic
def password_change(*, user, new_password: str) -> User:
    """The user's own change (validated by the form against AUTH_PASSWORD_VALIDATORS, history included)."""
    user.set_password(new_password)
    user.must_change_password = False
    user.save()  # PasswordHistoryValidator.password_changed records the hash and password_changed_at
    audit_record("auth.password_change", obj=user, actor=user, changes={"password": ["***", "***（已修改）"]})
    return user


@transaction.atomic
def password_reset(*, actor, user_id: int) -> tuple[User, str]:
    """A random initial password (≥ 12 characters, four classes), shown once, to be changed at the first login and
    valid for the policy's ``initial_password_hours`` (AUTH-03). Ends the user's sessions (the hash changes)."""
    require_perm(actor, "accounts.reset_password")
    user = User.objects.select_for_update().get(pk=user_id)
    if user.is_service_account:
        raise DomainError("接口服务账户没有密码，请吊销或重新签发令牌")
    raw = random_password(16)
    user.set_password(raw)
    user.must_change_password = True
    user.save()
    audit_record("auth.password_reset", obj=user, actor=actor, changes={"password": ["***", "***（已重置）"]})
    return user, raw


@transaction.atomic
def second_factor_enrol(*, user, device) -> list[str]:
    """Confirm the enrolment's device (the code was checked by the caller); returns the 10 new recovery codes."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from .second_factor import recovery_codes_generate

    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = recovery_codes_generate(user)
    audit_record("auth.otp_enrol", obj=user, actor=user)
    return codes


@transaction.atomic
def recovery_codes_regenerate(*, user) -> list[str]:
    from .second_factor import confirmed_device, recovery_codes_generate

    if confirmed_device(user) is None:
        raise DomainError("尚未绑定验证器，无法生成恢复码")
    codes = recovery_codes_generate(user)
    audit_record("auth.recovery_codes_regenerate", obj=user, actor=user)
    return codes


@transaction.atomic
def second_factor_reset(*, actor, user_id: int) -> User:
    """The security admin's reset (lost phone): the devices and recovery codes go; the user's verified sessions end
    at their next request (OTPMiddleware finds no device) and the next login enrols again (AUTH-06)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from .models import RecoveryCode

    require_perm(actor, "accounts.reset_second_factor")
    user = User.objects.select_for_update().get(pk=user_id)
    if user.pk == getattr(actor, "pk", None):
        raise DomainError("不能重置自己的二次验证，请由另一位安全管理员操作")
    devices = TOTPDevice.objects.filter(user=user).delete()[0]
    codes = RecoveryCode.objects.filter(user=user).delete()[0]
    audit_record("auth.otp_reset", obj=user, actor=actor, extra={"devices": devices, "recovery_codes": codes})
    return user


ADMIN_ROLE_CONFLICT = "三权分立：同一账户只能担任一个管理员角色（系统管理员、安全管理员、审计管理员）。"


def check_admin_roles(role_codes) -> None:
    if len(set(role_codes) & ADMIN_ROLE_CODES) > 1:
        raise DomainError(ADMIN_ROLE_CONFLICT, code="admin_roles_exclusive")


@transaction.atomic
def user_roles_set(*, actor, user_id: int, role_codes: list[str]) -> User:
    """Set a user's roles (groups). The three admin roles exclude each other (三权分立, ACL-08); an admin role makes
    the account staff (the admin site), any other role does not."""
    require_perm(actor, "accounts.change_user")
    unknown = sorted(set(role_codes) - set(ROLE_BY_CODE))
    if unknown:
        raise DomainError(f"未知的角色：{'、'.join(unknown)}")
    check_admin_roles(role_codes)
    user = User.objects.select_for_update().get(pk=user_id)
    before = sorted(g.name for g in user.groups.all())
    groups = list(Group.objects.filter(name__in=[ROLE_BY_CODE[c].label for c in role_codes]))
    user.groups.set(groups)
    is_admin = bool(set(role_codes) & ADMIN_ROLE_CODES)
    if user.is_staff != is_admin and not user.is_superuser:
        user.is_staff = is_admin
        user.save(update_fields=["is_staff"])
    audit_record("user.roles_set", obj=user, actor=actor, changes={"roles": [before, sorted(g.name for g in groups)]})
    return user


@transaction.atomic
def api_client_create(
    *, name: str, scopes: list[str], township_codes=(), city_wide: bool = False, expires_at=None, actor=None
):
    """Create a client with its service user; returns (client, raw_token). The raw token is shown once.

    Only the SHA-256 of the token is stored. ``expires_at`` (optional) ends the token's validity.
    """
    user = User.objects.create(username=f"api-{secrets.token_hex(4)}", full_name=name, is_service_account=True)
    user.set_unusable_password()
    user.save()
    if city_wide:
        user.user_permissions.add(
            Permission.objects.get(codename="view_all_townships", content_type__app_label="accounts")
        )
    if township_codes:
        townships = list(Township.objects.filter(code__in=township_codes))
        unknown_townships = sorted(set(township_codes) - {t.code for t in townships})
        if unknown_townships:
            raise ValueError(f"未知的镇街代码：{', '.join(unknown_townships)}")
        user.townships.set(townships)
    from .scopes import SCOPES

    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown:
        raise ValueError(f"未知的权限范围：{', '.join(unknown)}")
    granted = {perm for scope in scopes for perm in SCOPES[scope][1]}
    existing = {
        f"{p.content_type.app_label}.{p.codename}": p for p in Permission.objects.select_related("content_type")
    }
    user.user_permissions.add(*[existing[p] for p in sorted(granted) if p in existing])
    raw = ApiClient.generate_token()
    client = ApiClient.objects.create(
        name=name,
        user=user,
        token_prefix=raw[:12],
        token_hash=ApiClient.hash_token(raw),
        scopes=sorted(set(scopes)),
        expires_at=expires_at,
    )
    audit_record(
        "api_client.create",
        obj=client,
        actor=actor,
        changes={"after": model_snapshot(client, ["name", "scopes", "expires_at"])},
        extra={"townships": sorted(township_codes), "city_wide": city_wide},
    )
    return client, raw


@transaction.atomic
def api_client_revoke(*, client_id: int, actor=None) -> ApiClient:
    client = ApiClient.objects.select_for_update().get(pk=client_id)
    if client.revoked_at is None:
        client.revoked_at = timezone.now()
        client.is_active = False
        client.save(update_fields=["revoked_at", "is_active"])
        audit_record("api_client.revoke", obj=client, actor=actor)
    return client
