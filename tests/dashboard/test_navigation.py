"""The main menu: entries contributed by each app (apps.common.navigation), shown to the roles that use them."""


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
