"""一公开: every draw record is public — no login (PRODUCT.md §4). What a record holds, and why: docs/draw.md."""

import json

from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from apps.inspections.draws.selectors import draw_differences, draw_public_get, draw_record, public_draws
from apps.inspections.models import Draw


def _get(draw_uid):
    try:
        return draw_public_get(draw_uid)
    except Draw.DoesNotExist:
        raise Http404 from None


def _differences(draw) -> list[str]:
    """Re-computed on view; a drawn record never changes, so the verdict is cached per result hash."""
    outcome = draw.outcome_or_none
    if outcome is None:
        return draw_differences(draw)
    key = f"draw-verify:{draw.draw_uid}:{outcome.result_hash}:{draw.inputs_hash}"
    problems = cache.get(key)
    if problems is None:
        problems = draw_differences(draw)
        cache.set(key, problems, 300)
    return problems


@require_GET
def draw_list(request):
    page = Paginator(public_draws(), 30).get_page(request.GET.get("page"))
    return render(request, "public/draw_list.html", {"page": page})


@require_GET
def draw_detail(request, draw_uid):
    draw = _get(draw_uid)
    record = draw_record(draw)
    problems = _differences(draw)
    labels = {s["key"]: s.get("label") or s["key"] for s in draw.strata}
    rows = [
        {**sel, "name": record["enterprise_names"].get(sel["code"], ""), "stratum_label": labels.get(sel["stratum"])}
        for sel in (record["result"] or {}).get("selections", [])
    ]
    strata = [{**s, "pool_size": len(s["codes"])} for s in draw.strata]
    return render(
        request,
        "public/draw_detail.html",
        {
            "draw": draw,
            "record": record,
            "rows": rows,
            "strata": strata,
            "verified": not problems,
            "problems": problems,
            "redraw": Draw.objects.filter(parent=draw).first(),
            "excluded": record.get("excluded") or {},
        },
    )


@require_GET
def draw_record_json(request, draw_uid):
    draw = _get(draw_uid)
    body = json.dumps(draw_record(draw), ensure_ascii=False, indent=1, sort_keys=True)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    if request.GET.get("download"):
        response["Content-Disposition"] = f'attachment; filename="{draw.draw_uid}.json"'
    return response
