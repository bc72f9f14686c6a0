from django.apps import AppConfig


class RiskConfig(AppConfig):
    name = "apps.risk"
    label = "risk"
    verbose_name = "风险分级"

    def ready(self):
        from . import jobs, receivers, sections  # noqa: F401  (jobs registers its handlers on import)

        receivers.connect()  # finalised inspections, enterprise / licence changes (apps.common.hooks, signals)
        sections.register()  # the risk grade on the enterprise page (apps.common.sections)
