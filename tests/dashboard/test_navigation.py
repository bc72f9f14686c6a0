"""The main menu: entries contributed by each app (apps.common.navigation), shown to the roles that use them."""

import pytest


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


# Issue 8 §6: 后台任务 for the roles that start jobs (imports, exports, regrades, key-inspection tasks) and the job
# admin; 接口文档 for the security admin who issues API tokens. Everyone else does not see them.
MENU = {
    "staff_a": {"后台任务": True, "接口文档": False},
    "inspector_a": {"后台任务": False, "接口文档": False},
    "city_staff": {"后台任务": True, "接口文档": False},
    "leader": {"后台任务": True, "接口文档": False},  # generates the monthly / annual reports (docs/reports.md)
    "complaint_officer": {"后台任务": True, "接口文档": False},  # starts complaint exports (issue 11)
    "sys_admin": {"后台任务": True, "接口文档": False},
    "security_admin": {"后台任务": False, "接口文档": True},
    "audit_admin": {"后台任务": False, "接口文档": False},
}


@pytest.mark.parametrize("actor", list(MENU))
def test_jobs_and_api_docs_only_for_the_roles_that_use_them(client, request, actor):
    client.force_login(request.getfixturevalue(actor))
    labels = [item["label"] for item in client.get("/").context["nav_items"]]
    assert labels[0] == "首页"
    for label, shown in MENU[actor].items():
        assert (label in labels) is shown, f"{actor}: {label}"


def test_menu_entries_come_from_the_apps():
    from apps.common import context_processors
    from apps.common.navigation import registered_entries

    assert not hasattr(context_processors, "NAV_ITEMS")
    by_url = {e.url_name: e for e in registered_entries()}
    assert {"home", "enterprises:list", "risk:overview", "inspections:plans", "jobs:list", "api-docs"} <= set(by_url)
    assert "enterprises.import_enterprise" in by_url["jobs:list"].perms  # added by the enterprises app


def test_an_entry_whose_app_is_not_installed_is_left_out(client, staff_a, monkeypatch):
    from apps.common import navigation

    monkeypatch.setitem(navigation._ENTRIES, "future:list", navigation.NavEntry("未来功能", "future:list"))
    client.force_login(staff_a)
    labels = [item["label"] for item in client.get("/").context["nav_items"]]
    assert "未来功能" not in labels and "首页" in labels
