"""Reads of sampling/lab, each from ``Model.objects.visible_to(actor)`` through the list's FilterSet: the page, the
API and the Excel import share them. Lab staff see the samples sent to their lab (and, in a 复检, to the 复检 lab)
by the visibility rule registered in ``contrib.ready`` (they hold no township)."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from apps.common.filters import filter_queryset
from apps.standards.models import SamplingCategory, TestItem, TestLimit

from ..choices import DisposalStatus
from ..models import Disposal, DisposalStep, Organisation, ResultItem, Sample
from .filters import DisposalFilterSet, LabSampleFilterSet, ResultItemFilterSet, due_soon_q, due_soon_until, overdue_q


# ---------------------------------------------------------------------------- test items of a sample
def category_lineage(category_id: int) -> list[int]:
    """The category and its ancestors (细类 → 次亚类 → 亚类 → 大类), one query."""
    category = SamplingCategory.objects.select_related("parent__parent__parent").get(pk=category_id)
    ids = []
    node = category
    while node is not None and len(ids) < 4:
        ids.append(node.pk)
        node = node.parent
    return ids


def limits_prefetch() -> Prefetch:
    return Prefetch("limits", queryset=TestLimit.objects.select_related("judging_standard", "method_standard"))


def applicable_test_items(sample) -> list[TestItem]:
    """The test items that apply to the sample's category or one of its ancestors (``TestItem.categories``), active,
    with their limits (and standards) loaded for ``limit_in_force``."""
    ids = category_lineage(sample.category_id)
    return list(
        TestItem.objects.filter(
            is_active=True,
            pk__in=TestItem.categories.through.objects.filter(samplingcategory_id__in=ids).values("testitem_id"),
        )
        .prefetch_related(limits_prefetch())
        .order_by("order", "code")
    )


# ---------------------------------------------------------------------------- samples at the lab
def lab_sample_list(*, actor, filters=None) -> QuerySet:
    qs = Sample.objects.visible_to(actor).select_related("category", "lab", "township").order_by("-sampled_on", "-id")
    return filter_queryset(LabSampleFilterSet, qs, filters)


def lab_sample_get(*, actor, pk) -> Sample:
    """One visible sample (Sample.DoesNotExist otherwise: the page answers 404)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Sample.DoesNotExist from None
    return (
        Sample.objects.visible_to(actor)
        .select_related("category", "lab", "sampling_org", "township", "task__plan")
        .get(pk=pk)
    )


def sample_by_reference(*, actor, ref: str) -> Sample:
    """A visible sample by its 抽样单编号 or, for an all-digit reference, its id (the API's ``{sample}``)."""
    ref = (ref or "").strip()
    qs = Sample.objects.visible_to(actor).select_related("category", "lab")
    if ref.isdigit() and len(ref) <= 12:
        found = qs.filter(Q(pk=int(ref)) | Q(number=ref)).order_by("-number").first()
    else:
        found = qs.filter(number=ref).first()
    if found is None:
        raise Sample.DoesNotExist
    return found


def sample_disposal(sample) -> Disposal | None:
    return Disposal.objects.select_related("recheck_lab").filter(sample=sample).first()


def lab_organisations_of(actor) -> list[Organisation]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return []
    return list(actor.sampling_organisations.filter(kind="lab", is_active=True).order_by("name"))


def sample_status_counts(*, actor) -> dict[str, int]:
    """{status: count} of the visible samples (the lab queue's tabs; each links to the list filtered by status)."""
    rows = Sample.objects.visible_to(actor).order_by().values_list("status", flat=True)
    return dict(Counter(rows))


# ---------------------------------------------------------------------------- result items
def result_list(*, actor, filters=None) -> QuerySet:
    qs = (
        ResultItem.objects.visible_to(actor)
        .select_related("sample", "sample__township", "test_item", "lab")
        .order_by("-sample__sampled_on", "sample_id", "is_recheck", "test_item__order", "id")
    )
    return filter_queryset(ResultItemFilterSet, qs, filters)


def limit_display(row: ResultItem) -> str:
    """允许限 as a person reads it: "≤ 0.3 mg/kg", "≥ 2.9 g/100g", "10–14 g/100g", "不得检出", "n=5,c=2,… CFU/g"."""
    lo, hi, unit = row.min_limit_text, row.max_limit_text, row.limit_unit
    if lo and hi:
        text = f"{lo}–{hi}"
    elif lo:
        text = f"≥ {lo}"
    elif hi and (hi[0].isdigit() or hi[0] == "."):
        text = f"≤ {hi}"
    else:
        text = hi or "—"
    return f"{text} {unit}".strip() if text not in ("不得检出", "—") else text


def results_of_sample(*, actor, sample) -> list[ResultItem]:
    rows = list(
        ResultItem.objects.visible_to(actor)
        .filter(sample=sample)
        .select_related("test_item", "lab")
        .order_by("is_recheck", "test_item__order", "id")
    )
    for row in rows:
        row.limit_display = limit_display(row)
    return rows


# ---------------------------------------------------------------------------- disposals
def disposal_clock_counts(*, actor, today: dt.date, township_id=None) -> tuple[int, int]:
    """(overdue, due soon) of the disposals ``actor`` sees, in one query: the counts of the list's
    ``?clock=overdue`` / ``?clock=due_soon`` (the same ``filters.overdue_q`` / ``due_soon_q``), ``township_id`` its
    ``?township=``."""
    qs = Disposal.objects.visible_to(actor).order_by()
    if township_id is not None:
        qs = qs.filter(sample__township_id=township_id)
    out = qs.aggregate(
        overdue=Count("pk", filter=overdue_q(today)),
        soon=Count("pk", filter=due_soon_q(today, due_soon_until(today))),
    )
    return out["overdue"], out["soon"]


def disposal_list(*, actor, filters=None) -> QuerySet:
    qs = (
        Disposal.objects.visible_to(actor)
        .select_related("sample", "sample__township", "sample__lab", "recheck_lab")
        .order_by("verify_due", "id")
    )
    return filter_queryset(DisposalFilterSet, qs, filters)


def disposal_get(*, actor, pk) -> Disposal:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Disposal.DoesNotExist from None
    return (
        Disposal.objects.visible_to(actor)
        .select_related("sample", "sample__township", "sample__lab", "sample__category", "recheck_lab")
        .get(pk=pk)
    )


def disposal_steps(disposal) -> list[DisposalStep]:
    return list(disposal.steps.select_related("actor").order_by("happened_on", "id"))


def disposal_counts(*, actor, today: dt.date | None = None) -> dict:
    """The figures above the disposal list, each the count of what the same filter lists (so every number links):
    by status, 未办结, 即将到期 and 已逾期. Three queries whatever the number of rows."""
    today = today or timezone.localdate()
    visible = Disposal.objects.visible_to(actor).order_by()
    by_status = Counter(visible.values_list("status", flat=True))
    return {
        "status": {code: by_status.get(code, 0) for code in DisposalStatus.values},
        "open_all": sum(n for code, n in by_status.items() if code != DisposalStatus.CLOSED),
        "overdue": visible.filter(overdue_q(today)).count(),
        "due_soon": visible.filter(due_soon_q(today, due_soon_until(today))).count(),
    }
