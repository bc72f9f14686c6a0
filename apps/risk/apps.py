from django.apps import AppConfig


class RiskConfig(AppConfig):
    name = "apps.risk"
    label = "risk"
    verbose_name = "风险分级"

    def ready(self):
        from . import jobs  # noqa: F401  (registers the "risk.regrade" job handler)
