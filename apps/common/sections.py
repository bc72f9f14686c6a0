"""Detail-page sections contributed by other apps (a lower app shows what higher apps know about its record).

The enterprise page (apps/enterprises) shows the risk grade, tasks, inspections, rectifications and publications,
but ``enterprises`` sits below ``risk`` and ``inspections`` and imports neither. Each owning app registers a section
provider in its ``AppConfig.ready()``:

    from apps.common import sections
    sections.register("enterprise", "risk", provider, order=10)

    def provider(*, actor, obj) -> dict | None:   # None: nothing to show to this actor
        return {"title": "风险等级", "template": "risk/_enterprise_section.html", "context": {...}, "slot": "summary"}

The page calls ``sections.render_sections("enterprise", request, ent)`` → ``{slot: [html, ...]}`` and places each
slot (the enterprise page has "summary", beside the basic information, and "main", below the licences). Providers read through their app's selectors (scoped to ``actor``), with a constant
number of queries.
"""

from __future__ import annotations

from collections.abc import Callable

_PROVIDERS: dict[str, dict[str, tuple[int, Callable]]] = {}


def register(page: str, key: str, provider: Callable, *, order: int = 50) -> None:
    _PROVIDERS.setdefault(page, {})[key] = (order, provider)


def unregister(page: str, key: str) -> None:
    _PROVIDERS.get(page, {}).pop(key, None)


def sections_for(page: str, *, actor, obj) -> list[dict]:
    """The sections of ``page`` for ``obj`` as ``actor`` sees them, in ``order``; each dict has ``key``, ``title``,
    ``template`` and ``context``."""
    out = []
    for key, (_order, provider) in sorted(_PROVIDERS.get(page, {}).items(), key=lambda kv: (kv[1][0], kv[0])):
        section = provider(actor=actor, obj=obj)
        if section:
            out.append({"key": key, **section})
    return out


def render_sections(page: str, request, obj) -> dict[str, list]:
    """The sections rendered to HTML, grouped by their ``slot`` (default "main"): ``{slot: [html, ...]}``."""
    from django.template.loader import render_to_string

    out: dict[str, list] = {}
    for section in sections_for(page, actor=request.user, obj=obj):
        html = render_to_string(section["template"], section.get("context") or {}, request=request)
        out.setdefault(section.get("slot", "main"), []).append(html)
    return out
