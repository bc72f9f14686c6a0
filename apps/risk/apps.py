from django.apps import AppConfig


class RiskConfig(AppConfig):
    name = "apps.risk"
    label = "risk"
    verbose_name = "风险分级"

    def ready(self):
        from apps.common.navigation import add_nav_permission, register_nav

        from . import jobs  # noqa: F401  (registers the "risk.regrade" job handler)

        register_nav("风险分级", "risk:overview", perm="risk.view_riskassessment", icon="speedometer2", order=20)
        add_nav_permission("jobs:list", "risk.run_regrade")
