from django.apps import AppConfig

SUBPACKAGES = ("emergencies", "opinion", "drills", "complaints")


class IncidentsConfig(AppConfig):
    """事件、舆情、应急演练与投诉举报 (PRODUCT.md §3.6). Subpackages (docs/architecture.md §2.1): ``emergencies``
    (food-safety incidents I–IV, grading criteria, 初报/续报/终报 clocks, response actions), ``opinion`` (舆情
    events, response clock; may open an incident), ``drills`` (emergency plans with versions, drills) and
    ``complaints`` (你举报我查处: intake, acceptance and handling clocks, rewards, the reporter's encrypted identity).
    Each has ``contrib.py``: its audit actions and what it registers at start-up."""

    name = "apps.incidents"
    label = "incidents"
    verbose_name = "事件与投诉"
    audit_actions: dict[str, str] = {}

    def ready(self):
        from importlib import import_module

        for sub in SUBPACKAGES:
            contrib = import_module(f"{self.name}.{sub}.contrib")
            self.audit_actions.update(contrib.AUDIT_ACTIONS)
            contrib.ready()
        from . import measures

        measures.register()  # timeliness and drills for the assessment and the dashboard (apps.common.measures)
