"""Job pages: my jobs, and one job's progress (htmx polls the partial every second until it finishes)."""

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404
from django.shortcuts import render

from apps.common.filters import JobFilterSet
from apps.common.labels import job_kind_label
from apps.common.selectors import job_get, job_list
from apps.common.viewmixins import ScopedListView

PAGE_SIZE = 25


class JobListView(ScopedListView):
    """My jobs (all of them for common.view_all_jobs), through ``JobFilterSet``; an unknown status is ignored."""

    permission_required = "common.view_job"
    selector = staticmethod(job_list)
    filterset_class = JobFilterSet
    paginate_by = PAGE_SIZE
    invalid_filters = "ignore"
    template_name = "common/job_list.html"

    def decorate_page(self, page):
        for job in page:
            job.kind_label = job_kind_label(job.kind)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sees_all"] = self.request.user.has_perm("common.view_all_jobs")
        return context


job_list_view = JobListView.as_view()


@login_required
@permission_required("common.view_job", raise_exception=True)
def job_detail_view(request, pk):
    try:
        job = job_get(actor=request.user, pk=pk)
    except ObjectDoesNotExist:
        raise Http404 from None
    job.kind_label = job_kind_label(job.kind)
    template = "common/_job_progress.html" if request.htmx else "common/job_detail.html"
    return render(request, template, {"job": job})
