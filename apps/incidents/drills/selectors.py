"""All reads of emergency plans and drills. Lists start from ``Model.objects.visible_to(actor)`` through the list's
FilterSet (``filters.py``); the pages, the API and the Excel export share them.

Public (read by the assessment, documented in docs/drills.md):

* ``drills_per_township(actor, *, year) -> {township_id | None: int}`` — drills held in ``year`` per township
  (``None``: city-level drills), within the actor's scope. Each number is the row count of the drill list at
  ``?township=<id>|none&year=<year>`` (``drill_list_url``)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.db.models import Count, OuterRef, Prefetch, Subquery
from django.urls import reverse

from apps.common.filters import filter_queryset

from ..models.drills import Drill, DrillAttachment, EmergencyPlan, PlanVersion
from .filters import NONE, DrillFilterSet, PlanFilterSet


def _with_current(qs):
    latest = PlanVersion.objects.filter(plan=OuterRef("pk"), number__isnull=False).order_by("-number")
    return qs.annotate(
        current_number=Subquery(latest.values("number")[:1]),
        current_issued_on=Subquery(latest.values("issued_on")[:1]),
        current_version_id=Subquery(latest.values("pk")[:1]),
    )


def plan_list(*, actor, filters=None):
    qs = _with_current(EmergencyPlan.objects.visible_to(actor).select_related("township"))
    return filter_queryset(PlanFilterSet, qs, filters)


def plan_get(*, actor, pk):
    return _with_current(EmergencyPlan.objects.visible_to(actor).select_related("township", "created_by")).get(pk=pk)


def plan_versions(plan) -> list[PlanVersion]:
    """Issued versions, newest first (the first one is current)."""
    return list(plan.versions.filter(number__isnull=False).select_related("issued_by").order_by("-number"))


def plan_draft(plan) -> PlanVersion | None:
    return plan.versions.filter(number__isnull=True).select_related("uploaded_by").first()


def plan_version_get(*, actor, pk):
    return PlanVersion.objects.visible_to(actor).select_related("plan", "plan__township", "uploaded_by").get(pk=pk)


def drill_list(*, actor, filters=None):
    qs = (
        Drill.objects.visible_to(actor)
        .select_related("township", "plan")
        .annotate(attachment_count=Count("attachments"))
        .order_by("-date", "-id")  # Meta.ordering does not apply to a GROUP BY query
    )
    return filter_queryset(DrillFilterSet, qs, filters)


def drill_get(*, actor, pk):
    return (
        Drill.objects.visible_to(actor)
        .select_related("township", "plan", "plan__township", "created_by")
        .prefetch_related(Prefetch("attachments", queryset=DrillAttachment.objects.order_by("id")))
        .get(pk=pk)
    )


def drill_attachment_get(*, actor, pk):
    return DrillAttachment.objects.visible_to(actor).select_related("drill").get(pk=pk)


def drills_per_township(actor, *, year: int) -> dict[int | None, int]:
    """Drills held in ``year`` per township id (``None`` = city-level), within ``actor``'s scope. Townships with no
    drill are absent (read a missing key as 0)."""
    rows = (
        Drill.objects.visible_to(actor)
        .filter(date__year=int(year))
        .order_by()
        .values("township_id")
        .annotate(n=Count("id"))
    )
    return {row["township_id"]: row["n"] for row in rows}


def drill_list_url(township_id: int | None, *, year: int) -> str:
    """The drill list filtered to exactly the rows counted by ``drills_per_township`` under that key."""
    params = {"township": NONE if township_id is None else township_id, "year": year}
    return f"{reverse('incidents:drills')}?{urlencode(params)}"


def township_table(actor, *, year: int) -> list[dict]:
    """The per-township table of the drill list page: every township the actor sees (and 市级 for city-wide
    actors), its count for ``year`` and the link to those rows."""
    from apps.accounts.models import Township
    from apps.common.scoping import user_sees_all_townships, user_township_ids

    counts = drills_per_township(actor, year=year)
    townships = Township.objects.filter(is_active=True).order_by("order", "id")
    wide = user_sees_all_townships(actor)
    if not wide:
        townships = townships.filter(pk__in=user_township_ids(actor))
    rows = [{"label": t.name, "count": counts.get(t.pk, 0), "url": drill_list_url(t.pk, year=year)} for t in townships]
    if wide:
        rows.insert(0, {"label": "市级", "count": counts.get(None, 0), "url": drill_list_url(None, year=year)})
    return rows
