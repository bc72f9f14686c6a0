from django.apps import AppConfig


class StandardsConfig(AppConfig):
    name = "apps.standards"
    label = "standards"
    verbose_name = "标准与检查事项"

    def ready(self):
        from apps.common.navigation import register_nav

        register_nav(
            "标准与检验项目",
            "standards:list",
            perm="standards.view_standard",
            icon="journal-bookmark",
            order=60,
        )
