from django.apps import AppConfig

SUBPACKAGES = ("plans", "targeting", "fieldwork", "lab", "publicity")


class SamplingConfig(AppConfig):
    """抽样检验 (PRODUCT.md §3.5). Subpackages (docs/architecture.md §2.1): ``plans`` (rates, plans, lines, quotas and
    the quota report), ``targeting`` (靶向 suggestions, back-test, 风险会商), ``fieldwork`` (organisations, tasks,
    抽样单), ``lab`` (results, judging, disposal) and ``publicity`` (你点我检, quick tests, publication, exports).
    Each has ``contrib.py``: its audit actions and what it registers at start-up."""

    name = "apps.sampling"
    label = "sampling"
    verbose_name = "抽样检验"
    audit_actions: dict[str, str] = {}

    def ready(self):
        from importlib import import_module

        for sub in SUBPACKAGES:
            contrib = import_module(f"{self.name}.{sub}.contrib")
            self.audit_actions.update(contrib.AUDIT_ACTIONS)
            contrib.ready()
