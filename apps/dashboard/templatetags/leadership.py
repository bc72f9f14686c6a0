"""``{% load leadership %}{% lead_value v unit %}``: one measure value of the leadership dashboard (docs/dashboard.md).

The value linked to its rows, the unit, "numerator / denominator" (each linked to its rows where it has a list) and
the note; "—" when there is no value. Written in Python rather than as an included template: the page shows a
value in every cell of the township comparison and the trend (≈ 250 on the city overview), and an ``{% include %}``
per cell was a large share of the page's time. Escaping is ``format_html``'s."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from apps.common.templatetags.numbers import group_digits

register = template.Library()


def _linked(text, url: str, css: str = ""):
    if not url:
        return format_html('<span class="{}">{}</span>', css, text) if css else format_html("{}", text)
    return (
        format_html('<a href="{}" class="{}">{}</a>', url, css, text)
        if css
        else format_html('<a href="{}">{}</a>', url, text)
    )


@register.simple_tag
def lead_value(v, unit=""):
    if not v or v.value is None:
        note = format_html('<span class="d-block small text-muted">{}</span>', v.note) if v and v.note else ""
        return format_html('<span class="text-muted" title="无数据">—</span>{}', note)
    parts = [_linked(group_digits(v.value), v.url, "lead-value")]
    if unit:
        parts.append(format_html(' <small class="text-muted">{}</small>', unit))
    if v.denominator is not None:
        parts.append(
            format_html(
                '<span class="d-block small text-muted lead-parts">{} / {}</span>',
                _linked(group_digits(v.numerator), v.url),
                _linked(group_digits(v.denominator), v.denominator_url),
            )
        )
    if v.note:
        parts.append(format_html('<span class="d-block small text-muted">{}</span>', v.note))
    return mark_safe("".join(parts))  # every part is format_html output
