from django.apps import AppConfig

SUBPACKAGES = ("schemes", "campaigns")


class AssessmentConfig(AppConfig):
    """考核评估 (PRODUCT.md §3.7, DOMAIN.md §S 四(四)). Subpackages (docs/architecture.md §2.1): ``schemes``
    (versioned assessment schemes with indicators, weights and scoring bands; manual values with evidence; yearly
    rounds with scores, drill-down, appeals and the ranking; the 食安办 star rating) and ``campaigns`` (the eight
    campaigns 八大攻坚行动 with their targets and progress). Computed values come from the measures other apps
    register in ``apps.common.measures``; this app imports no other domain app. Each subpackage has ``contrib.py``:
    its audit actions and what it registers at start-up."""

    name = "apps.assessment"
    label = "assessment"
    verbose_name = "考核评估"
    audit_actions: dict[str, str] = {}

    def ready(self):
        from importlib import import_module

        for sub in SUBPACKAGES:
            contrib = import_module(f"{self.name}.{sub}.contrib")
            self.audit_actions.update(contrib.AUDIT_ACTIONS)
            contrib.ready()
