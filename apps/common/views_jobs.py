"""Job pages: my jobs, and one job's progress (htmx polls the partial every second until it finishes)."""

from apps.common.filters import JobFilterSet
from apps.common.labels import job_kind_label
from apps.common.selectors import job_get, job_list
from apps.common.viewmixins import ScopedDetailView, ScopedListView

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


class JobDetailView(ScopedDetailView):
    """One job's progress; htmx polls the partial every second until it finishes."""

    permission_required = "common.view_job"
    selector = staticmethod(job_get)
    context_object_name = "job"

    def get_template_names(self):
        return ["common/_job_progress.html" if self.request.htmx else "common/job_detail.html"]

    def get_context_data(self, **kwargs):
        self.object.kind_label = job_kind_label(self.object.kind)
        return super().get_context_data(**kwargs)
