from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "apps.inspections"
    label = "inspections"
    verbose_name = "双随机抽查与监督检查"

    def ready(self):
        from . import contrib

        contrib.register()  # the enterprise page's inspection records, "inspection-result:<id>" labels and links
        # completed inspections feed the risk app's frequency / coverage-debt rules (it must not import us)
        from django.apps import apps

        if apps.is_installed("apps.risk"):
            from apps.risk.coverage import register_inspection_source

            from .selectors import completed_inspections

            register_inspection_source(completed_inspections)
