"""``{% load menu %}{% main_nav %}``: the main menu (``templates/common/_main_nav.html``) of the request's
``nav_groups`` (the ``navigation`` context processor), rendered once per distinct menu and then reused.

The menu's HTML depends only on the groups and entries the user sees and on which one is current, so the rendered
text is remembered under exactly that (labels, icons, URLs, active flags): two users with the same permissions on
the same page share it, a permission change gives another key. Not remembered under ``DEBUG`` (templates edited
while the server runs)."""

from django import template
from django.conf import settings
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

register = template.Library()

TEMPLATE = "common/_main_nav.html"
_RENDERED: dict[tuple, str] = {}
MAX_MENUS = 512  # distinct (permissions × current page) menus kept per process


def _key(groups) -> tuple:
    return tuple(
        (
            g["label"],
            g["icon"],
            g["active"],
            g["single"],
            tuple((i["label"], i["url"], i["icon"], i["active"]) for i in g["items"]),
        )
        for g in groups
    )


@register.simple_tag(takes_context=True)
def main_nav(context):
    groups = context.get("nav_groups") or []
    if settings.DEBUG:
        return mark_safe(render_to_string(TEMPLATE, {"nav_groups": groups}))
    key = _key(groups)
    html = _RENDERED.get(key)
    if html is None:
        html = render_to_string(TEMPLATE, {"nav_groups": groups})
        if len(_RENDERED) >= MAX_MENUS:
            _RENDERED.clear()
        _RENDERED[key] = html
    return mark_safe(html)  # noqa: S308 - the template's own (auto-escaped) output
