"""The Excel export of a filtered list, once for every list (issue 9: one house).

``FilteredExportView``: the list's own filters (``request.GET``) through the list's selector — at once up to
``sync_max_rows`` rows, else a background job of ``job_kind`` (its handler is ``apps.common.jobs.filtered_export_job``)
whose page offers the file. ``ExportDownloadView``: that file, for the job's creator only (``job_get`` scopes jobs to
their creator). Both answer with ``Cache-Control: no-store``. A list declares one subclass of each:

    class ComplaintExportView(FilteredExportView):
        permission_required = ("incidents.view_complaint", "incidents.export_complaint")
        selector = staticmethod(sel.complaint_list)
        export = staticmethod(complaint_export)          # export(actor=, params=) -> (xlsx bytes, row count)
        job_kind = EXPORT_JOB_KIND
        title = "投诉举报"                                 # the job's title and the file's name
        ascii_name = "complaints"                        # the plain filename= for old clients
        list_url_name = "incidents:complaints"           # where a bad filter is sent back, with its message
"""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from .jobs import job_create
from .selectors import job_get
from .viewmixins import ScopedPageView

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_SYNC_MAX_ROWS = 2000  # larger exports run as a background job with progress (STYLE.md §3.7)


def xlsx_response(content: bytes, *, filename: str, ascii_name: str = "export") -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename=\"{ascii_name}.xlsx\"; filename*=UTF-8''{quote(filename)}"
    response["Cache-Control"] = "no-store"
    return response


def export_filters(params) -> dict:
    """A job's payload: the list's filters as lists (the page number left out)."""
    return {key: params.getlist(key) for key in params if key != "page"}


class FilteredExportView(ScopedPageView):
    selector = None
    export = None
    job_kind = ""
    title = ""
    file_title = ""  # the file's name when it differs from the job's title
    ascii_name = "export"
    list_url_name = ""
    sync_max_rows = EXPORT_SYNC_MAX_ROWS

    def count_rows(self) -> int:
        return self.selector(actor=self.request.user, filters=self.request.GET).count()

    def list_url(self) -> str:
        query = self.request.GET.copy()
        query.pop("page", None)
        url = reverse(self.list_url_name)
        return f"{url}?{query.urlencode()}" if query else url

    def get(self, request, *args, **kwargs):
        try:
            count = self.count_rows()
        except ValidationError:
            messages.error(request, "筛选条件有误，无法导出")
            return redirect(self.list_url())
        if count > self.sync_max_rows:
            job = job_create(
                kind=self.job_kind,
                payload={"filters": export_filters(request.GET)},
                actor=request.user,
                title=f"导出{self.title}（{count:,} 条）",
            )
            messages.info(request, f"共 {count:,} 条，已转为后台导出任务，完成后可在此页面下载。")
            return redirect("jobs:detail", job.pk)
        content, _ = self.export(actor=request.user, params=request.GET)
        filename = f"{self.file_title or self.title}_{timezone.localtime():%Y%m%d_%H%M}.xlsx"
        return xlsx_response(content, filename=filename, ascii_name=self.ascii_name)


class ExportDownloadView(ScopedPageView):
    job_kind = ""
    file_path = None  # staticmethod: job id -> Path of the job's file
    ascii_name = "export"

    def get(self, request, *args, **kwargs):
        try:
            job = job_get(actor=request.user, pk=kwargs["job_id"])  # jobs are visible to their creator only
        except Exception:
            raise Http404 from None
        path = self.file_path(job.pk)
        if job.kind != self.job_kind or job.status != "done" or not path.exists():
            raise Http404("导出文件不存在或尚未生成")
        response = FileResponse(
            path.open("rb"), as_attachment=True, filename=job.result.get("filename") or f"{self.ascii_name}.xlsx"
        )
        response["Cache-Control"] = "no-store"
        return response
