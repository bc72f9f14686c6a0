"""Navigation by role: each entry names the permission that shows it, so adding an app adds a line here."""

from django.conf import settings
from django.urls import NoReverseMatch, reverse

# (label, url name, permission or None for any logged-in user)
NAV_ITEMS = [
    ("首页", "home", None),
    ("检查对象名录", "enterprises:list", "enterprises.view_enterprise"),
    ("风险分级", "risk:overview", "risk.view_riskassessment"),
    ("双随机抽查", "inspections:plans", "inspections.view_drawplan"),
    ("我的任务", "inspections:my_tasks", "inspections.add_inspectionresult"),
    ("后台任务", "jobs:list", "common.view_job"),
    ("审计日志", "audit:list", "common.view_auditevent"),
    ("接口文档", "api-docs", None),
    ("系统管理", "admin:index", "__staff__"),
]


def navigation(request):
    user = getattr(request, "user", None)
    items = []
    if user is not None and user.is_authenticated:
        for label, name, perm in NAV_ITEMS:
            if perm == "__staff__":
                if not user.is_staff:
                    continue
            elif perm and not user.has_perm(perm):
                continue
            try:
                url = reverse(name)
            except NoReverseMatch:
                continue  # the app that serves it is not installed yet
            items.append(
                {
                    "label": label,
                    "url": url,
                    "active": request.path == url or (url != "/" and request.path.startswith(url)),
                }
            )
    return {
        "nav_items": items,
        "DEMO_MODE": getattr(settings, "DEMO_MODE", False),
        "SITE_NAME": "海宁市食品安全监管平台",
    }
