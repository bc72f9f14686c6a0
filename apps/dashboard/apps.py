from django.apps import AppConfig


class DashboardConfig(AppConfig):
    """The role home pages and their figures, built only from the public selectors of the apps that own the data."""

    name = "apps.dashboard"
    label = "dashboard"
    verbose_name = "工作台与驾驶舱"

    def ready(self):
        from apps.common.navigation import register_nav

        register_nav("首页", "home", icon="house-door", order=0)
        register_nav(
            "领导驾驶舱", "dashboard:city", perm="dashboard.view_leadership", icon="graph-up", order=1, group="工作台"
        )
