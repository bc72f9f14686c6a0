"""Login and the home page of each role (templates/home/<role code>.html)."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from . import selectors_home
from .forms import LoginForm
from .roles import ADMIN_ROLE_CODES, ROLE_BY_CODE, primary_role, role_codes_for

# SECURITY.md SESS-01: idle logout after 30 minutes (SESSION_COOKIE_AGE), 15 for the three admin roles.
ADMIN_IDLE_SECONDS = getattr(settings, "ADMIN_SESSION_IDLE_SECONDS", 15 * 60)


class LoginView(auth_views.LoginView):
    """Django's login (which cycles the session key: no fixation) behind django-axes (lockout per username)."""

    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        if set(role_codes_for(form.get_user())) & ADMIN_ROLE_CODES:
            self.request.session.set_expiry(ADMIN_IDLE_SECONDS)
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if getattr(settings, "DEMO_MODE", False):
            from .services import DEMO_ACCOUNTS

            context["demo_accounts"] = [
                {"username": username, "role": ROLE_BY_CODE[code].label} for username, _, code, _ in DEMO_ACCOUNTS
            ]
        return context


# ------------------------------------------------------------------ home pages
def _link(label, description, icon, url_name, perm=None, *, args=None):
    return {"label": label, "description": description, "icon": icon, "url_name": url_name, "perm": perm, "args": args}


QUICK_LINKS = {
    "township_staff": (
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
        _link("后台任务", "我发起的任务进度", "hourglass-split", "jobs:list", "common.view_job"),
    ),
    "city_staff": (
        _link("双随机抽查", "抽查计划、摇号与结果公示", "shuffle", "inspections:plans", "inspections.view_drawplan"),
        _link("检查对象名录", "全市食品生产经营者名录", "building", "enterprises:list", "enterprises.view_enterprise"),
        _link("风险分级", "分级方案与全市等级分布", "speedometer2", "risk:overview", "risk.view_riskassessment"),
        _link("后台任务", "导入、摇号、报表任务进度", "hourglass-split", "jobs:list", "common.view_job"),
    ),
    "city_leader": (
        _link("风险分级", "全市风险等级分布", "speedometer2", "risk:overview", "risk.view_riskassessment"),
        _link("检查对象名录", "全市食品生产经营者名录", "building", "enterprises:list", "enterprises.view_enterprise"),
    ),
    "complaint_officer": (
        _link(
            "投诉举报", "受理、办理、反馈与奖励", "chat-square-text", "incidents:complaints", "incidents.view_complaint"
        ),
        _link("后台任务", "我发起的任务进度", "hourglass-split", "jobs:list", "common.view_job"),
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
            "工作日调整",
            "覆盖法定节假日日历的特殊安排",
            "calendar-week",
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


def quick_links(user, role_code: str) -> list[dict]:
    """Links of the role the user may follow; a link whose app is not installed yet is shown disabled."""
    out = []
    for link in QUICK_LINKS.get(role_code, ()):
        if link["perm"] and not user.has_perm(link["perm"]):
            # A permission of an app that is not installed does not exist yet: show it as "coming".
            app_label = link["perm"].split(".", 1)[0]
            if selectors_home._app_installed(app_label):
                continue
        try:
            url = reverse(link["url_name"], args=link["args"])
        except NoReverseMatch:
            url = ""
        out.append({**link, "url": url})
    return out


def _township_staff(user):
    return {
        "townships": selectors_home.actor_townships(actor=user),
        "kpis": selectors_home.home_kpis(actor=user, role_code="township_staff"),
        "population": selectors_home.township_population_table(actor=user),
    }


def _inspector(user):
    return {
        "townships": selectors_home.actor_townships(actor=user),
        "tasks": selectors_home.inspector_open_tasks(actor=user),
    }


# Per-township figures of later apps (registry, inspections, sampling): columns shown as "—" until they exist.
LEADER_TOWNSHIP_COLUMNS = ("检查对象", "抽查完成率", "抽检批次/千人")


def _city(role_code):
    def build(user):
        context = {
            "kpis": selectors_home.home_kpis(actor=user, role_code=role_code),
            "population": selectors_home.township_population_table(actor=user),
        }
        if role_code == "city_leader":
            context["township_columns"] = LEADER_TOWNSHIP_COLUMNS
        return context

    return build


def _complaint_officer(user):
    return {"kpis": selectors_home.home_kpis(actor=user, role_code="complaint_officer")}


def _sys_admin(user):
    return {"kpis": selectors_home.sys_admin_kpis(actor=user)}


def _security_admin(user):
    return {"kpis": selectors_home.security_admin_kpis(actor=user)}


def _audit_admin(user):
    return {"chain": selectors_home.audit_chain_status(actor=user)}


HOME_CONTEXT = {
    "township_staff": _township_staff,
    "inspector": _inspector,
    "city_staff": _city("city_staff"),
    "city_leader": _city("city_leader"),
    "complaint_officer": _complaint_officer,
    "sys_admin": _sys_admin,
    "security_admin": _security_admin,
    "audit_admin": _audit_admin,
}


@login_required
def home(request):
    role = primary_role(request.user)
    code = role.code if role else "default"
    builder = HOME_CONTEXT.get(code)
    context = {"role": role, "links": quick_links(request.user, code)}
    if builder:
        context.update(builder(request.user))
    return render(request, f"home/{code}.html", context)
