"""Public pages (一公开, no login): the list of published inspection results and one record's verification page.

What the public sees of a record: the business, date, kind, inspectors' names and badge numbers, the check items
with their verdicts, the conclusion and (for 立案查处) the case number and penalty kind/amount. Never: the operator's
signature or signer, the person penalised, the inspectors' other data, photos, the location. Before publication the
verification page confirms only that the record exists and its seal holds (the QR code is printed on site).
"""

from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from apps.inspections.choices import InspectionOutcome, ItemVerdict, PenaltyKind, PublicationStatus
from apps.inspections.fieldwork.selectors import (
    public_publication_of,
    public_result_get,
    public_results,
    result_verify,
    superseding_result,
)
from apps.inspections.models import InspectionResult


@require_GET
def result_list(request):
    q = (request.GET.get("q") or "").strip()[:100]
    page = Paginator(public_results(q=q), 30).get_page(request.GET.get("page"))
    return render(request, "public/results_list.html", {"page": page, "q": q, "query": f"q={q}" if q else ""})


def _verification(result):
    """Re-checked on view; a sealed record never changes, so the verdict is cached per content hash."""
    key = f"result-verify:{result.pk}:{result.content_hash}"
    found = cache.get(key)
    if found is None:
        check = result_verify(result)
        found = {"ok": check.ok, "computed": check.computed_hash, "problems": check.problems}
        cache.set(key, found, 300)
    return found


@require_GET
def result_detail(request, public_id):
    try:
        result = public_result_get(public_id)
    except InspectionResult.DoesNotExist:
        raise Http404 from None
    publication = public_publication_of(result)
    published = publication is not None and publication.status == PublicationStatus.PUBLISHED
    content = result.sealed_content or {}
    verdicts = dict(ItemVerdict.choices)
    items = [
        {"code": code, "item": item, "verdict": verdict, "label": verdicts.get(verdict, verdict)}
        for code, item, verdict, _note in content.get("items", [])
    ]
    penalty = content.get("penalty") or {}
    return render(
        request,
        "public/results_detail.html",
        {
            "result": result,
            "content": content,
            "items": items,
            "publication": publication,
            "published": published,
            "verification": _verification(result),
            "outcome_label": dict(InspectionOutcome.choices).get(content.get("outcome"), ""),
            "penalty_case": penalty.get("case_number", ""),
            "penalty_kind_label": dict(PenaltyKind.choices).get(penalty.get("kind") or "", ""),
            "penalty_amount": penalty.get("amount"),
            "superseded_by": superseding_result(result),
        },
    )
