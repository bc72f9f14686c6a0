"""Public pages of complaints (no account; mounted under /public/complaints/, namespace ``public_complaints``):

* ``/public/complaints/``: the intake form (GET) and its submission (POST, CSRF): content required, contact
  optional, anonymous allowed, the ID number only when a reward is claimed (SECURITY.md PII-03); attachments
  checked by content; rate-limited per client IP and per session (``ratelimit``); a hidden signed token makes a
  repeated submission of the same form a 409 that writes nothing. The answer shows the query code, once.
* ``/public/complaints/status/``: the query-code look-up (POST, so the code stays out of URLs and access logs;
  rate-limited per IP). It shows the status and the feedback text — never the identity, never staff notes.
"""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from apps.common.exceptions import DomainError
from apps.common.middleware import client_ip

from . import ratelimit
from . import selectors as sel
from .forms import PublicComplaintForm
from .services import complaint_submit_public, intake_token_issue
from .uploads import MAX_BYTES, MAX_FILES

FORM_TEMPLATE = "incidents/complaints/public_form.html"


def _limited(request, decision):
    minutes = max(1, (decision.retry_after + 59) // 60)
    response = render(
        request,
        "incidents/complaints/public_rate_limited.html",
        {"limit": decision.limit, "minutes": minutes},
        status=429,
    )
    response["Retry-After"] = str(decision.retry_after)
    return response


def _session_key(request) -> str:
    if not request.session.session_key:
        request.session.save()
    return request.session.session_key


@never_cache
@require_http_methods(["GET", "POST"])
def submit(request):
    if request.method == "GET":
        form = PublicComplaintForm(initial={"token": intake_token_issue()})
        return render(request, FORM_TEMPLATE, {"form": form, "max_files": MAX_FILES})
    for kind, subject in (("submit_ip", client_ip(request)), ("submit_session", _session_key(request))):
        decision = ratelimit.take(kind, subject)
        if not decision.allowed:
            return _limited(request, decision)
    form = PublicComplaintForm(request.POST)
    files = request.FILES.getlist("attachments")
    status, error = 400, "提交的内容有误，请按提示修改"
    if form.is_valid():
        data = form.cleaned_data
        try:
            complaint = complaint_submit_public(
                data=data,
                files=[f.read(MAX_BYTES + 1) for f in files[: MAX_FILES + 1]],  # at most one byte past the cap
                intake_token=request.POST.get("token", ""),
                township=data.get("township"),
            )
        except DomainError as exc:
            status, error = exc.status_code, exc.message
            for field, errors in (exc.fields or {}).items():
                for message in errors:
                    if field in form.fields:
                        form.add_error(field, message)
        else:
            return render(
                request,
                "incidents/complaints/public_received.html",
                {"number": complaint.number, "query_code": complaint.query_code, "due": complaint.acceptance_due},
                status=201,
            )
    keep = request.POST.copy()
    if status != 409:
        keep["token"] = request.POST.get("token") or intake_token_issue()
    form.data = keep
    return render(request, FORM_TEMPLATE, {"form": form, "error": error, "max_files": MAX_FILES}, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def status(request):
    if request.method == "GET":
        return render(request, "incidents/complaints/public_status.html", {})
    decision = ratelimit.take("lookup_ip", client_ip(request))
    if not decision.allowed:
        return _limited(request, decision)
    code = (request.POST.get("code") or "").strip()[:40]
    if not code:
        return render(request, "incidents/complaints/public_status.html", {"error": "请输入查询码"}, status=400)
    complaint = sel.public_status(code)
    if complaint is None:
        return render(
            request,
            "incidents/complaints/public_status.html",
            {"error": "没有找到这个查询码对应的投诉举报，请核对后重试"},
            status=404,
        )
    return render(request, "incidents/complaints/public_status.html", {"found": complaint})
