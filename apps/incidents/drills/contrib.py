"""What incidents/drills registers at start-up (called from IncidentsConfig.ready): navigation (“应急预案与演练”) and
the jobs menu for exporters; and its audit actions with their Chinese names."""

AUDIT_ACTIONS: dict[str, str] = {
    "incidents.plan_create": "登记应急预案",
    "incidents.plan_version_upload": "上传应急预案新版本（待签发）",
    "incidents.plan_version_issue": "签发应急预案版本",
    "incidents.drill_create": "登记应急演练",
    "incidents.drill_update": "修改应急演练",
    "incidents.drill_attachment_add": "上传应急演练附件",
}


def ready() -> None:
    from apps.common.navigation import add_nav_permission, register_nav

    register_nav(
        "应急预案与演练",
        "incidents:drills",
        perm=("incidents.view_drill", "incidents.view_emergencyplan"),
        icon="clipboard2-pulse",
        order=58,
    )
    add_nav_permission("jobs:list", "incidents.export_drill")
