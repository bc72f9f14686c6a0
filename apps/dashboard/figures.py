"""The figures of the role home pages, each from a public selector of the app that owns the data.

A figure is a number and the list behind it: ``url`` opens that list *with the filter that produces the same
count* (tests/dashboard/test_counts_agree.py follows every link as the role and counts the rows). A figure of an
app that does not exist yet (sampling, incidents) is declared with ``count=None`` and shows "—" and a note; when
that app arrives, its selector is imported here by name.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from apps.accounts import selectors as accounts_selectors
from apps.enterprises import selectors as enterprise_selectors
from apps.incidents.complaints import selectors as complaint_selectors
from apps.incidents.emergencies import selectors as incident_selectors
from apps.inspections.draws import selectors as draw_selectors
from apps.inspections.fieldwork import filters as fieldwork_filters
from apps.inspections.fieldwork import selectors as fieldwork_selectors
from apps.risk import selectors as risk_selectors


@dataclass
class Link:
    """A count shown beside a figure (e.g. "已完成 12 项"), with the list of exactly those rows."""

    text: str
    value: int
    url: str = ""


@dataclass
class Kpi:
    label: str
    icon: str
    value: int | str | None = None
    unit: str = ""
    note: str = ""
    url: str = ""
    tone: str = ""  # "" | "warning" | "amber" | "green"
    is_count: bool = True  # False for a rate: its rows are the counts in ``links``
    links: list[Link] = field(default_factory=list)


def url_for(name: str, params: dict | None = None, *, args=None) -> str:
    """The URL of a list with its filter, or "" when the page does not exist (its app is not installed)."""
    try:
        url = reverse(name, args=args)
    except NoReverseMatch:
        return ""
    return f"{url}?{urlencode(params)}" if params else url


def pending(label: str, icon: str, feature: str, *, unit: str = "", tone: str = "") -> Kpi:
    """A figure of an app that is not there yet: "—" and the note saying when it appears."""
    return Kpi(label, icon, None, unit, note=f"“{feature}”功能上线后显示", tone=tone)


def _count(label, icon, value, url, *, unit="", tone="") -> Kpi:
    return Kpi(label, icon, value, unit, url=url, tone=tone)


# ------------------------------------------------------------------ figures shared by several roles
def operating_enterprises(actor, label: str) -> Kpi:
    return _count(
        label,
        "building",
        enterprise_selectors.enterprise_count(actor=actor),
        url_for("enterprises:list", enterprise_selectors.OPERATING_FILTER),
        unit="家",
    )


def coverage_overdue(actor) -> Kpi:
    return _count(
        "逾期未检查（覆盖欠账）",
        "calendar-x",
        risk_selectors.coverage_overdue_count(actor=actor),
        url_for("risk:coverage"),
        unit="家",
        tone="warning",
    )


def overdue_rectifications(actor) -> Kpi:
    return _count(
        "逾期未整改",
        "exclamation-octagon",
        fieldwork_selectors.overdue_rectification_count(actor=actor),
        url_for("inspections:rectifications", {"overdue": "1"}),
        unit="项",
        tone="amber",
    )


def inspection_completion(actor) -> Kpi:
    """A rate: the percentage, with its two counts (done, due) each linking to its tasks."""
    figures = fieldwork_selectors.inspection_completion(actor=actor)
    year = figures["year"]
    done_url = url_for("inspections:tasks", fieldwork_selectors.completion_task_filters(year=year, done=True))
    total_url = url_for("inspections:tasks", fieldwork_selectors.completion_task_filters(year=year))
    kpi = Kpi(
        "双随机抽查完成率",
        "check2-circle",
        figures["percent"],
        "%",
        url=done_url,
        tone="green",
        is_count=False,
        links=[Link("已完成", figures["done"], done_url), Link("应检查", figures["total"], total_url)],
    )
    if figures["percent"] is None:
        kpi.note = f"{year} 年尚无随机抽查任务"
    return kpi


def _complaints(actor, label: str, icon: str, filters: dict, *, unit: str = "件", tone: str = "") -> Kpi:
    """A count of complaints: the complaint list with ``filters`` is the link (the same FilterSet counts)."""
    return _count(
        label,
        icon,
        complaint_selectors.complaint_count(actor=actor, filters=filters),
        url_for("incidents:complaints", filters),
        unit=unit,
        tone=tone,
    )


def complaints_acceptance_overdue(actor) -> Kpi:
    return _complaints(actor, "投诉举报受理决定已超期", "alarm", {"overdue": "acceptance"}, tone="warning")


def complaint_acceptance_rate(actor) -> Kpi:
    """A rate: this year's 按时受理 (the 时效考核 measure), its two counts each linking to its complaints."""
    year = timezone.localdate().year
    counts = complaint_selectors.acceptance_timeliness(actor, year=year)
    on_time, total = sum(v[0] for v in counts.values()), sum(v[1] for v in counts.values())

    def url(on_time_flag):
        params = complaint_selectors.timeliness_list_params(
            "acceptance", year=year, township=None, on_time=on_time_flag
        )
        return url_for("incidents:complaints", params)

    kpi = Kpi(
        "投诉举报按时受理率",
        "chat-square-text",
        round(on_time * 100 / total) if total else None,
        "%",
        url=url(True),
        is_count=False,
        links=[Link("按时受理", on_time, url(True)), Link("应计", total, url(None))],
    )
    if not total:
        kpi.note = f"{year} 年尚无到期的受理决定"
    return kpi


def pending_first_reports(actor) -> Kpi:
    """待初报事件: incidents without a 初报, inside or past the 2-hour window (the list filtered the same way)."""
    return _count(
        "待初报事件",
        "exclamation-diamond",
        incident_selectors.pending_first_report_count(actor),
        url_for("incidents:incidents", {"first_report": "pending"}),
        unit="起",
        tone="warning",
    )


# ------------------------------------------------------------------ per role
def township_staff_kpis(actor) -> list[Kpi]:
    return [
        operating_enterprises(actor, "检查对象（名录）"),
        coverage_overdue(actor),
        overdue_rectifications(actor),
        complaints_acceptance_overdue(actor),
        pending_first_reports(actor),
        pending_opinion(actor),
    ]


def city_staff_kpis(actor) -> list[Kpi]:
    return [
        operating_enterprises(actor, "检查对象总数"),
        _count(
            "进行中的抽查计划",
            "shuffle",
            draw_selectors.active_draw_plan_count(actor=actor),
            url_for("inspections:plans", {"active": "1"}),
            unit="个",
        ),
        _count(
            "待公示结果",
            "megaphone",
            fieldwork_selectors.unpublished_result_count(actor=actor),
            url_for("inspections:publications", {"status": fieldwork_filters.UNPUBLISHED}),
            unit="项",
            tone="amber",
        ),
        pending("本年抽检批次", "eyedropper", "食品抽检", unit="批", tone="green"),
        complaints_acceptance_overdue(actor),
        pending_first_reports(actor),
        pending_opinion(actor),
    ]


def city_leader_kpis(actor) -> list[Kpi]:
    return [
        operating_enterprises(actor, "检查对象总数"),
        inspection_completion(actor),
        pending("抽检批次（每千人）", "eyedropper", "食品抽检", tone="amber"),
        complaint_acceptance_rate(actor),
        pending_first_reports(actor),
    ]


def complaint_officer_kpis(actor) -> list[Kpi]:
    return [
        _complaints(actor, "待受理投诉举报", "inbox", {"status": "pending"}),
        complaints_acceptance_overdue(actor),
        _complaints(actor, "待发放奖励", "award", {"reward": "assessed"}, unit="笔", tone="amber"),
    ]


def sys_admin_kpis(actor) -> list[Kpi]:
    people = {"is_service_account__exact": "0"}
    return [
        _count(
            "启用账户",
            "people",
            accounts_selectors.person_account_count(active=True),
            url_for("admin:accounts_user_changelist", {**people, "is_active__exact": "1"}),
            unit="个",
        ),
        _count(
            "停用账户",
            "person-x",
            accounts_selectors.person_account_count(active=False),
            url_for("admin:accounts_user_changelist", {**people, "is_active__exact": "0"}),
            unit="个",
            tone="amber",
        ),
        _count(
            "镇街",
            "geo-alt",
            accounts_selectors.active_township_count(),
            url_for("admin:accounts_township_changelist", {"is_active__exact": "1"}),
            unit="个",
            tone="green",
        ),
    ]


def _admin_time(value: dt.datetime) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds")


def security_admin_kpis(actor) -> list[Kpi]:
    from django.conf import settings

    now = timezone.now()
    since = now - dt.timedelta(hours=24)
    return [
        _count(
            "有效接口客户端",
            "plug",
            accounts_selectors.valid_api_client_count(),
            url_for("admin:accounts_apiclient_changelist", {"valid": "1"}),
            unit="个",
        ),
        _count(
            "当前锁定账户",
            "lock",
            accounts_selectors.locked_account_count(now=now),
            url_for(
                "admin:axes_accessattempt_changelist",
                {
                    "attempt_time__gte": _admin_time(accounts_selectors.lockout_window_start(now=now)),
                    "failures_since_start__gte": str(getattr(settings, "AXES_FAILURE_LIMIT", 5)),
                },
            ),
            unit="个",
            tone="warning",
        ),
        _count(
            "近 24 小时登录失败记录",
            "shield-exclamation",
            accounts_selectors.failed_login_count(since=since),
            url_for("admin:axes_accessattempt_changelist", {"attempt_time__gte": _admin_time(since)}),
            unit="条",
            tone="amber",
        ),
    ]


HOME_KPIS: dict[str, Callable] = {
    "township_staff": township_staff_kpis,
    "city_staff": city_staff_kpis,
    "city_leader": city_leader_kpis,
    "complaint_officer": complaint_officer_kpis,
    "sys_admin": sys_admin_kpis,
    "security_admin": security_admin_kpis,
}


def home_kpis(*, actor, role_code: str) -> list[Kpi]:
    build = HOME_KPIS.get(role_code)
    return build(actor) if build else []


# ------------------------------------------------------------------ the leadership table
SAMPLING_COLUMN = "抽检批次/千人"


def township_figures(*, actor, population: dict) -> list[dict]:
    """Per township row of the population table: operating businesses and random-check completion (linked)."""
    enterprises = enterprise_selectors.enterprise_counts_by_township(actor=actor)
    completion = fieldwork_selectors.inspection_completion_by_township(actor=actor)
    year = timezone.localdate().year
    rows = []
    for row in population["rows"]:
        township = row["township"]
        done = completion.get(township.pk) or {"total": 0, "done": 0, "percent": None}
        rows.append(
            {
                "township": township,
                "cells": list(zip(population["years"], row["cells"], strict=True)),
                "enterprises": Link(
                    "检查对象",
                    enterprises.get(township.pk, 0),
                    url_for(
                        "enterprises:list", {**enterprise_selectors.OPERATING_FILTER, "township": str(township.pk)}
                    ),
                ),
                "completion": done["percent"],
                "done": Link(
                    "已完成",
                    done["done"],
                    url_for(
                        "inspections:tasks",
                        fieldwork_selectors.completion_task_filters(year=year, done=True, township_id=township.pk),
                    ),
                ),
                "total": Link(
                    "应检查",
                    done["total"],
                    url_for(
                        "inspections:tasks",
                        fieldwork_selectors.completion_task_filters(year=year, township_id=township.pk),
                    ),
                ),
            }
        )
    return rows


def pending_opinion(actor) -> Kpi:
    """待回应舆情: events not yet responded to, linked to the 舆情 list with ``?response=pending`` (the same rows)."""
    from apps.incidents.opinion import selectors as opinion_selectors

    return _count(
        "待回应舆情",
        "broadcast",
        opinion_selectors.pending_response_count(actor),
        url_for("incidents:opinion_events", opinion_selectors.PENDING_FILTER),
        unit="件",
        tone="warning",
    )
