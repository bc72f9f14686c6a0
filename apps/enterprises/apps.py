from django.apps import AppConfig


class EnterprisesConfig(AppConfig):
    name = "apps.enterprises"
    label = "enterprises"
    verbose_name = "检查对象名录"
    audit_actions = {
        "enterprise.create": "新增检查对象",
        "enterprise.update": "修改检查对象",
        "enterprise.deactivate": "检查对象停业/注销",
        "enterprise.reactivate": "检查对象恢复营业",
        "enterprise.licence_add": "新增证照",
        "enterprise.licence_update": "修改证照",
        "enterprise.licence_deactivate": "证照失效",
        "enterprise.export": "导出检查对象名录",
        "enterprise.import": "导入检查对象名录",
        "enterprise.seed_demo": "生成演示名录",
    }

    def ready(self):
        from apps.common.navigation import add_nav_permission, register_nav

        register_nav("检查对象名录", "enterprises:list", perm="enterprises.view_enterprise", icon="building", order=10)
        add_nav_permission("jobs:list", "enterprises.import_enterprise")  # imports and exports run as jobs
        add_nav_permission("jobs:list", "enterprises.export_enterprise")
        from . import measures

        measures.register()  # the registry's figures for the assessment and the dashboard (apps.common.measures)
