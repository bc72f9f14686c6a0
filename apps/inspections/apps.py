from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "apps.inspections"
    label = "inspections"
    verbose_name = "双随机抽查与监督检查"

    def ready(self):
        from . import contrib

        contrib.register()  # the enterprise page's inspection records, "inspection-result:<id>" labels and links
        # completed inspections feed the risk app's frequency / coverage-debt rules (neither app imports the other)
        from apps.common import hooks

        from .selectors import completed_inspections

        hooks.provide("inspections.completed", "inspections", completed_inspections)
