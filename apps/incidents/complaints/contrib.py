"""What incidents/complaints registers at start-up (called from IncidentsConfig.ready): navigation, the
``complaints.counts`` hook (sampling's targeting reads it), the 一公开 portal section, the calendar listener; and its audit actions with
their Chinese names."""

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
}


def _counts(enterprise_ids, *, since):
    from .selectors import complaint_counts

    return complaint_counts(enterprise_ids, since=since)


def ready() -> None:
    from apps.common import hooks
    from apps.common.navigation import add_nav_permission, register_nav
    from apps.common.portal import PortalSection, register_portal_section
    from apps.common.workdays import register_calendar_listener

    from .calendar_hooks import reschedule_open_clocks

    register_nav("投诉举报", "incidents:complaints", perm="incidents.view_complaint", icon="megaphone", order=60)
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
