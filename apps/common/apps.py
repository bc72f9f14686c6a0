from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "apps.common"
    label = "common"
    verbose_name = "公共基础"

    def ready(self):
        from . import checks  # noqa: F401  (system checks: defusedxml active)
