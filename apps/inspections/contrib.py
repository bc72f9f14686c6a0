"""What this app contributes to lower apps' pages, registered in InspectionsConfig.ready() (apps.common.sections and
apps.common.refs): the enterprise page's tasks, inspections, rectifications and publications, and the label + link of
an "inspection-result:<id>" reference (e.g. the risk card's source). Reads are scoped to the actor."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from .choices import InspectionOutcome
from .models import InspectionResult, InspectionTask, Publication, Rectification

SECTION_ROWS = 10


def resolve_results(ids, actor) -> dict[int, dict]:
    """{result id: {"label": "监督检查 <task number>（<date>，<outcome>）", "url": task page}} for visible results."""
    rows = InspectionResult.objects.visible_to(actor).filter(pk__in=ids).select_related("task")
    outcomes = dict(InspectionOutcome.choices)
    out = {}
    for r in rows:
        day = timezone.localdate(r.inspected_at or r.finalised_at) if (r.inspected_at or r.finalised_at) else None
        bits = [b for b in (f"{day:%Y-%m-%d}" if day else "", outcomes.get(r.outcome, "")) if b]
        label = f"监督检查 {r.task.number}" + (f"（{'，'.join(bits)}）" if bits else "")
        out[r.pk] = {"label": label, "url": reverse("inspections:task_detail", args=[r.task_id])}
    return out


def enterprise_inspections_section(*, actor, obj) -> dict | None:
    """Latest tasks (with their result), rectifications and publications of one enterprise: four queries."""
    if not actor.has_perm("inspections.view_inspectiontask"):
        return None
    tasks_qs = InspectionTask.objects.visible_to(actor).filter(enterprise=obj)
    tasks = list(tasks_qs.order_by("-created_at", "-id")[:SECTION_ROWS])
    results = {
        r.task_id: r
        for r in InspectionResult.objects.visible_to(actor)
        .filter(task__in=[t.pk for t in tasks], finalised_at__isnull=False)
        .order_by("task_id", "revision")
    }
    rectifications = list(
        Rectification.objects.visible_to(actor)
        .filter(task__enterprise=obj)
        .select_related("task")
        .order_by("-deadline", "-id")[:SECTION_ROWS]
    )
    publications = list(
        Publication.objects.visible_to(actor)
        .filter(result__task__enterprise=obj)
        .select_related("result__task")
        .order_by("-due_by", "-id")[:SECTION_ROWS]
    )
    return {
        "title": "检查任务与结果",
        "template": "inspections/_enterprise_section.html",
        "context": {
            "enterprise": obj,
            "task_rows": [(t, results.get(t.pk)) for t in tasks],
            "task_count": tasks_qs.count(),
            "rectifications": rectifications,
            "publications": publications,
            "today": timezone.localdate(),
        },
    }


def register() -> None:
    from apps.common import refs, sections

    refs.register("inspection-result", resolve_results, label="监督检查结果")
    sections.register("enterprise", "inspections", enterprise_inspections_section, order=20)
