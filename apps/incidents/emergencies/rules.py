"""The configuration in force (``IncidentGradingCriteria``, ``IncidentRules``) and the level suggestion.

Defaults when no row is in force are the DOMAIN.md §6 values (the data migration writes the same rows)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..models.emergencies import IncidentGradingCriteria, IncidentLevel, IncidentRules

DEFAULT_EFFECTIVE_FROM = dt.date(2011, 1, 1)
L = IncidentLevel


def criteria_in_force(on: dt.date) -> IncidentGradingCriteria:
    return IncidentGradingCriteria.objects.in_force(on) or IncidentGradingCriteria(
        effective_from=DEFAULT_EFFECTIVE_FROM
    )


def rules_in_force(on: dt.date) -> IncidentRules:
    return IncidentRules.objects.in_force(on) or IncidentRules(effective_from=DEFAULT_EFFECTIVE_FROM)


@dataclass(frozen=True)
class Suggestion:
    level: str  # an IncidentLevel value, or "" (below every threshold)
    reasons: tuple[str, ...]

    @property
    def label(self) -> str:
        return IncidentLevel(self.level).label if self.level else "未达到分级标准"


def suggest_level(
    criteria: IncidentGradingCriteria,
    *,
    affected: int,
    dead: int,
    schools: bool = False,
    townships: int = 1,
    major_event: bool = False,
) -> Suggestion:
    """The gravest level whose criteria (any one) the counts meet. Ⅰ级 is never suggested (cross-province: staff
    decide). Each threshold is "at least": a count equal to it meets it."""
    c = criteria
    ii = []
    if dead >= c.ii_deaths:
        ii.append(f"死亡 {dead} 人（≥{c.ii_deaths}）")
    if dead > 0 and affected >= c.ii_affected_with_deaths:
        ii.append(f"涉及 {affected} 人且有死亡（≥{c.ii_affected_with_deaths}）")
    if schools and affected >= c.ii_school_affected:
        ii.append(f"学校食物中毒涉及 {affected} 人（≥{c.ii_school_affected}）")
    if major_event and affected >= c.ii_major_event_affected:
        ii.append(f"重大活动或会议期间涉及 {affected} 人（≥{c.ii_major_event_affected}）")
    if ii:
        return Suggestion(L.II, tuple(ii))
    iii = []
    if affected >= c.iii_affected:
        iii.append(f"涉及 {affected} 人（≥{c.iii_affected}）")
    if dead >= c.iii_deaths:
        iii.append(f"死亡 {dead} 人（≥{c.iii_deaths}）")
    if iii:
        return Suggestion(L.III, tuple(iii))
    iv = []
    if affected >= c.iv_affected:
        iv.append(f"涉及 {affected} 人（≥{c.iv_affected}）")
    if townships >= c.iv_townships:
        iv.append(f"涉及 {townships} 个镇街（≥{c.iv_townships}）")
    if iv:
        return Suggestion(L.IV, tuple(iv))
    return Suggestion("", ())


def suggestion_for(incident) -> Suggestion:
    """The suggestion for an incident under the criteria in force on the day it was learned of."""
    from django.utils import timezone

    criteria = criteria_in_force(timezone.localtime(incident.learned_at).date())
    return suggest_level(
        criteria,
        affected=incident.affected_count,
        dead=incident.dead_count,
        schools=incident.schools_involved,
        townships=incident.townships_count,
        major_event=incident.major_event,
    )
