"""What assessment/campaigns registers at start-up (called from AssessmentConfig.ready), and its audit actions."""

AUDIT_ACTIONS: dict[str, str] = {}


def ready() -> None:
    pass
