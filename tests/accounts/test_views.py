"""The base layout and the accounts admin (scoped, audited, 三权分立 rules). Home pages: tests/dashboard."""

import re

from django.contrib.auth.models import Group
from django.urls import reverse

from apps.accounts.models import ApiClient, User
from apps.accounts.roles import ROLE_BY_CODE
from apps.common.models import AuditEvent


# ------------------------------------------------------------------ base layout
def test_base_layout(client, staff_a, settings):
    settings.DEMO_MODE = True
    client.force_login(staff_a)
    html = client.get("/").content.decode()
    assert '<html lang="zh-Hans">' in html
    assert "演示环境" in html
    assert 'hx-headers=\'{"X-CSRFToken": "' in html
    for asset in (
        "vendor/bootstrap/bootstrap.min.css",
        "vendor/bootstrap/bootstrap.bundle.min.js",
        "vendor/htmx/htmx.min.js",
        "js/app.js",
    ):
        assert f"/static/{asset}" in html
    assert 'class="navbar-toggler' in html and 'data-bs-target="#mainNav"' in html
    assert "staff_a" in html and "镇街食安办人员" in html
    assert re.search(r'<form method="post" action="/accounts/logout/"', html)
    settings.DEMO_MODE = False
    assert "演示环境" not in client.get("/").content.decode()


def test_csrf_header_works_for_htmx_posts(db, reference, staff_a):
    """The token in hx-headers is accepted by CsrfViewMiddleware (htmx sends it as X-CSRFToken)."""
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(staff_a)
    html = csrf_client.get("/").content.decode()
    token = re.search(r'"X-CSRFToken": "([^"]+)"', html).group(1)
    assert csrf_client.post("/accounts/logout/").status_code == 403
    response = csrf_client.post("/accounts/logout/", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 302


# ------------------------------------------------------------------ accounts admin
def test_sys_admin_sees_users_of_every_township(client, sys_admin, staff_a, staff_b):
    client.force_login(sys_admin)
    response = client.get("/manage/accounts/user/")
    assert response.status_code == 200
    listed = {u.username for u in response.context["cl"].result_list}
    assert {"staff_a", "staff_b", "sys_admin"} <= listed


def test_township_scoped_viewer_sees_only_own_township_users(rf, staff_a, staff_b):
    from django.contrib import admin

    from apps.accounts.admin import UserAdmin

    request = rf.get("/manage/accounts/user/")
    request.user = staff_a
    qs = UserAdmin(User, admin.site).get_queryset(request)
    assert set(qs.values_list("username", flat=True)) == {"staff_a"}


def test_user_admin_change_is_audited_with_a_diff(client, sys_admin, staff_a):
    client.force_login(sys_admin)
    url = reverse("admin:accounts_user_change", args=[staff_a.pk])
    form = client.get(url).context["adminform"].form
    data = {
        k: v for k, v in form.initial.items() if v is not None and k not in ("password", "last_login", "date_joined")
    }
    data.update(
        {
            "username": "staff_a",
            "full_name": "王晓燕（已改）",
            "groups": [g.pk for g in staff_a.groups.all()],
            "townships": [t.pk for t in staff_a.townships.all()],
            "is_active": "on",
        }
    )
    data.pop("user_permissions", None)
    data = {k: v for k, v in data.items() if not isinstance(v, bool) or v}
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    staff_a.refresh_from_db()
    assert staff_a.full_name == "王晓燕（已改）"
    event = AuditEvent.objects.filter(action="admin.change", object_id=str(staff_a.pk)).latest("seq")
    assert event.actor_id == sys_admin.pk
    assert event.changes["full_name"] == ["staff_a", "王晓燕（已改）"]


def test_user_admin_refuses_a_second_admin_role(client, sys_admin, user_factory):
    target = user_factory("target", "security_admin")
    client.force_login(sys_admin)
    url = reverse("admin:accounts_user_change", args=[target.pk])
    two_admin_roles = Group.objects.filter(
        name__in=[ROLE_BY_CODE["security_admin"].label, ROLE_BY_CODE["audit_admin"].label]
    )
    response = client.post(url, {"username": "target", "groups": [g.pk for g in two_admin_roles], "is_active": "on"})
    assert response.status_code == 200
    assert "同一账户只能担任一个管理员角色" in response.content.decode()
    assert list(target.groups.values_list("name", flat=True)) == [ROLE_BY_CODE["security_admin"].label]


def test_non_superuser_cannot_grant_superuser(client, sys_admin, staff_a):
    client.force_login(sys_admin)
    form = client.get(reverse("admin:accounts_user_change", args=[staff_a.pk])).context["adminform"].form
    assert "is_superuser" not in form.fields and "user_permissions" not in form.fields


def test_security_admin_creates_api_client_token_shown_once(client, security_admin, township_a):
    client.force_login(security_admin)
    response = client.post(
        reverse("admin:accounts_apiclient_add"),
        {"name": "浙江省平台", "scopes": ["jobs:read", "reference:read"], "townships": [township_a.pk]},
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    token = response.context["token"]
    client_row = ApiClient.objects.get(name="浙江省平台")
    assert token.startswith("hn_") and client_row.token_hash == ApiClient.hash_token(token)
    assert token not in str(list(AuditEvent.objects.values_list("changes", "extra")))
    assert AuditEvent.objects.filter(action="api_client.create", object_id=str(client_row.pk)).exists()
    # The token is never shown again.
    detail = client.get(reverse("admin:accounts_apiclient_change", args=[client_row.pk])).content.decode()
    assert token not in detail


def test_security_admin_revokes_api_client(client, security_admin):
    from apps.accounts.services import api_client_create

    api, _ = api_client_create(name="省平台", scopes=["jobs:read"], city_wide=True)
    client.force_login(security_admin)
    response = client.post(
        reverse("admin:accounts_apiclient_changelist"), {"action": "revoke", "_selected_action": [api.pk]}
    )
    assert response.status_code == 302
    api.refresh_from_db()
    assert api.revoked_at is not None and not api.is_active
    assert AuditEvent.objects.filter(action="api_client.revoke", object_id=str(api.pk)).exists()


def test_admin_password_change_is_audited(client, sys_admin, staff_a):
    client.force_login(sys_admin)
    url = reverse("admin:auth_user_password_change", args=[staff_a.pk])
    response = client.post(url, {"password1": "New#Password-2026x", "password2": "New#Password-2026x"})
    assert response.status_code == 302
    event = AuditEvent.objects.filter(action="admin.password_change", object_id=str(staff_a.pk)).get()
    assert "New#Password" not in str(event.changes) and event.actor_id == sys_admin.pk


def test_township_admin_writes_are_audited(client, sys_admin, township_a):
    client.force_login(sys_admin)
    url = reverse("admin:accounts_township_change", args=[township_a.pk])
    response = client.post(
        url, {"code": township_a.code, "name": "硖石街道", "kind": township_a.kind, "order": 20, "is_active": "on"}
    )
    assert response.status_code == 302
    event = AuditEvent.objects.filter(action="admin.change", object_type="accounts.township").latest("seq")
    assert event.changes == {"order": [1, 20]}
