"""What incidents/emergencies registers at start-up (called from IncidentsConfig.ready): navigation, the export
permission of the job list, the "按时初报" timeliness measure; and its audit actions with their Chinese names."""

AUDIT_ACTIONS: dict[str, str] = {
    "incidents.incident_create": "登记食品安全事件",
    "incidents.incident_update": "修改食品安全事件",
    "incidents.incident_report": "报送食品安全事件报告",
    "incidents.incident_action": "记录食品安全事件处置措施",
    "incidents.incident_level_confirm": "确认食品安全事件级别",
    "incidents.incident_close": "食品安全事件结案",
}


def _counts(actor, *, year):
    from .selectors import first_report_timeliness

    return first_report_timeliness(actor, year=year)


def _counts_years(actor, *, years):
    from .selectors import first_report_timeliness_years

    return first_report_timeliness_years(actor, years=years)


def rows_url(*, year, township, on_time) -> str:
    """The incident list whose filter gives exactly the rows of a timeliness cell."""
    from urllib.parse import urlencode

    from django.urls import reverse

    params = {"year": year, "first_report": {True: "on_time", False: "late", None: "counted"}[on_time]}
    if township is not None:
        params["township"] = township
    return f"{reverse('incidents:incidents')}?{urlencode(params)}"


def ready() -> None:
    from apps.common.navigation import add_nav_permission, register_nav

    from ..timeliness import TimelinessMeasure, register_measure

    register_nav(
        "食品安全事件", "incidents:incidents", perm="incidents.view_incident", icon="exclamation-diamond", order=58
    )
    add_nav_permission("jobs:list", "incidents.export_incident")
    register_measure(
        TimelinessMeasure(
            key="incident_first_report",
            label="按时初报",
            order=30,
            counts=_counts,
            counts_years=_counts_years,
            rows_url=rows_url,
            note="获知事件后 2 小时内初报（时限按生效的报告时限配置，按小时计，不按工作日）",
        )
    )
