from django.apps import AppConfig


class DashboardConfig(AppConfig):
    """The role home pages and their figures, built only from the public selectors of the apps that own the data."""

    name = "apps.dashboard"
    label = "dashboard"
    verbose_name = "工作台与驾驶舱"
    audit_actions = {"dashboard.report_generate": "生成月报与年报"}

    def ready(self):
        from apps.common.navigation import add_nav_permission, register_nav

        register_nav("首页", "home", icon="house-door", order=0)
        # The leadership dashboard (dashboard:city) has no menu entry: the role home pages link to it
        # (docs/dashboard.md §1), so the menus of tests/common/test_navigation.py stay as they are.
        register_nav(
            "月报与年报",
            "dashboard_reports:list",
            perm=("dashboard.view_report", "dashboard.run_report"),
            icon="file-earmark-bar-graph",
            order=5,
            group="工作台",
        )
        add_nav_permission("jobs:list", "dashboard.run_report")  # city staff and leaders follow their reports
