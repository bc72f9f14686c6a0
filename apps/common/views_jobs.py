"""Job pages: my jobs, and one job's progress (htmx polls the partial every second until it finishes)."""

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ObjectDoesNotExist
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from apps.common.models import JobStatus
from apps.common.selectors import job_get, job_list

PAGE_SIZE = 25


@login_required
@permission_required("common.view_job", raise_exception=True)
def job_list_view(request):
    jobs = job_list(actor=request.user)
    status = request.GET.get("status", "")
    if status in JobStatus.values:
        jobs = jobs.filter(status=status)
    else:
        status = ""
    page = Paginator(jobs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "common/job_list.html",
        {
            "page": page,
            "status": status,
            "statuses": JobStatus.choices,
            "query": f"status={status}" if status else "",
            "sees_all": request.user.has_perm("common.view_all_jobs"),
        },
    )


@login_required
@permission_required("common.view_job", raise_exception=True)
def job_detail_view(request, pk):
    try:
        job = job_get(actor=request.user, pk=pk)
    except ObjectDoesNotExist:
        raise Http404 from None
    template = "common/_job_progress.html" if request.htmx else "common/job_detail.html"
    return render(request, template, {"job": job})
