"""Sections this app contributes to other apps' detail pages (apps.common.sections)."""

from __future__ import annotations

from django.utils import timezone


def enterprise_risk_section(*, actor, obj) -> dict | None:
    from .selectors import enterprise_risk_summary

    summary = enterprise_risk_summary(actor=actor, enterprise_id=obj.pk)
    if summary is None:
        return None
    today = timezone.localdate()
    state = summary["coverage"]
    return {
        "title": "风险等级",
        "template": "risk/_enterprise_section.html",
        "slot": "summary",
        "context": {
            **summary,
            "enterprise": obj,
            "overdue_days": (today - state.next_due).days if state and state.next_due < today else 0,
        },
    }


def register() -> None:
    from apps.common import sections

    sections.register("enterprise", "risk", enterprise_risk_section, order=10)
