"""Navigation by role: each entry names the permission that shows it, so adding an app adds a line here."""

import datetime as dt

from django.conf import settings
from django.urls import NoReverseMatch, reverse

# (label, url name, permission or None for any logged-in user[, Bootstrap Icons name])
# The icon is optional: without it NAV_ICONS (by url name) or a neutral default is used.
NAV_ITEMS = [
    ("首页", "home", None),
    ("检查对象名录", "enterprises:list", "enterprises.view_enterprise"),
    ("风险分级", "risk:overview", "risk.view_riskassessment"),
    ("双随机抽查", "inspections:plans", "inspections.view_drawplan"),
    ("我的任务", "inspections:my_tasks", "inspections.add_inspectionresult"),
    ("检查任务", "inspections:tasks", "inspections.view_publication"),  # staff: tasks, rectification, publication
    ("后台任务", "jobs:list", "common.view_job"),
    ("审计日志", "audit:list", "common.view_auditevent"),
    ("接口文档", "api-docs", None),
    ("系统管理", "admin:index", "__staff__"),
]

NAV_ICONS = {
    "home": "house-door",
    "enterprises:list": "building",
    "risk:overview": "speedometer2",
    "inspections:plans": "shuffle",
    "inspections:my_tasks": "clipboard-check",
    "inspections:tasks": "clipboard-data",
    "jobs:list": "hourglass-split",
    "audit:list": "journal-text",
    "api-docs": "code-square",
    "admin:index": "gear",
}
DEFAULT_NAV_ICON = "chevron-right"


def _lockout_minutes() -> int:
    """Minutes an account stays locked (AXES_COOLOFF_TIME is hours or a timedelta); 0 if not a fixed time."""
    value = getattr(settings, "AXES_COOLOFF_TIME", 0.5)
    if isinstance(value, dt.timedelta):
        return int(value.total_seconds() // 60)
    try:
        return int(round(float(value) * 60))
    except (TypeError, ValueError):  # a callable cool-off: the page says "一段时间"
        return 0


def navigation(request):
    user = getattr(request, "user", None)
    items = []
    if user is not None and user.is_authenticated:
        for label, name, perm, *rest in NAV_ITEMS:
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
                    "icon": rest[0] if rest else NAV_ICONS.get(name, DEFAULT_NAV_ICON),
                    "active": request.path == url or (url != "/" and request.path.startswith(url)),
                }
            )
    return {
        "nav_items": items,
        "DEMO_MODE": getattr(settings, "DEMO_MODE", False),
        "SITE_NAME": "海宁市食品安全监管平台",
        "LOCKOUT_MINUTES": _lockout_minutes(),
        "LOCKOUT_FAILURES": getattr(settings, "AXES_FAILURE_LIMIT", 5),
    }
