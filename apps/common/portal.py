"""The 一公开 portal's contributions: each domain app registers the sections it publishes (AppConfig.ready).

``apps.public`` builds its index from this registry and never names the contributing apps, so a later app (sampling
results, 你点我检 …) adds its section by registering one here — docs/architecture.md, "how to add an app".

* ``PortalSection``: a card on the portal index (title, one line, link, optional count of published rows).
* ``enterprise_records``: optional; given enterprise ids, returns {enterprise id: [PortalRecord]} — what the section
  publishes about each business, shown on the portal's enterprise lookup. A fixed number of queries per call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class PortalRecord:
    """One published row about an enterprise (a result, a sampling report …), as a citizen reads it."""

    title: str  # e.g. "双随机抽查"
    url: str  # its public page
    on: date | None = None  # the date a citizen looks for (inspection / sampling date)
    label: str = ""  # the conclusion in words, e.g. "合格"
    tone: str = "secondary"  # Bootstrap contextual colour of the label: success / warning / danger / secondary


@dataclass(frozen=True)
class PortalSection:
    key: str  # unique, stable ("inspection-results")
    title: str
    description: str
    url_name: str  # reversed by the portal
    icon: str = "globe"  # Bootstrap Icons name
    order: int = 100
    count: Callable[[], int] | None = None  # published rows, shown on the card (and linking to them)
    count_label: str = "条"
    enterprise_records: Callable[[Iterable[int]], dict[int, list[PortalRecord]]] | None = None
    extra: dict = field(default_factory=dict)


_SECTIONS: dict[str, PortalSection] = {}


def register_portal_section(section: PortalSection) -> None:
    """Register (or replace, by key — ready() may run twice in tests) one section of the public portal."""
    _SECTIONS[section.key] = section


def portal_sections() -> list[PortalSection]:
    return sorted(_SECTIONS.values(), key=lambda s: (s.order, s.key))
