"""What incidents/opinion registers at start-up (called from IncidentsConfig.ready): the menu entry "舆情", the
timeliness measure "舆情按时回应" (apps/incidents/timeliness.py), the job menu permission of its export; and its
audit actions with their Chinese names."""

AUDIT_ACTIONS: dict[str, str] = {
    "incidents.opinion_create": "登记舆情事件",
    "incidents.opinion_update": "修改舆情事件",
    "incidents.opinion_assess": "研判舆情事件",
    "incidents.opinion_action_add": "记录舆情处置措施",
    "incidents.opinion_respond": "登记舆情回应",
    "incidents.opinion_close": "关闭舆情事件",
    "incidents.opinion_link_enterprise": "确认舆情关联检查对象",
    "incidents.opinion_unlink_enterprise": "取消舆情关联检查对象",
    "incidents.opinion_spawn_incident": "舆情转为食品安全事件",
    "incidents.opinion_spawn_inspection": "舆情发起飞行检查",
}


def _counts(actor, *, year):
    from .selectors import opinion_response_timeliness

    return opinion_response_timeliness(actor, year=year)


def _counts_years(actor, *, years):
    from .selectors import opinion_response_timeliness_years

    return opinion_response_timeliness_years(actor, years=years)


def _rows_url(*, year, township, on_time):
    from urllib.parse import urlencode

    from django.urls import reverse

    from .selectors import timeliness_rows_params

    return f"{reverse('incidents:opinion_events')}?{urlencode(timeliness_rows_params(year=year, township=township, on_time=on_time))}"


def ready() -> None:
    from apps.common.navigation import add_nav_permission, register_nav

    from ..timeliness import TimelinessMeasure, register_measure

    register_nav("舆情", "incidents:opinion_events", perm="incidents.view_opinionevent", icon="broadcast", order=58)
    add_nav_permission("jobs:list", "incidents.export_opinionevent")
    register_measure(
        TimelinessMeasure(
            key="opinion_response",
            label="舆情按时回应",
            order=40,
            counts=_counts,
            counts_years=_counts_years,
            rows_url=_rows_url,
            note="发现后按生效的时限（默认 24 小时）回应；已回应或已过期限的计入",
        )
    )
