"""Read side of the role home pages (apps.accounts.views.home).

Figures that belong to apps which do not exist yet are declared here with the dotted path of the selector that
will provide them (``source``); until that app is installed and the function exists the page shows "—" and a
note. A later app makes its number appear by defining the function — no template change needed.
Each source is called as ``fn(actor=user)`` and returns an int (already scoped to the actor).
"""

import datetime as dt
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db.models import Prefetch, Sum
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.module_loading import import_string

from apps.common.scoping import user_sees_all_townships

from .models import ApiClient, Township, TownshipPopulation, User

POPULATION_YEARS = (2020, 2022)


@dataclass
class Kpi:
    label: str
    icon: str
    value: int | str | None = None
    unit: str = ""
    note: str = ""
    url: str = ""
    tone: str = ""  # "" | "warning" | "amber" | "green"


@dataclass(frozen=True)
class KpiSpec:
    label: str
    icon: str
    app_label: str  # the app that owns the figure
    feature: str  # its name in the "not yet available" note
    source: str  # dotted path of fn(actor=...) -> int
    url_name: str = ""  # list behind the number
    unit: str = ""
    tone: str = ""


def _reverse_or_blank(name: str) -> str:
    if not name:
        return ""
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


def _app_installed(app_label: str) -> bool:
    return any(cfg.label == app_label for cfg in apps.get_app_configs())


def kpi_from_spec(spec: KpiSpec, *, actor) -> Kpi:
    kpi = Kpi(label=spec.label, icon=spec.icon, unit=spec.unit, tone=spec.tone)
    try:
        if not _app_installed(spec.app_label):
            raise ImportError(spec.app_label)
        fn = import_string(spec.source)
    except ImportError:  # the app, or its counting selector, is not there yet
        kpi.note = f"“{spec.feature}”功能上线后显示"
        return kpi
    kpi.value = fn(actor=actor)
    kpi.url = _reverse_or_blank(spec.url_name)
    return kpi


HOME_KPIS: dict[str, tuple[KpiSpec, ...]] = {
    "township_staff": (
        KpiSpec(
            "检查对象（名录）",
            "building",
            "enterprises",
            "检查对象名录",
            "apps.enterprises.selectors.enterprise_count",
            "enterprises:list",
            unit="家",
        ),
        KpiSpec(
            "逾期未检查（覆盖欠账）",
            "calendar-x",
            "risk",
            "风险分级",
            "apps.risk.selectors.coverage_overdue_count",
            "risk:coverage",
            unit="家",
            tone="warning",
        ),
        KpiSpec(
            "逾期未整改",
            "exclamation-octagon",
            "inspections",
            "整改跟踪",
            "apps.inspections.selectors_fieldwork.overdue_rectification_count",
            "inspections:rectifications",
            unit="项",
            tone="amber",
        ),
    ),
    "city_staff": (
        KpiSpec(
            "检查对象总数",
            "building",
            "enterprises",
            "检查对象名录",
            "apps.enterprises.selectors.enterprise_count",
            "enterprises:list",
            unit="家",
        ),
        KpiSpec(
            "进行中的抽查计划",
            "shuffle",
            "inspections",
            "双随机抽查",
            "apps.inspections.selectors.active_draw_plan_count",
            "inspections:plans",
            unit="个",
        ),
        KpiSpec(
            "待公示结果",
            "megaphone",
            "inspections",
            "结果公示",
            "apps.inspections.selectors_fieldwork.unpublished_result_count",
            "inspections:publications",
            unit="项",
            tone="amber",
        ),
        KpiSpec(
            "本年抽检批次",
            "eyedropper",
            "sampling",
            "食品抽检",
            "apps.sampling.selectors.sample_count_this_year",
            "sampling:samples",
            unit="批",
            tone="green",
        ),
    ),
    "city_leader": (
        KpiSpec(
            "检查对象总数",
            "building",
            "enterprises",
            "检查对象名录",
            "apps.enterprises.selectors.enterprise_count",
            "enterprises:list",
            unit="家",
        ),
        KpiSpec(
            "双随机抽查完成率",
            "check2-circle",
            "inspections",
            "双随机抽查",
            "apps.inspections.selectors.inspection_completion_percent",
            "inspections:plans",
            unit="%",
            tone="green",
        ),
        KpiSpec(
            "抽检批次（每千人）",
            "eyedropper",
            "sampling",
            "食品抽检",
            "apps.sampling.selectors.samples_per_thousand",
            "sampling:quota",
            tone="amber",
        ),
        KpiSpec(
            "投诉按期办结率",
            "chat-square-text",
            "incidents",
            "投诉举报",
            "apps.incidents.selectors.complaint_on_time_percent",
            "incidents:complaints",
            unit="%",
        ),
    ),
    "complaint_officer": (
        KpiSpec(
            "待受理投诉",
            "inbox",
            "incidents",
            "投诉举报",
            "apps.incidents.selectors.complaint_pending_count",
            "incidents:complaints",
            unit="件",
        ),
        KpiSpec(
            "临近受理时限（≤2 个工作日）",
            "alarm",
            "incidents",
            "投诉举报",
            "apps.incidents.selectors.complaint_due_soon_count",
            "incidents:complaints",
            unit="件",
            tone="warning",
        ),
        KpiSpec(
            "待发放奖励",
            "award",
            "incidents",
            "举报奖励",
            "apps.incidents.selectors.reward_pending_count",
            "incidents:rewards",
            unit="笔",
            tone="amber",
        ),
    ),
}


def home_kpis(*, actor, role_code: str) -> list[Kpi]:
    return [kpi_from_spec(spec, actor=actor) for spec in HOME_KPIS.get(role_code, ())]


def actor_townships(*, actor) -> list[Township]:
    """The township(s) an account belongs to, in the official order."""
    return list(actor.townships.order_by("order", "id"))


def township_population_table(*, actor, years=POPULATION_YEARS) -> dict:
    """Resident population per township for ``years`` (2 queries), scoped: city roles all, others their own.

    Returns {"years", "rows": [{"township", "cells": [TownshipPopulation | None per year]}],
             "totals": [{"population", "is_estimate"} per year]}.
    """
    years = tuple(years)
    townships = Township.objects.filter(is_active=True).order_by("order", "id")
    if not user_sees_all_townships(actor):
        townships = townships.filter(id__in=actor.township_ids())
    townships = townships.prefetch_related(
        Prefetch("populations", queryset=TownshipPopulation.objects.filter(year__in=years), to_attr="pops")
    )
    rows = []
    totals = [{"population": 0, "is_estimate": False, "complete": True} for _ in years]
    for township in townships:
        by_year = {p.year: p for p in township.pops}
        cells = [by_year.get(y) for y in years]
        for total, cell in zip(totals, cells, strict=True):
            if cell is None:
                total["complete"] = False
            else:
                total["population"] += cell.population
                total["is_estimate"] = total["is_estimate"] or cell.is_estimate
        rows.append({"township": township, "cells": cells})
    return {"years": years, "rows": rows, "totals": totals, "any_estimate": any(t["is_estimate"] for t in totals)}


# ------------------------------------------------------------------ admin roles: figures that exist today
def sys_admin_kpis(*, actor) -> list[Kpi]:
    users = User.objects.filter(is_service_account=False)
    return [
        Kpi(
            "启用账户",
            "people",
            users.filter(is_active=True).count(),
            "个",
            url=_reverse_or_blank("admin:accounts_user_changelist"),
        ),
        Kpi("停用账户", "person-x", users.filter(is_active=False).count(), "个", tone="amber"),
        Kpi(
            "镇街",
            "geo-alt",
            Township.objects.filter(is_active=True).count(),
            "个",
            url=_reverse_or_blank("admin:accounts_township_changelist"),
            tone="green",
        ),
    ]


def _lockout_window() -> dt.timedelta:
    value = getattr(settings, "AXES_COOLOFF_TIME", 0.5)
    if isinstance(value, dt.timedelta):
        return value
    return dt.timedelta(hours=float(value))


def locked_account_count(*, now=None) -> int:
    """Usernames whose failures inside the cool-off window reached the limit (the axes rule, per username)."""
    from axes.models import AccessAttempt

    now = now or timezone.now()
    limit = getattr(settings, "AXES_FAILURE_LIMIT", 5)
    return (
        AccessAttempt.objects.filter(attempt_time__gte=now - _lockout_window())
        .values("username")
        .annotate(failures=Sum("failures_since_start"))
        .filter(failures__gte=limit)
        .count()
    )


def security_admin_kpis(*, actor) -> list[Kpi]:
    from axes.models import AccessAttempt

    now = timezone.now()
    return [
        Kpi(
            "有效接口客户端",
            "plug",
            ApiClient.objects.active().count(),
            "个",
            url=_reverse_or_blank("admin:accounts_apiclient_changelist"),
        ),
        Kpi(
            "当前锁定账户",
            "lock",
            locked_account_count(now=now),
            "个",
            url=_reverse_or_blank("admin:axes_accessattempt_changelist"),
            tone="warning",
        ),
        Kpi(
            "近 24 小时登录失败记录",
            "shield-exclamation",
            AccessAttempt.objects.filter(attempt_time__gte=now - dt.timedelta(hours=24)).count(),
            "条",
            url=_reverse_or_blank("admin:axes_accessattempt_changelist"),
            tone="amber",
        ),
    ]


def audit_chain_status(*, actor) -> dict:
    """Chain length, head hash and the last verification (an ``audit.verify`` event), for the audit admin."""
    from apps.common.models import AuditChainHead, AuditEvent

    if not actor.has_perm("common.view_auditevent"):
        return {}
    head = AuditChainHead.objects.filter(pk=1).first()
    last_verify = AuditEvent.objects.filter(action="audit.verify").order_by("-seq").first()
    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return {
        "length": head.last_seq if head else 0,
        "head_hash": head.last_hash if head else "",
        "last_verify": last_verify,
        "events_today": AuditEvent.objects.filter(occurred_at__gte=today).count(),
    }


def inspector_open_tasks(*, actor) -> list | None:
    """The inspector's open tasks; None while the inspections app (and its selector) does not exist yet."""
    if not _app_installed("inspections"):
        return None
    try:
        fn = import_string("apps.inspections.selectors.task_list_for_inspector")
    except ImportError:
        return None
    return list(fn(actor=actor)[:50])
