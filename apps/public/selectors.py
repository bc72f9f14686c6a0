"""Reads of the 一公开 portal (no actor: what is published is public).

The enterprise lookup reads the registry (name, USCC, township, business type and address, as printed on a licence)
and then asks every registered portal section what it publishes about the businesses found; the current risk grade
is added only when the city publishes grades (settings.PUBLIC_SHOW_RISK_GRADE). A fixed number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings

from apps.common.portal import PortalRecord, portal_sections
from apps.enterprises.models import Enterprise
from apps.enterprises.selectors import public_enterprise_lookup
from apps.risk.choices import Grade
from apps.risk.selectors import current_grades

LOOKUP_LIMIT = 20


@dataclass
class LookupRow:
    enterprise: Enterprise
    records: list[PortalRecord] = field(default_factory=list)
    grade: str = ""
    grade_label: str = ""


@dataclass
class Lookup:
    rows: list[LookupRow]
    truncated: bool  # more than LOOKUP_LIMIT matched
    show_grade: bool


def show_risk_grade() -> bool:
    return bool(getattr(settings, "PUBLIC_SHOW_RISK_GRADE", False))


def enterprise_lookup(q: str, *, limit: int = LOOKUP_LIMIT) -> Lookup:
    """Businesses whose name contains ``q`` or whose USCC is ``q`` (case-insensitive), with what is published."""
    q = (q or "").strip()
    show_grade = show_risk_grade()
    if not q:
        return Lookup([], False, show_grade)
    found = public_enterprise_lookup(q, limit=limit + 1)
    truncated = len(found) > limit
    rows = [LookupRow(e) for e in found[:limit]]
    ids = [r.enterprise.pk for r in rows]
    if ids:
        for section in portal_sections():
            if section.enterprise_records is None:
                continue
            published = section.enterprise_records(ids)
            for row in rows:
                row.records.extend(published.get(row.enterprise.pk, []))
        for row in rows:
            row.records.sort(key=lambda r: (r.on is not None, r.on), reverse=True)
        if show_grade:
            grades = current_grades(ids)
            labels = dict(Grade.choices)
            for row in rows:
                row.grade = grades.get(row.enterprise.pk, "")
                row.grade_label = labels.get(row.grade, "")
    return Lookup(rows, truncated, show_grade)
