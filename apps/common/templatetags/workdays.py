"""``{% load workdays %}{% calendar_warning deadline %}``: the warning beside a deadline computed in a year whose
holiday schedule is not loaded (Monday–Friday fallback). One calendar per template render, so a list page pays
at most one query per year, not one per row."""

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.html import format_html

from apps.common.workdays import WorkdayCalendar, calendar_warnings

register = template.Library()


@register.simple_tag(takes_context=True)
def calendar_warning(context, *days):
    dates = [d for d in days if isinstance(d, dt.date)]
    if not dates:
        return ""
    calendar = context.render_context.get("_workday_calendar")
    if calendar is None:
        calendar = context.render_context["_workday_calendar"] = WorkdayCalendar()
    warnings = calendar_warnings([timezone.localdate(), *dates], calendar=calendar)
    if not warnings:
        return ""
    return format_html(
        '<div class="small text-warning-emphasis calendar-warning"><i class="bi bi-calendar-x" aria-hidden="true"></i> {}</div>',
        "；".join(warnings),
    )
