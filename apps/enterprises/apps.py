from django.apps import AppConfig


class EnterprisesConfig(AppConfig):
    name = "apps.enterprises"
    label = "enterprises"
    verbose_name = "检查对象名录"

    def ready(self):
        from apps.common.navigation import add_nav_permission, register_nav

        register_nav("检查对象名录", "enterprises:list", perm="enterprises.view_enterprise", icon="building", order=10)
        add_nav_permission("jobs:list", "enterprises.import_enterprise")  # imports and exports run as jobs
        add_nav_permission("jobs:list", "enterprises.export_enterprise")
