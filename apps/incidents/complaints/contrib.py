"""What incidents/complaints registers at start-up (called from IncidentsConfig.ready): navigation, the
``complaints.counts`` hook (sampling's targeting reads it), the 一公开 portal section, the calendar listener, the two
timeliness measures (按时受理, 按时反馈: apps/incidents/timeliness.py); and its audit actions with their Chinese names."""

AUDIT_ACTIONS: dict[str, str] = {
    "incidents.complaint_receive": "收到投诉举报",
    "incidents.complaint_accept": "受理投诉举报",
    "incidents.complaint_reject": "不予受理投诉举报",
    "incidents.complaint_route": "分派投诉举报",
    "incidents.complaint_start": "开始办理投诉举报",
    "incidents.complaint_close": "办结投诉举报",
    "incidents.complaint_feedback": "反馈投诉举报人",
    "incidents.complaint_link_duplicate": "标记重复投诉举报",
    "incidents.reward_assess": "核定举报奖励",
    "incidents.reward_pay": "登记举报奖励发放",
    "incidents.reporter_unmask": "查看举报人身份",
    "incidents.reporter_identity_purge": "按保存期限删除举报人身份",
}


def _counts(enterprise_ids, *, since):
    from .selectors import complaint_counts

    return complaint_counts(enterprise_ids, since=since)


def _rows_url(step: str):
    def rows_url(*, year, township, on_time) -> str:
        from urllib.parse import urlencode

        from django.urls import reverse

        from .selectors import timeliness_list_params

        params = timeliness_list_params(step, year=year, township=township, on_time=on_time)
        return f"{reverse('incidents:complaints')}?{urlencode(params)}"

    return rows_url


def _step_counts(step: str):
    def counts(actor, *, year):
        return counts_years(actor, years=[year])[year]

    def counts_years(actor, *, years):
        from .selectors import timeliness_years

        return timeliness_years(actor, step, years=years)

    return counts, counts_years


def register_timeliness_measures() -> None:
    from apps.incidents.timeliness import TimelinessMeasure, register_measure

    acceptance, acceptance_years = _step_counts("acceptance")
    feedback, feedback_years = _step_counts("feedback")
    register_measure(
        TimelinessMeasure(
            key="complaint_acceptance",
            label="按时受理",
            order=10,
            counts=acceptance,
            counts_years=acceptance_years,
            rows_url=_rows_url("acceptance"),
            note="当年收到的投诉举报，自收到日起 7 个工作日内作出受理决定（受理或不予受理）",
        )
    )
    register_measure(
        TimelinessMeasure(
            key="complaint_feedback",
            label="按时反馈",
            order=20,
            counts=feedback,
            counts_years=feedback_years,
            rows_url=_rows_url("feedback"),
            note="当年收到、已办结或不予受理的投诉举报，在反馈期限（默认 5 个工作日）内反馈反映人",
        )
    )


def ready() -> None:
    from apps.common import hooks
    from apps.common.navigation import add_nav_permission, register_nav
    from apps.common.portal import PortalSection, register_portal_section
    from apps.common.workdays import register_calendar_listener

    from .calendar_hooks import reschedule_open_clocks

    register_nav("投诉举报", "incidents:complaints", perm="incidents.view_complaint", icon="megaphone", order=60)
    # 时效考核 is the incidents-wide page (apps/incidents/views_timeliness.py); complaints registers it as the first
    # subpackage with measures on it.
    register_nav("时效考核", "incidents:timeliness", perm="incidents.view_timeliness", icon="stopwatch", order=65)
    register_nav(
        "举报人身份保存期限",
        "incidents:complaint_identity_retention",
        perm="incidents.purge_reporter_identity",
        icon="person-x",
        order=66,
        group="系统",  # the security admin's page: beside 系统管理, not among the case lists
    )
    register_timeliness_measures()
    add_nav_permission("jobs:list", "incidents.export_complaint")
    hooks.provide("complaints.counts", "incidents.complaints", _counts)
    register_calendar_listener(reschedule_open_clocks)  # stored due dates follow a newly entered holiday schedule
    register_portal_section(
        PortalSection(
            key="complaints",
            title="食品安全投诉举报",
            description="无需注册，可以匿名。提交后凭查询码查看办理进度和答复；举报人信息依法保密，查证属实的举报按规定给予奖励。",
            url_name="public_complaints:submit",
            icon="megaphone",
            order=60,
        )
    )
