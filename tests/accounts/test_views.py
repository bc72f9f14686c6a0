"""Home page per role, the base layout, and the accounts admin (scoped, audited, 三权分立 rules)."""

import re

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.urls import reverse

from apps.accounts import selectors_home
from apps.accounts.models import ApiClient, User
from apps.accounts.roles import ROLE_BY_CODE
from apps.common.models import AuditEvent

HEADINGS = {
    "staff_a": "硖石街道食安办工作台",
    "inspector_a": "我的任务",
    "city_staff": "市局业务工作台",
    "leader": "全市食品安全概览",
    "complaint_officer": "投诉举报工作台",
    "sys_admin": "系统管理",
    "security_admin": "安全管理",
    "audit_admin": "审计管理",
    "user_without_perms": "欢迎，nobody",
}


def h1(response) -> str:
    match = re.search(r"<h1[^>]*>(.*?)</h1>", response.content.decode(), re.S)
    return re.sub(r"\s+", "", match.group(1)) if match else ""


def test_home_needs_login(client, db):
    response = client.get("/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


@pytest.mark.parametrize("actor", list(HEADINGS))
def test_each_role_gets_its_home_page(client, request, actor):
    user = request.getfixturevalue(actor)
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    assert h1(response) == HEADINGS[actor]
    role = response.context["role"]
    expected = f"home/{role.code}.html" if role else "home/default.html"
    assert expected in [t.name for t in response.templates]


def test_township_staff_home_shows_own_township_only_and_placeholders(client, staff_a):
    client.force_login(staff_a)
    html = client.get("/").content.decode()
    assert "硖石街道" in html and "许村镇" not in html and "海洲街道" not in html
    # All three figures now come from their apps' selectors (registry, risk coverage debt, rectifications),
    # each linking to the rows behind it.
    assert html.count('class="kpi-value is-pending"') == 0
    for label, url in (
        ("检查对象（名录）", "/enterprises/"),
        ("逾期未检查", "/risk/coverage/"),
        ("逾期未整改", "/inspections/"),
    ):
        assert label in html and f'href="{url}' in html
    assert "125000" in html and "估算" in html  # 2020 population of 硖石街道 (estimate)


def test_city_staff_sees_all_townships_with_estimates_marked(client, city_staff):
    client.force_login(city_staff)
    response = client.get("/")
    table = response.context["population"]
    assert len(table["rows"]) == 12
    assert [r["township"].name for r in table["rows"]][:2] == ["硖石街道", "海洲街道"]
    assert table["totals"][0]["population"] == 1076199 and table["totals"][0]["is_estimate"]
    html = response.content.decode()
    assert html.count('class="badge badge-estimate"') >= 24
    assert "1076199" in html


def test_leader_table_has_the_per_township_columns_of_later_apps(client, leader):
    client.force_login(leader)
    html = client.get("/").content.decode()
    assert "全市食品安全概览" in html
    for column in ("检查对象", "抽查完成率", "抽检批次/千人"):
        assert column in html


def test_population_table_is_two_queries(city_staff, django_assert_num_queries):
    city_staff.has_perm("accounts.view_all_townships")  # warm the permission cache
    with django_assert_num_queries(2):
        table = selectors_home.township_population_table(actor=city_staff)
        [cell for row in table["rows"] for cell in row["cells"]]


def test_population_table_of_a_user_without_township_is_empty(user_factory):
    user = user_factory("no_township", "township_staff")
    assert selectors_home.township_population_table(actor=user)["rows"] == []


def count_for_test(*, actor):
    return 42


def test_a_kpi_shows_its_number_once_the_selector_exists(client, staff_a, monkeypatch):
    spec = selectors_home.KpiSpec(
        "测试指标", "building", "accounts", "测试", f"{__name__}.count_for_test", "jobs:list", unit="家"
    )
    monkeypatch.setitem(selectors_home.HOME_KPIS, "township_staff", (spec,))
    client.force_login(staff_a)
    html = client.get("/").content.decode()
    assert '<a href="/jobs/">42</a>' in html
    missing = selectors_home.KpiSpec("x", "x", "accounts", "某功能", f"{__name__}.no_such_function")
    assert selectors_home.kpi_from_spec(missing, actor=staff_a).value is None
    not_installed = selectors_home.KpiSpec("x", "x", "no_such_app", "某功能", f"{__name__}.count_for_test")
    kpi = selectors_home.kpi_from_spec(not_installed, actor=staff_a)
    assert kpi.value is None and kpi.note == "“某功能”功能上线后显示"


def test_security_admin_sees_locked_accounts(client, security_admin, staff_b):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "staff_b", "password": "wrong"})
    client.force_login(security_admin)
    kpis = {k.label: k for k in client.get("/").context["kpis"]}
    assert kpis["当前锁定账户"].value == 1
    assert kpis["当前锁定账户"].url == reverse("admin:axes_accessattempt_changelist")


def test_sys_admin_links_to_the_user_admin(client, sys_admin):
    client.force_login(sys_admin)
    response = client.get("/")
    html = response.content.decode()
    assert 'href="/manage/accounts/user/"' in html
    assert 'href="/manage/common/calendaroverride/"' in html
    # The separated areas are not offered: no audit log, no API clients.
    assert "/audit/" not in html and "/manage/accounts/apiclient/" not in html


def test_audit_admin_home_has_chain_status_and_verify_button(client, audit_admin, sys_admin):
    client.force_login(audit_admin)
    response = client.get("/")
    html = response.content.decode()
    assert response.context["chain"]["length"] == AuditEvent.objects.count() > 0
    assert 'action="/audit/verify/"' in html and "校验审计链" in html
    client.force_login(sys_admin)
    assert 'action="/audit/verify/"' not in client.get("/").content.decode()


def test_quick_links_of_apps_not_installed_are_shown_disabled(client, inspector_a, monkeypatch):
    from apps.accounts import views as account_views

    links = (
        account_views._link("后台任务", "任务进度", "hourglass-split", "jobs:list", "common.view_job"),
        account_views._link("未来功能", "尚未安装", "star", "future:list", "future.view_thing"),
        account_views._link("无权功能", "已安装但无权限", "lock", "audit:list", "common.view_auditevent"),
    )
    monkeypatch.setitem(account_views.QUICK_LINKS, "inspector", links)
    client.force_login(inspector_a)
    response = client.get("/")
    by_label = {link["label"]: link for link in response.context["links"]}
    assert by_label["后台任务"]["url"] == "/jobs/"
    assert by_label["未来功能"]["url"] == ""  # app not installed: shown, disabled
    assert "无权功能" not in by_label  # installed app, no permission: hidden
    html = response.content.decode()
    assert "即将上线 · 尚未安装" in html and 'aria-disabled="true"' in html


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


def test_navigation_follows_permissions(client, staff_a, audit_admin):
    client.force_login(staff_a)
    labels = [item["label"] for item in client.get("/").context["nav_items"]]
    assert "首页" in labels and "后台任务" in labels
    assert "审计日志" not in labels and "系统管理" not in labels
    client.force_login(audit_admin)
    items = {item["label"]: item for item in client.get("/audit/").context["nav_items"]}
    assert items["审计日志"]["active"] and not items["首页"]["active"]
    assert items["审计日志"]["icon"] == "journal-text"
    assert "系统管理" in items


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


def test_township_home_registry_figure_counts_only_own_operating_businesses(client, staff_a, township_a, township_b):
    from apps.enterprises.selectors import enterprise_count
    from tests.factories.enterprises import EnterpriseFactory

    EnterpriseFactory.create_batch(2, township=township_a)
    EnterpriseFactory(township=township_b)
    assert enterprise_count(actor=staff_a) == 2
    client.force_login(staff_a)
    kpis = {k.label: k.value for k in client.get("/").context["kpis"]}
    assert kpis["检查对象（名录）"] == 2
