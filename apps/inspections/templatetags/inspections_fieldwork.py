"""Template tags of the fieldwork: the township home page's overdue-rectification card."""

from django import template

from ..fieldwork.selectors import overdue_rectification_counts

register = template.Library()


@register.inclusion_tag("inspections/_home_overdue.html", takes_context=True)
def home_overdue_rectifications(context):
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if user is None or not user.has_perm("inspections.view_rectification"):
        return {"overdue_rectifications": None}
    return {"overdue_rectifications": overdue_rectification_counts(actor=user)}
