from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "apps.common"
    label = "common"
    verbose_name = "公共基础"

    def ready(self):
        from . import checks  # noqa: F401  (system checks: defusedxml active)
        from .text import install as install_clean_text

        install_clean_text()

        from django.apps import apps

        if apps.is_installed("axes"):  # django-axes has no Chinese name of its own (its labels: locale/zh_Hans)
            apps.get_app_config("axes").verbose_name = "登录防护"
