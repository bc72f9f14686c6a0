"""Writes for accounts: reference data, roles, demo accounts, API clients. Every write is audited."""

import json
import secrets
import string
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils import timezone

from apps.common.audit import audit_record, model_snapshot

from .models import ApiClient, Township, TownshipPopulation, User
from .roles import ROLES

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


def _random_password(length: int = 14) -> str:
    alphabet = string.ascii_letters + string.digits
    while True:
        pw = (
            "".join(secrets.choice(alphabet) for _ in range(length - 2))
            + secrets.choice("#@%+=")
            + secrets.choice(string.digits)
        )
        if any(c.islower() for c in pw) and any(c.isupper() for c in pw):
            return pw


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
        pw = password or _random_password()
        user, _ = User.objects.get_or_create(username=username, defaults={"full_name": full_name})
        user.full_name = full_name
        user.is_staff = role.admin_role
        user.set_password(pw)
        user.password_changed_at = timezone.now()
        user.save()
        user.groups.set([Group.objects.get(name=role.label)])
        if township_code:
            user.townships.set([Township.objects.get(code=township_code)])
        else:
            user.townships.clear()
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
            }
        )
    return out


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
