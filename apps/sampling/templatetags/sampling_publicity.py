"""Template filters of sampling/publicity: a result item's limit and value as printed on the public pages."""

from django import template

from ..publicity.exports import limit_text, result_text

register = template.Library()


@register.filter
def item_limit(item) -> str:
    return limit_text(item)


@register.filter
def item_value(item) -> str:
    return result_text(item)
