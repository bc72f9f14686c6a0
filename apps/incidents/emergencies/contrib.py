"""What incidents/emergencies registers at start-up (called from IncidentsConfig.ready): navigation, hooks, portal sections,
dashboard figures; and its audit actions with their Chinese names."""

AUDIT_ACTIONS: dict[str, str] = {
    "incidents.incident_create": "登记食品安全事件",
}


def ready() -> None:
    pass
