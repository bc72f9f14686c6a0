"""Home page per role (apps.dashboard): headings, figures from the owning apps' selectors, quick links."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

from apps.accounts import selectors as accounts_selectors
from apps.common.models import AuditEvent
from apps.dashboard import figures
from apps.dashboard import views as dashboard_views

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
    expected = f"dashboard/{role.code}.html" if role else "dashboard/default.html"
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
    assert "125,000" in html and "估算" in html  # 2020 population of 硖石街道 (estimate)


def test_city_staff_sees_all_townships_with_estimates_marked(client, city_staff):
    client.force_login(city_staff)
    response = client.get("/")
    table = response.context["population"]
    assert len(table["rows"]) == 12
    assert [r["township"].name for r in table["rows"]][:2] == ["硖石街道", "海洲街道"]
    assert table["totals"][0]["population"] == 1076199 and table["totals"][0]["is_estimate"]
    html = response.content.decode()
    assert html.count('class="badge badge-estimate"') >= 24
    assert "1,076,199" in html


def test_leader_table_has_the_per_township_columns_of_later_apps(client, leader):
    client.force_login(leader)
    html = client.get("/").content.decode()
    assert "全市食品安全概览" in html
    for column in ("检查对象", "抽查完成率", "抽检批次/千人"):
        assert column in html


def test_population_table_is_two_queries(city_staff, django_assert_num_queries):
    city_staff.has_perm("accounts.view_all_townships")  # warm the permission cache
    with django_assert_num_queries(2):
        table = accounts_selectors.township_population_table(actor=city_staff)
        [cell for row in table["rows"] for cell in row["cells"]]


def test_population_table_of_a_user_without_township_is_empty(user_factory):
    user = user_factory("no_township", "township_staff")
    assert accounts_selectors.township_population_table(actor=user)["rows"] == []


def test_a_kpi_shows_its_number_linked_to_its_rows(client, staff_a, monkeypatch):
    kpi = figures.Kpi("测试指标", "building", 42, "家", url=figures.url_for("jobs:list"))
    monkeypatch.setitem(figures.HOME_KPIS, "township_staff", lambda actor: [kpi])
    client.force_login(staff_a)
    html = client.get("/").content.decode()
    assert '<a href="/jobs/">42</a>' in html
    # A figure of an app that is not there yet: "—" and the note, no link.
    pending = figures.pending("x", "x", "某功能")
    assert pending.value is None and pending.url == ""
    assert pending.note == "“某功能”功能上线后显示"
    assert figures.url_for("no_such_app:list") == ""


def test_security_admin_sees_locked_accounts(client, security_admin, staff_b):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "staff_b", "password": "wrong"})
    client.force_login(security_admin)
    kpis = {k.label: k for k in client.get("/").context["kpis"]}
    assert kpis["当前锁定账户"].value == 1
    # The figure links to the lockout records it counts (issue 8 §7: a number opens its own rows).
    assert kpis["当前锁定账户"].url.startswith(reverse("admin:axes_accessattempt_changelist") + "?")


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
    links = (
        dashboard_views._link("后台任务", "任务进度", "hourglass-split", "jobs:list", "common.view_job"),
        dashboard_views._link("未来功能", "尚未安装", "star", "future:list", "future.view_thing"),
        dashboard_views._link("无权功能", "已安装但无权限", "lock", "audit:list", "common.view_auditevent"),
    )
    monkeypatch.setitem(dashboard_views.QUICK_LINKS, "inspector", links)
    client.force_login(inspector_a)
    response = client.get("/")
    by_label = {link["label"]: link for link in response.context["links"]}
    assert by_label["后台任务"]["url"] == "/jobs/"
    assert by_label["未来功能"]["url"] == ""  # app not installed: shown, disabled
    assert "无权功能" not in by_label  # installed app, no permission: hidden
    html = response.content.decode()
    assert "即将上线 · 尚未安装" in html and 'aria-disabled="true"' in html


def test_township_home_registry_figure_counts_only_own_operating_businesses(client, staff_a, township_a, township_b):
    from apps.enterprises.selectors import enterprise_count
    from tests.factories.enterprises import EnterpriseFactory

    EnterpriseFactory.create_batch(2, township=township_a)
    EnterpriseFactory(township=township_b)
    assert enterprise_count(actor=staff_a) == 2
    client.force_login(staff_a)
    kpis = {k.label: k.value for k in client.get("/").context["kpis"]}
    assert kpis["检查对象（名录）"] == 2
