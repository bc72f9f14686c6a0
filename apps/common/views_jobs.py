from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404
from django.shortcuts import render

from apps.common.selectors import job_get, job_list


@login_required
@permission_required("common.view_job", raise_exception=True)
def job_list_view(request):
    return render(request, "common/job_list.html", {"jobs": job_list(actor=request.user)[:100]})


@login_required
@permission_required("common.view_job", raise_exception=True)
def job_detail_view(request, pk):
    try:
        job = job_get(actor=request.user, pk=pk)
    except ObjectDoesNotExist:
        raise Http404 from None
    template = "common/_job_progress.html" if request.htmx else "common/job_detail.html"
    return render(request, template, {"job": job})
