"""What incidents/opinion registers at start-up (called from IncidentsConfig.ready): navigation, hooks, portal sections,
dashboard figures; and its audit actions with their Chinese names."""

AUDIT_ACTIONS: dict[str, str] = {}


def ready() -> None:
    pass
