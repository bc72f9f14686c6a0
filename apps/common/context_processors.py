"""Layout context: the main menu (apps.common.navigation, contributed by each app), site name, lockout policy."""

import datetime as dt

from django.conf import settings

from .navigation import nav_groups, nav_items_for


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
    items = nav_items_for(request)
    return {
        "nav_items": items,
        "nav_groups": nav_groups(items, request),
        "DEMO_MODE": getattr(settings, "DEMO_MODE", False),
        "SITE_NAME": "海宁市食品安全监管平台",
        "LOCKOUT_MINUTES": _lockout_minutes(),
        "LOCKOUT_FAILURES": getattr(settings, "AXES_FAILURE_LIMIT", 5),
    }
