"""The 一公开 portal: index (built from apps.common.portal's registry), enterprise lookup, verifier download.

No login anywhere under /public/. The pages moved here from apps.inspections are views_draws / views_results.
"""

from functools import cache
from pathlib import Path

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from apps.common.portal import portal_sections

from .forms import LookupForm
from .selectors import enterprise_lookup, show_risk_grade

VERIFIER = Path(settings.BASE_DIR) / "tools" / "verify_draw.py"


def _sections():
    cards = []
    for s in portal_sections():
        cards.append(
            {
                "key": s.key,
                "title": s.title,
                "description": s.description,
                "url": reverse(s.url_name),
                "icon": s.icon,
                "count": s.count() if s.count else None,
                "count_label": s.count_label,
            }
        )
    return cards


@require_GET
def index(request):
    return render(
        request,
        "public/index.html",
        {"form": LookupForm(), "sections": _sections(), "show_grade": show_risk_grade()},
    )


@require_GET
def lookup(request):
    form = LookupForm(request.GET or None)
    result, q, status = None, "", 200
    if form.is_bound:
        if form.is_valid():
            q = form.cleaned_data["q"]
            if q:
                result = enterprise_lookup(q)
        else:
            status = 400
    return render(
        request,
        "public/lookup.html",
        {"form": form, "q": q, "lookup": result, "show_grade": show_risk_grade()},
        status=status,
    )


@cache
def _verifier_source() -> bytes:
    return VERIFIER.read_bytes()


@require_GET
def verifier_download(request):
    """tools/verify_draw.py as a file: standard library only, so a citizen can run it with any Python 3."""
    response = HttpResponse(_verifier_source(), content_type="text/x-python; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="verify_draw.py"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
