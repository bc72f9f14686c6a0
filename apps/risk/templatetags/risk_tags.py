from django import template
from django.utils.html import format_html

from ..choices import Grade

register = template.Library()

GRADE_LABELS = dict(Grade.choices)


@register.simple_tag
def grade_badge(grade, size=""):
    """A coloured A–D badge (text and colour, so it reads without colour too)."""
    if not grade:
        return format_html('<span class="badge grade-badge grade-none">未评级</span>')
    return format_html(
        '<span class="badge grade-badge grade-{}{}" title="{}">{}</span>',
        grade,
        f" grade-badge-{size}" if size else "",
        GRADE_LABELS.get(grade, grade),
        f"{grade} 级" if size != "lg" else grade,
    )


@register.filter
def points(value):
    """12.0 → 12, 12.5 → 12.5, None → —."""
    if value is None or value == "":
        return "—"
    try:
        f = float(value)
    except (TypeError, ValueError):
        return value
    return int(f) if f == int(f) else f


@register.inclusion_tag("risk/_home_counts.html", takes_context=True)
def risk_coverage_counts(context):
    """Per-township coverage-debt counts for a home page: ``{% load risk_tags %}{% risk_coverage_counts %}``."""
    from ..coverage import coverage_debt_counts

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.has_perm("risk.view_riskassessment"):
        return {"counts": None}
    return {"counts": coverage_debt_counts(user)}


@register.filter
def get(mapping, key):
    """``{{ totals|get:g }}``: a dict value by a variable key."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None
