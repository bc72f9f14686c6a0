"""Pages of the Excel import of lab results: template download, upload + dry run (row-numbered errors, or each
sample's judgements), confirm (starts the commit job). The upload view refuses a body over the cap before reading
it and stops reading a file part at cap + 1 byte, as the registry import does."""

from __future__ import annotations

from django.contrib import messages
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import content_disposition_header
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from apps.common.confirm import Confirm
from apps.common.excel import XLSX_CONTENT_TYPE
from apps.common.viewmixins import ScopedActionView, ScopedDetailView, ScopedObjectMixin, ScopedPageView

from . import imports

PERM = imports.PERM
ENVELOPE = 256 * 1024


class _SizeCapHandler(FileUploadHandler):
    def __init__(self, request, cap: int):
        super().__init__(request)
        self.cap = cap

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self.cap:
            self.request.upload_too_large = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None


def _context(**extra) -> dict:
    limits = imports.LIMITS
    return {
        "max_mb": limits.max_bytes // (1024 * 1024),
        "max_rows": limits.max_rows,
        "columns": imports.BASE_COLUMNS,
        **extra,
    }


def _too_large(request):
    message = f"文件过大，上限为 {imports.LIMITS.max_bytes // (1024 * 1024)} MB。请拆分为多个文件后再上传。"
    return render(request, "sampling/lab/import.html", _context(error=message), status=413)


class ImportTemplateView(ScopedPageView):
    """The .xlsx template for this user."""

    permission_required = PERM

    def get(self, request, *args, **kwargs):
        content = imports.results_import_template(actor=request.user)
        response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=imports.TEMPLATE_FILENAME
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "no-store"
        return response


@method_decorator(csrf_exempt, name="dispatch")  # the CSRF check runs in _upload, after the size-cap handler
class ImportStartView(ScopedPageView):
    """GET: the upload form; POST: the upload, refused over the size cap before the body is read."""

    permission_required = PERM
    template_name = "sampling/lab/import.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), **_context()}

    def post(self, request, *args, **kwargs):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > imports.LIMITS.max_bytes + ENVELOPE:
            return _too_large(request)  # refused without reading the body
        request.upload_handlers.insert(0, _SizeCapHandler(request, imports.LIMITS.max_bytes))
        return _upload(request)


@csrf_protect
def _upload(request):
    upload = request.FILES.get("file")
    if getattr(request, "upload_too_large", False):
        return _too_large(request)
    if upload is None:
        return render(
            request, "sampling/lab/import.html", _context(error="请选择要上传的 Excel 文件（.xlsx）"), status=400
        )
    upload_id, report = imports.results_import_upload(actor=request.user, data=upload.read(), filename=upload.name)
    if report.get("refused"):
        context = _context(error=report["errors"][0]["message"], filename=report["filename"])
        return render(request, "sampling/lab/import.html", context, status=report["status_code"])
    return redirect("sampling:lab_import_report", upload_id=upload_id)


class _UploadMixin(ScopedObjectMixin):
    """Pages of one upload of the user's own: ``self.object`` is its stored dry-run report (``imports.upload_report``);
    another user's upload, or an expired one, is 404."""

    permission_required = PERM
    selector = staticmethod(imports.upload_report)
    pk_url_kwarg = "upload_id"

    def get_object(self):
        try:
            return self.selector(actor=self.request.user, upload_id=self.kwargs[self.pk_url_kwarg])
        except (FileNotFoundError, ValueError):
            raise Http404("未找到该导入记录（可能已过期）") from None


class ImportReportView(_UploadMixin, ScopedDetailView):
    """The dry run of one upload: row-numbered errors, or each sample's judgements and the confirm box."""

    template_name = "sampling/lab/import_report.html"

    def get_context_data(self, **kwargs):
        report, upload_id = self.object, self.kwargs["upload_id"]
        confirm = None
        if report.get("status") == "checked":
            groups = report.get("groups") or []
            unqualified = sum(1 for g in groups if g["conclusion"] == "unqualified")
            confirm = Confirm(
                title="确认导入检验结果",
                action=reverse("sampling:lab_import_confirm", args=[upload_id]),
                button="确认导入",
                cancel_url=reverse("sampling:lab_import"),
                consequences=[
                    f"一次写入 {len(groups)} 个样品、{report.get('rows', 0)} 行检验结果（任何一行出错则全部不写入）。",
                    f"其中 {unqualified} 个样品结论为不合格，监督抽检与评价性抽检的将启动核查处置。",
                    "结果提交后不能修改或覆盖。",
                ],
                tone="danger" if unqualified else "success",
            )
        errors = report.get("errors") or []
        return {
            **super().get_context_data(**kwargs),
            **_context(
                report=report,
                upload_id=upload_id,
                errors=errors[: imports.PAGE_ERRORS],
                errors_truncated=len(errors) > imports.PAGE_ERRORS or report.get("error_count", 0) > len(errors),
                confirm=confirm,
            ),
        }


class ImportConfirmView(_UploadMixin, ScopedActionView):
    """Start the commit job of a checked upload; its progress is the job page."""

    job = None

    def act(self):
        try:
            self.job = imports.results_import_confirm(actor=self.request.user, upload_id=self.kwargs["upload_id"])
        except (FileNotFoundError, ValueError):
            raise Http404("未找到该导入记录（可能已过期）") from None
        messages.success(self.request, "已开始导入，本页显示进度；完成后可查看已出结论的样品。")

    def get_redirect_url(self):
        if self.job is None:
            return reverse("sampling:lab_import_report", args=[self.kwargs["upload_id"]])
        return reverse("jobs:detail", kwargs={"pk": self.job.pk})
