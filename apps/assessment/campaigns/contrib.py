"""What assessment/campaigns registers at start-up (called from AssessmentConfig.ready): the menu entry
“八大攻坚行动”; and its audit actions with their Chinese names."""

AUDIT_ACTIONS: dict[str, str] = {
    "assessment.campaign_target_update": "修改攻坚行动目标",
    "assessment.campaign_progress_record": "录入攻坚行动进展",
}


def ready() -> None:
    from apps.common.navigation import register_nav

    register_nav("八大攻坚行动", "assessment:campaigns", perm="assessment.view_campaign", icon="flag", order=80)
