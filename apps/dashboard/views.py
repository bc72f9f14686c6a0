"""The home page of each role (templates/dashboard/<role code>.html): figures, quick links, warnings."""

from django.apps import apps
from django.urls import NoReverseMatch, reverse

from apps.accounts import selectors as accounts_selectors
from apps.accounts.roles import primary_role
from apps.common import selectors as common_selectors
from apps.common.viewmixins import ScopedPageView
from apps.common.workdays import missing_calendar_years
from apps.inspections.fieldwork.selectors import task_list_for_inspector
from apps.sampling.fieldwork.selectors import my_open_tasks
from apps.sampling.lab import selectors as lab_selectors

from . import figures


def _link(label, description, icon, url_name, perm=None, *, args=None):
    return {"label": label, "description": description, "icon": icon, "url_name": url_name, "perm": perm, "args": args}


# The "常用功能" cards of each home page (a link whose permission's app is not installed yet is shown disabled).
QUICK_LINKS = {
    "township_staff": (
        _link(
            "本镇街驾驶舱",
            "本镇街指标与目标、趋势与临期时钟",
            "graph-up",
            "dashboard:city",
            "dashboard.view_leadership",
        ),
        _link(
            "检查对象名录",
            "本镇街食品生产经营者名录、导入导出",
            "building",
            "enterprises:list",
            "enterprises.view_enterprise",
        ),
        _link("风险分级", "本镇街风险等级与检查频次", "speedometer2", "risk:overview", "risk.view_riskassessment"),
        _link(
            "整改跟踪",
            "责令整改事项与复查",
            "arrow-repeat",
            "inspections:rectifications",
            "inspections.view_rectification",
        ),
        _link("后台任务", "导入、导出等任务进度", "hourglass-split", "jobs:list", "common.view_job"),
    ),
    "inspector": (
        _link(
            "我的任务",
            "分配给我的检查任务",
            "clipboard-check",
            "inspections:my_tasks",
            "inspections.add_inspectionresult",
        ),
        _link("检查对象查询", "任务涉及的检查对象", "building", "enterprises:list", "enterprises.view_enterprise"),
    ),
    "sampler": (
        _link(
            "抽样任务",
            "本机构的抽样任务：现场填写抽样单",
            "clipboard-check",
            "sampling:task_list",
            "sampling.view_samplingtask",
        ),
        _link(
            "样品与抽样单",
            "本机构已填写的抽样单，打印 5 联",
            "box-seam",
            "sampling:sample_list",
            "sampling.view_sample",
        ),
    ),
    "lab_staff": (
        _link(
            "送检样品", "送本机构检验的样品：接收、录入结果", "box-seam", "sampling:lab_samples", "sampling.view_sample"
        ),
        _link("后台任务", "导入等任务进度", "hourglass-split", "jobs:list", "common.view_job"),
    ),
    "city_staff": (
        _link("领导驾驶舱", "全市指标与目标、镇街对比", "graph-up", "dashboard:city", "dashboard.view_leadership"),
        _link("双随机抽查", "抽查计划、摇号与结果公示", "shuffle", "inspections:plans", "inspections.view_drawplan"),
        _link("检查对象名录", "全市食品生产经营者名录", "building", "enterprises:list", "enterprises.view_enterprise"),
        _link("风险分级", "分级方案与全市等级分布", "speedometer2", "risk:overview", "risk.view_riskassessment"),
        _link(
            "工作日历",
            "节假日安排与调休上班日（公示、整改时限按工作日计算）",
            "calendar-week",
            "calendar:index",
            "common.change_calendaroverride",
        ),
        _link("后台任务", "导入、摇号、报表任务进度", "hourglass-split", "jobs:list", "common.view_job"),
    ),
    "city_leader": (
        _link(
            "领导驾驶舱",
            "指标与目标、五年趋势、镇街对比与临期时钟",
            "graph-up",
            "dashboard:city",
            "dashboard.view_leadership",
        ),
        _link("风险分级", "全市风险等级分布", "speedometer2", "risk:overview", "risk.view_riskassessment"),
        _link("检查对象名录", "全市食品生产经营者名录", "building", "enterprises:list", "enterprises.view_enterprise"),
    ),
    "complaint_officer": (
        _link(
            "投诉举报", "受理、办理、反馈与奖励", "chat-square-text", "incidents:complaints", "incidents.view_complaint"
        ),
    ),
    "sys_admin": (
        _link("用户管理", "账户、角色与所属镇街", "people", "admin:accounts_user_changelist", "accounts.view_user"),
        _link(
            "镇街", "镇街名称、类型与排序", "geo-alt", "admin:accounts_township_changelist", "accounts.view_township"
        ),
        _link(
            "常住人口",
            "各镇街常住人口（配额与千人指标的分母）",
            "bar-chart",
            "admin:accounts_townshippopulation_changelist",
            "accounts.view_townshippopulation",
        ),
        _link(
            "工作日历",
            "录入国务院办公厅公布的节假日与调休上班日（表单或 Excel）",
            "calendar-week",
            "calendar:index",
            "common.change_calendaroverride",
        ),
        _link(
            "工作日调整（后台）",
            "逐日查看与修改已录入的调整",
            "calendar3",
            "admin:common_calendaroverride_changelist",
            "common.view_calendaroverride",
        ),
        _link("后台任务", "全部后台任务状态", "hourglass-split", "jobs:list", "common.view_job"),
    ),
    "security_admin": (
        _link(
            "接口客户端",
            "省级平台令牌、权限范围与吊销",
            "plug",
            "admin:accounts_apiclient_changelist",
            "accounts.view_apiclient",
        ),
        _link(
            "登录锁定",
            "连续失败被锁定的账户；删除记录即解锁",
            "lock",
            "admin:axes_accessattempt_changelist",
            "axes.view_accessattempt",
        ),
        _link(
            "登录记录",
            "成功登录与退出记录",
            "box-arrow-in-right",
            "admin:axes_accesslog_changelist",
            "axes.view_accesslog",
        ),
        _link("账户查看", "账户状态（只读）", "people", "admin:accounts_user_changelist", "accounts.view_user"),
        _link("接口文档", "交给对接方的 OpenAPI 文档", "code-square", "api-docs", "accounts.view_apiclient"),
    ),
    "audit_admin": (
        _link("审计日志", "按事件、对象、操作人筛选", "journal-text", "audit:list", "common.view_auditevent"),
        _link(
            "审计事件（后台）",
            "逐条查看变更前后内容（只读）",
            "search",
            "admin:common_auditevent_changelist",
            "common.view_auditevent",
        ),
    ),
}


def _app_installed(app_label: str) -> bool:
    return any(cfg.label == app_label for cfg in apps.get_app_configs())


def quick_links(user, role_code: str) -> list[dict]:
    """Links of the role the user may follow; a link whose app is not installed yet is shown disabled."""
    out = []
    for link in QUICK_LINKS.get(role_code, ()):
        if link["perm"] and not user.has_perm(link["perm"]):
            # A permission of an app that is not installed does not exist yet: show it as "coming".
            app_label = link["perm"].split(".", 1)[0]
            if _app_installed(app_label):
                continue
        try:
            url = reverse(link["url_name"], args=link["args"])
        except NoReverseMatch:
            url = ""
        out.append({**link, "url": url})
    return out


def _township_staff(user):
    return {
        "townships": accounts_selectors.actor_townships(actor=user),
        "kpis": figures.home_kpis(actor=user, role_code="township_staff"),
        "population": accounts_selectors.township_population_table(actor=user),
    }


def _inspector(user):
    return {
        "townships": accounts_selectors.actor_townships(actor=user),
        "tasks": list(task_list_for_inspector(actor=user)[:50]),
    }


def _sampler(user):
    return {"tasks": list(my_open_tasks(actor=user)[:50])}


def _city_staff(user):
    return {
        "kpis": figures.home_kpis(actor=user, role_code="city_staff"),
        "population": accounts_selectors.township_population_table(actor=user),
        # chinese-calendar knows holidays up to a year; deadlines after it need the city's entries (issue 8 §13)
        "missing_calendar_years": missing_calendar_years(),
        "can_enter_calendar": user.has_perm("common.change_calendaroverride"),
    }


def _city_leader(user):
    population = accounts_selectors.township_population_table(actor=user)
    return {
        "kpis": figures.home_kpis(actor=user, role_code="city_leader"),
        "population": population,
        "township_rows": figures.township_figures(actor=user, population=population),
        "population_totals": list(zip(population["years"], population["totals"], strict=True)),
        "sampling_column": figures.SAMPLING_COLUMN,
    }


def _lab_staff(user):
    """The lab's samples by status, each count linking to the lab list filtered the same way."""
    from apps.sampling.choices import SampleStatus

    counts = lab_selectors.sample_status_counts(actor=user)
    base = reverse("sampling:lab_samples")
    return {
        "labs": lab_selectors.lab_organisations_of(user),
        "status_counts": [
            (label, counts.get(code, 0), f"{base}?status={code}") for code, label in SampleStatus.choices
        ],
    }


def _complaint_officer(user):
    return {"kpis": figures.home_kpis(actor=user, role_code="complaint_officer")}


def _sys_admin(user):
    return {
        "kpis": figures.home_kpis(actor=user, role_code="sys_admin"),
        "missing_calendar_years": missing_calendar_years(),
        "can_enter_calendar": user.has_perm("common.change_calendaroverride"),
    }


def _security_admin(user):
    return {"kpis": figures.home_kpis(actor=user, role_code="security_admin")}


def _audit_admin(user):
    return {"chain": common_selectors.audit_chain_status(actor=user)}


HOME_CONTEXT = {
    "township_staff": _township_staff,
    "inspector": _inspector,
    "sampler": _sampler,
    "city_staff": _city_staff,
    "city_leader": _city_leader,
    "complaint_officer": _complaint_officer,
    "lab_staff": _lab_staff,
    "sys_admin": _sys_admin,
    "security_admin": _security_admin,
    "audit_admin": _audit_admin,
}


class HomeView(ScopedPageView):
    """The signed-in user's home page: the one of their primary role (``default`` without a role)."""

    permission_required = ()  # any signed-in user: each role's figures come from its own scoped selectors

    def get(self, request, *args, **kwargs):
        self.role = primary_role(request.user)
        self.role_code = self.role.code if self.role else "default"
        return super().get(request, *args, **kwargs)

    def get_template_names(self):
        # A role without its own page yet gets the default one (a new role must never answer 500).
        return [f"dashboard/{self.role_code}.html", "dashboard/default.html"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, code = self.request.user, self.role_code
        context.update(role=self.role, links=quick_links(user, code))
        builder = HOME_CONTEXT.get(code)
        if builder:
            context.update(builder(user))
        return context
