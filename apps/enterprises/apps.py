from django.apps import AppConfig


class EnterprisesConfig(AppConfig):
    name = "apps.enterprises"
    label = "enterprises"
    verbose_name = "检查对象名录"
