"""Public pages of sampling (一公开, no login; mounted under /public/sampling/, namespace ``public_sampling``):

* 你点我检: the topics open for voting with their counts and a vote button, the topics whose voting ended, and the
  adopted topics with the published results (and quick tests, labelled 快检, with the objection clock while open)
  of their plan lines. ``POST …/votes/<id>/`` casts a vote (CSRF-protected; one per voter cookie per topic per
  period; at most ``SAMPLING_VOTE_IP_LIMIT`` submissions per client IP per hour, then a Chinese 429 page).
* Published results: a searchable list and one result's page (by its 抽样单编号).

What the public sees of a result: the sampled business's name and address (as on the 抽样单), the labelled producer,
the food, its category, dates, the lab, the conclusion, each unqualified item with its value, limit and judging
standard, the publication date and — once closed and published — the disposal's measures and outcome. Never: phone
numbers, contact persons, the legal representative, the samplers, prices, internal row ids.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from apps.common.exceptions import DomainError, OutOfScope
from apps.common.middleware import client_ip

from ..models import Sample, Vote
from . import selectors as sel
from . import voting
from .filters import PublicResultFilterSet
from .services.votes import vote_cast


def _votes_page(request, *, status=200, notice: str = "", notice_tone: str = "info"):
    today = timezone.localdate()
    data = sel.public_topics(today=today)
    voter_id = voting.voter_id_of(request)
    voted: set[int] = set()
    if voter_id and data["open"]:
        key = voting.voter_key(voter_id)
        voted = set(
            Vote.objects.filter(topic__in=[t.pk for t in data["open"]], voter_key=key).values_list(
                "topic_id", flat=True
            )
        )
    response = render(
        request,
        "sampling/publicity/public_votes.html",
        {
            **data,
            "voted": voted,
            "notice": notice,
            "notice_tone": notice_tone,
            "ip_limit": voting.ip_limit(),
            "now": timezone.now(),
        },
        status=status,
    )
    if voter_id is None:
        voting.set_voter_cookie(request, response, voting.new_voter_id())  # first visit: a long-lived voter id
    return response


@require_GET
def votes(request):
    return _votes_page(request)


@require_POST
def vote(request, pk):
    """One vote. Order: the IP limit (every submission counts), the voter cookie, then the service."""
    decision = voting.ip_rate_take(client_ip(request))
    if not decision.allowed:
        minutes = max(1, (decision.retry_after + 59) // 60)
        response = render(
            request,
            "sampling/publicity/public_rate_limited.html",
            {"limit": decision.limit, "minutes": minutes},
            status=429,
        )
        response["Retry-After"] = str(decision.retry_after)
        return response
    voter_id = voting.voter_id_of(request)
    if voter_id is None:
        return _votes_page(
            request,
            status=400,
            notice="没有识别到投票凭证：请允许本站保存 Cookie，刷新本页后再投票。",
            notice_tone="warning",
        )
    try:
        outcome = vote_cast(topic_id=pk, voter_key=voting.voter_key(voter_id))
    except OutOfScope:
        raise Http404 from None
    except DomainError as exc:
        return _votes_page(request, status=exc.status_code, notice=exc.message, notice_tone="warning")
    if not outcome.recorded:
        return _votes_page(request, status=409, notice=outcome.message, notice_tone="info")
    messages.success(request, outcome.message)
    return redirect(reverse("public_sampling:votes") + f"#topic-{pk}", permanent=False)


@require_GET
def results(request):
    form = PublicResultFilterSet(request.GET or None, queryset=Sample.objects.none()).form
    status, errors = 200, {}
    try:
        rows = sel.public_results(filters=request.GET)
    except ValidationError as exc:
        rows, status = sel.public_results().none(), 400
        errors = exc.message_dict
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "sampling/publicity/public_results.html",
        {"page": page, "form": form, "errors": errors, "query": params.urlencode()},
        status=status,
    )


@require_GET
def result(request, number):
    try:
        sample = sel.public_result_get(number)
    except (Sample.DoesNotExist, ValueError):
        raise Http404 from None
    return render(
        request,
        "sampling/publicity/public_result.html",
        {"sample": sample, "disposal": sel.public_disposal(sample)},
    )
