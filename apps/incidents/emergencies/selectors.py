"""All reads of food-safety incidents. Lists start from ``Incident.objects.visible_to(actor)`` through
``IncidentFilterSet``; pages, API and export share them. The clocks are hours, not working days (a first report
is due 2 hours after the city learns of an incident, at night and on holidays too)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count
from django.utils import timezone

from apps.common import refs
from apps.common.filters import filter_queryset

from ..models.emergencies import Incident, IncidentStatus, ReportKind
from ..timeliness import on_time_counts
from .choices import FirstReportState
from .filters import IncidentFilterSet, first_report_q
from .rules import criteria_in_force, rules_in_force, suggestion_for

FR = FirstReportState


def incident_list(*, actor, filters=None):
    qs = Incident.objects.visible_to(actor).select_related("township")
    return filter_queryset(IncidentFilterSet, qs, filters)


def incident_get(*, actor, pk):
    return Incident.objects.visible_to(actor).select_related("township", "level_confirmed_by").get(pk=pk)


def incident_events(incident):
    return list(incident.events.select_related("actor").order_by("at", "id"))


def incident_reports(incident):
    return list(incident.reports.select_related("by").order_by("submitted_at", "id"))


def incident_actions(incident):
    return list(incident.actions.select_related("by").order_by("at", "id"))


def incident_enterprises(incident, *, actor):
    """Linked enterprises; those outside ``actor``'s scope are named but not linked (the page shows the name)."""
    from apps.enterprises.models import Enterprise

    visible = set(
        Enterprise.objects.visible_to(actor)
        .filter(pk__in=incident.enterprises.values("pk"))
        .values_list("pk", flat=True)
    )
    return [(e, e.pk in visible) for e in incident.enterprises.order_by("name")]


def incident_links(incident, *, actor) -> list[dict]:
    """Linked records of other apps (samples), each ``{"label", "url"}`` through apps.common.refs."""
    rows = list(incident.links.all())
    found = refs.resolve([r.ref for r in rows], actor=actor)
    return [found[r.ref] for r in rows]


# ---------------------------------------------------------------------------------------------------- clocks
STATE_LABELS = {
    "on_time": ("按时初报", "success"),
    "late": ("超时初报", "warning"),
    "running": ("待初报", "info"),
    "overdue": ("已超时未初报", "danger"),
}


@dataclass(frozen=True)
class FirstReportClock:
    due: dt.datetime | None
    done_at: dt.datetime | None
    state: str  # on_time | late | running | overdue
    seconds_left: int  # > 0 while running; < 0 (overdue by) when overdue; 0 when done

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state][0]

    @property
    def tone(self) -> str:
        return STATE_LABELS[self.state][1]

    @property
    def time_text(self) -> str:
        """剩余 1 小时 05 分 / 已超时 3 小时 10 分 / "" when done."""
        if self.state in ("on_time", "late"):
            return ""
        minutes = abs(self.seconds_left) // 60
        days, rest = divmod(minutes, 24 * 60)
        hours, mins = divmod(rest, 60)
        text = (f"{days} 天 " if days else "") + f"{hours} 小时 {mins:02d} 分"
        return f"剩余 {text}" if self.state == "running" else f"已超时 {text}"


def first_report_clock(incident, *, now: dt.datetime | None = None) -> FirstReportClock:
    now = now or timezone.now()
    due, done = incident.first_report_due, incident.first_reported_at
    if done is not None:
        return FirstReportClock(due, done, "on_time" if due is None or done <= due else "late", 0)
    left = int((due - now).total_seconds()) if due else 0
    return FirstReportClock(due, None, "running" if left >= 0 else "overdue", left)


@dataclass(frozen=True)
class NextClock:
    label: str
    due: dt.datetime
    overdue: bool


def other_clocks(incident, *, now: dt.datetime | None = None) -> list[NextClock]:
    """续报 and 终报 clocks, only when the rules in force configure them (DOMAIN.md §6 gives neither)."""
    now = now or timezone.now()
    rules = rules_in_force(timezone.localtime(incident.learned_at).date())
    out = []
    if incident.status == IncidentStatus.HANDLING and rules.followup_interval_hours:
        last = incident.reports.order_by("-submitted_at").first()
        if last:
            due = last.submitted_at + dt.timedelta(hours=rules.followup_interval_hours)
            out.append(NextClock("下次续报", due, now > due))
    if incident.final_reported_at is None and rules.final_report_days:
        due = incident.learned_at + dt.timedelta(days=rules.final_report_days)
        out.append(NextClock("终报", due, now > due))
    return out


def incident_suggestion(incident):
    return suggestion_for(incident)


def grading_criteria_for(incident):
    return criteria_in_force(timezone.localtime(incident.learned_at).date())


# ---------------------------------------------------------------------------------------------------- figures
def first_report_timeliness_years(actor, *, years) -> dict[int, dict[int | None, tuple[int, int]]]:
    """{year: {township_id or None: (on_time, total)}}: incidents learned of in each of ``years`` whose first report
    was submitted, or whose deadline has passed without it; on time = submitted at or before the deadline. ``None``
    is incidents with no township (city-level). The conditions of the list filter ``first_report=on_time|counted``;
    one query."""
    now = timezone.now()
    return on_time_counts(
        Incident.objects.visible_to(actor),
        field="learned_at",
        years=years,
        on_time=first_report_q(FirstReportState.ON_TIME, now),
        counted=first_report_q(FirstReportState.COUNTED, now),
    )


def first_report_timeliness(actor, *, year: int) -> dict[int | None, tuple[int, int]]:
    """``first_report_timeliness_years`` of one year."""
    return first_report_timeliness_years(actor, years=[year])[year]


def first_report_clock_counts(*, actor, township_id=None) -> tuple[int, int]:
    """(overdue, pending) first reports of the incidents ``actor`` sees: the counts of the list's
    ``?first_report=overdue`` / ``?first_report=pending`` (the same ``first_report_q``), ``township_id`` its
    ``?township=``; one query."""
    now = timezone.now()
    qs = Incident.objects.visible_to(actor).order_by()
    if township_id is not None:
        qs = qs.filter(township_id=township_id)
    out = qs.aggregate(
        overdue=Count("pk", filter=first_report_q(FR.OVERDUE, now)),
        pending=Count("pk", filter=first_report_q(FR.PENDING, now)),
    )
    return out["overdue"], out["pending"]


def pending_first_report_count(actor) -> int:
    """Incidents without a 初报, inside or past the 2-hour window (list filter ``first_report=pending``)."""
    return Incident.objects.visible_to(actor).filter(first_report_q(FR.PENDING, timezone.now())).count()


def reported_kinds(incident) -> set[str]:
    return set(incident.reports.values_list("kind", flat=True))


def report_kinds_allowed(incident) -> list[tuple[str, str]]:
    """Which report the next one may be (the form offers only these)."""
    if incident.status == IncidentStatus.CLOSED:
        return []
    kinds = reported_kinds(incident)
    if ReportKind.FINAL in kinds:
        return []
    if ReportKind.INITIAL not in kinds:
        return [(ReportKind.INITIAL, ReportKind.INITIAL.label)]
    return [(ReportKind.FOLLOWUP, ReportKind.FOLLOWUP.label), (ReportKind.FINAL, ReportKind.FINAL.label)]
