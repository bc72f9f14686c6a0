from django.apps import AppConfig


class StandardsConfig(AppConfig):
    name = "apps.standards"
    label = "standards"
    verbose_name = "标准与检查事项"
