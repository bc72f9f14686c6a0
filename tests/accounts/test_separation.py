"""三权分立 and account hygiene (SECURITY.md ACL-08 — the admin-role exclusivity part —, ACL-09)."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from apps.accounts.checks import no_active_superusers
from apps.accounts.models import User
from apps.accounts.roles import ROLE_BY_CODE
from apps.accounts.services import user_roles_set
from apps.common.exceptions import DomainError
from apps.common.models import AuditEvent
from tests.conftest import make_user

ADMIN_ROLES = ["sys_admin", "security_admin", "audit_admin"]
PAIRS = [(a, b) for a in ADMIN_ROLES for b in ADMIN_ROLES if a != b]


@pytest.fixture
def sysadmin(reference):
    return make_user("root_sys", "sys_admin")


@pytest.mark.parametrize(("first", "second"), PAIRS)
def test_the_service_refuses_a_second_admin_role(sysadmin, first, second):
    user = make_user("target", first)
    with pytest.raises(DomainError) as exc, transaction.atomic():
        user_roles_set(actor=sysadmin, user_id=user.pk, role_codes=[first, second])
    assert "三权分立" in exc.value.message
    assert sorted(user.groups.values_list("name", flat=True)) == [ROLE_BY_CODE[first].label]


@pytest.mark.parametrize(("first", "second"), PAIRS)
def test_no_path_gives_two_admin_roles(reference, first, second):
    """The ORM itself refuses (m2m guard), from either side of the relation."""
    user = make_user("target", first)
    with pytest.raises(DomainError), transaction.atomic():
        user.groups.add(Group.objects.get(name=ROLE_BY_CODE[second].label))
    with pytest.raises(DomainError), transaction.atomic():
        Group.objects.get(name=ROLE_BY_CODE[second].label).user_set.add(user)
    assert user.groups.count() == 1


def test_the_service_sets_roles_and_is_audited(sysadmin, reference):
    user = make_user("target", "township_staff")
    user_roles_set(actor=sysadmin, user_id=user.pk, role_codes=["security_admin"])
    user.refresh_from_db()
    assert user.is_staff and list(user.groups.values_list("name", flat=True)) == ["安全管理员"]
    assert AuditEvent.objects.filter(action="user.roles_set", object_id=str(user.pk)).exists()
    user_roles_set(actor=sysadmin, user_id=user.pk, role_codes=["audit_admin"])  # a swap is not a second role
    assert list(user.groups.values_list("name", flat=True)) == ["审计管理员"]


def test_only_the_sys_admin_sets_roles(reference):
    from django.core.exceptions import PermissionDenied

    target = make_user("target", "township_staff")
    for role in ("security_admin", "audit_admin", "city_staff"):
        with pytest.raises(PermissionDenied):
            user_roles_set(actor=make_user(f"x_{role}", role), user_id=target.pk, role_codes=["sys_admin"])


def test_the_admin_form_refuses_with_the_message(client, sysadmin, reference):
    target = make_user("target", "township_staff")
    client.force_login(sysadmin)
    url = reverse("admin:accounts_user_change", args=[target.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, (list, dt.datetime))}
    data.update(
        {
            "username": "target",
            "groups": [Group.objects.get(name="系统管理员").pk, Group.objects.get(name="审计管理员").pk],
            "is_active": "on",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 200
    assert "三权分立" in response.content.decode()
    assert target.groups.count() == 1


def test_deploy_check_refuses_active_superusers(reference):
    assert no_active_superusers() == []
    User.objects.create_superuser("breakglass", password="Glass#Break-2026")
    errors = no_active_superusers()
    assert [e.id for e in errors] == ["accounts.E001"] and "breakglass" in errors[0].msg
    User.objects.filter(username="breakglass").update(is_active=False)  # sealed break-glass: allowed
    assert no_active_superusers() == []


def test_production_settings_use_no_superuser():
    """`is_superuser` plays no part in production settings: only role groups grant anything there."""
    from pathlib import Path

    text = Path("haining_foodsafety/settings/production.py").read_text(encoding="utf-8")
    assert "superuser" not in text.lower()


def _hygiene(**kwargs):
    import io

    out = io.StringIO()
    try:
        call_command("account_hygiene", stdout=out, **kwargs)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue()


def test_hygiene_is_clean_on_clean_accounts(reference, township_a):
    make_user("fresh", "township_staff", [township_a])
    User.objects.filter(username="fresh").update(last_login=timezone.now())
    code, out = _hygiene()
    assert code == 0 and "通过" in out


def test_hygiene_lists_dormant_shared_and_over_privileged_accounts_and_exits_1(reference, township_a):
    old = timezone.now() - dt.timedelta(days=120)
    make_user("sleepy", "township_staff", [township_a])
    User.objects.filter(username="sleepy").update(last_login=old)
    make_user("never", "township_staff", [township_a])
    User.objects.filter(username="never").update(last_login=None, date_joined=old)
    a = make_user("twin_a", "township_staff", [township_a], phone="13900000001")
    make_user("twin_b", "township_staff", [township_a], phone="13900000001")
    User.objects.filter(username="twin_b").update(password=User.objects.get(pk=a.pk).password)
    User.objects.create_superuser("boss", password="Boss#Pass-2026")
    staff = make_user("staffer", "audit_admin")
    staff.user_permissions.add(Permission.objects.get(codename="view_user"))
    # two admin roles can only come from outside the ORM guard (raw SQL, an old database): still found
    both = make_user("both", "sys_admin")
    User.groups.through.objects.bulk_create(
        [User.groups.through(user_id=both.pk, group_id=Group.objects.get(name="安全管理员").pk)]
    )
    make_user("admin", "township_staff", [township_a])
    User.objects.filter(username__in=["twin_a", "twin_b", "boss", "staffer", "both", "admin"]).update(
        last_login=timezone.now()
    )

    code, out = _hygiene()
    assert code == 1
    assert "[长期未登录] sleepy" in out and "[长期未登录] never：从未登录" in out
    assert "[疑似共用] twin_a" in out and "[疑似共用] twin_b" in out and "密码哈希相同" in out and "同一手机号" in out
    assert "13900000001" not in out  # the phone is masked
    assert "[权限过大] boss：超级用户" in out
    assert "[权限过大] staffer：后台账户另有 1 项直接授予的权限" in out
    assert "[权限过大] both：同时担任 2 个管理员角色" in out
    assert "[默认账户名] admin" in out
    code, out = _hygiene(days=200)
    assert "sleepy" not in out
