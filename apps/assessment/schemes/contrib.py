"""What assessment/schemes registers at start-up (called from AssessmentConfig.ready): the menu entries of the
group 考核评估 (``assessment:*``: 年度镇街考核, 食安办星级, 考核方案) and the jobs menu for those who start a
computation; and its audit actions with their Chinese names."""

AUDIT_ACTIONS: dict[str, str] = {
    "assessment.round_create": "建立年度镇街考核",
    "assessment.round_compute": "计算镇街考核得分",
    "assessment.round_close": "关闭年度镇街考核（结果确定）",
    "assessment.round_verify": "复核镇街考核得分",
    "assessment.manual_value_submit": "填报考核指标值（附证据）",
    "assessment.appeal_file": "提出考核申诉",
    "assessment.appeal_decide": "裁决考核申诉",
}


def ready() -> None:
    from apps.common.navigation import add_nav_permission, register_nav

    register_nav(
        "年度镇街考核",
        "assessment:rounds",
        perm="assessment.view_assessmentround",
        icon="trophy",
        order=70,
    )
    register_nav("食安办星级", "assessment:stars", perm="assessment.view_starrating", icon="star", order=71)
    register_nav(
        "考核方案",
        "assessment:schemes",
        perm="assessment.view_assessmentscheme",
        icon="list-check",
        order=72,
    )
    add_nav_permission("jobs:list", "assessment.change_assessmentround")
