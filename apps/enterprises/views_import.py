"""Pages of the Excel import: template download, upload + dry-run report, error list, confirm (starts the job).

The upload view refuses a body over the cap before reading it (Content-Length) and stops reading a multipart file
part at cap + 1 byte (an upload handler installed before the body is parsed, hence csrf_exempt + csrf_protect).
"""

from django.contrib import messages
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import content_disposition_header
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from apps.common.excel import XLSX_CONTENT_TYPE
from apps.common.viewmixins import ScopedActionView, ScopedDetailView, ScopedObjectMixin, ScopedPageView

from . import imports

PERM = "enterprises.import_enterprise"
ENVELOPE = 256 * 1024  # multipart boundaries and the other form fields


def _xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


class _SizeCapHandler(FileUploadHandler):
    """Stop reading the upload at cap + 1 byte; the view then answers 413."""

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


def _limits_context() -> dict:
    limits = imports.import_limits()
    return {
        "max_mb": limits.max_bytes // (1024 * 1024),
        "max_rows": limits.max_rows,
        "max_columns": limits.max_columns,
        "columns": imports.COLUMNS,
    }


def _too_large(request):
    limits = imports.import_limits()
    message = f"文件过大，上限为 {limits.max_bytes // (1024 * 1024)} MB。请删除无关工作表或拆分为多个文件后再上传。"
    return render(request, "enterprises/import.html", {**_limits_context(), "error": message}, status=413)


class ImportTemplateView(ScopedPageView):
    """The .xlsx template for this user (their townships in the drop-down)."""

    permission_required = PERM

    def get(self, request, *args, **kwargs):
        return _xlsx_response(imports.enterprise_import_template(actor=request.user), imports.TEMPLATE_FILENAME)


@method_decorator(csrf_exempt, name="dispatch")  # the CSRF check runs in _upload, after the size-cap handler
class ImportStartView(ScopedPageView):
    """GET: the upload form; POST: the upload, refused over the size cap before the body is read."""

    permission_required = PERM
    template_name = "enterprises/import.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), **_limits_context()}

    def post(self, request, *args, **kwargs):
        limits = imports.import_limits()
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limits.max_bytes + ENVELOPE:
            return _too_large(request)  # refused without reading the body
        request.upload_handlers.insert(0, _SizeCapHandler(request, limits.max_bytes))
        return _upload(request)


@csrf_protect
def _upload(request):
    upload = request.FILES.get("file")
    if getattr(request, "upload_too_large", False):
        return _too_large(request)
    if upload is None:
        context = {**_limits_context(), "error": "请选择要上传的 Excel 文件（.xlsx）"}
        return render(request, "enterprises/import.html", context, status=400)
    data = upload.read()
    upload_id, report = imports.enterprise_import_upload(actor=request.user, data=data, filename=upload.name)
    if report.refused_file:
        context = {
            **_limits_context(),
            "error": report.errors[0].message,
            "filename": imports._display_name(upload.name),
        }
        return render(request, "enterprises/import.html", context, status=report.status_code)
    return redirect("enterprises:import_report", upload_id=upload_id)


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


PREVIEW_PAGE = 100


def _preview(request, upload_id: str, meta: dict) -> dict:
    """The per-row preview (before the commit) or outcome (after it), one page, filtered by outcome."""
    from django.core.paginator import Paginator

    from .api.serializers import can_see_phone
    from .models import ImportOutcome
    from .views import HISTORY_LABELS, _display, history_names

    outcome = request.GET.get("outcome", "")
    if outcome not in ImportOutcome.values:
        outcome = ""
    lines = imports.upload_lines(actor=request.user, upload_id=upload_id, outcome=outcome or None)
    page = Paginator(lines, PREVIEW_PAGE).get_page(request.GET.get("page"))
    names, show_phone = history_names(), can_see_phone(request.user)
    for line in page:
        line.changes_display = [
            (HISTORY_LABELS.get(key, key), *(_display(key, v, names, show_phone) for v in pair))
            for key, pair in (line.changes or {}).items()
            if isinstance(pair, list) and len(pair) == 2
        ]
    counts = meta.get("counts") or {}
    tabs = [
        ("", "全部", counts.get("total", meta["rows"])),
        (ImportOutcome.NEW, "新增", counts.get("created", 0)),
        (ImportOutcome.CHANGED, "更新", counts.get("updated", 0)),
        (ImportOutcome.UNCHANGED, "无变化", counts.get("unchanged", 0)),
    ]
    return {"preview": page, "outcome": outcome, "outcome_tabs": tabs}


class ImportReportView(_UploadMixin, ScopedDetailView):
    """The dry-run report (errors, warnings, counts), its row preview, and the confirm button; polled while checking."""

    template_name = "enterprises/import_report.html"

    def get_context_data(self, **kwargs):
        request, meta, upload_id = self.request, self.object, self.kwargs["upload_id"]
        errors = meta["errors"][: imports.PAGE_ERRORS]
        warnings = meta["warnings"][: imports.PAGE_ERRORS]
        check_job = None
        if meta.get("status") == "checking" and meta.get("check_job_id"):
            from apps.common.models import Job

            check_job = Job.objects.visible_to(request.user).filter(pk=meta["check_job_id"]).first()
        context = super().get_context_data(**kwargs)
        context.update(
            {
                "meta": meta,
                "check_job": check_job,
                "upload_id": upload_id,
                "errors": errors,
                "warnings": warnings,
                "errors_truncated": meta["error_count"] > len(errors),
                "counts": meta.get("counts") or {},
                "can_confirm": meta.get("status") == "checked",
                "imported_url": imports.imported_rows_url(upload_id) if meta.get("status") == "committed" else "",
                **_limits_context(),
            }
        )
        if meta.get("status") in ("checked", "queued", "committed", "failed") and not meta["error_count"]:
            context.update(_preview(request, upload_id, meta))
        return context


class ImportErrorsView(_UploadMixin, ScopedDetailView):
    """The full error list of an upload as .xlsx."""

    def get(self, request, *args, **kwargs):
        try:
            content, filename = imports.upload_error_workbook(actor=request.user, upload_id=self.kwargs["upload_id"])
        except (FileNotFoundError, ValueError):
            raise Http404("未找到该导入记录（可能已过期）") from None
        return _xlsx_response(content, filename)


class ImportConfirmView(_UploadMixin, ScopedActionView):
    """Start the import job of a checked upload; its progress is the job page."""

    job = None

    def act(self):
        try:
            self.job = imports.enterprise_import_confirm(actor=self.request.user, upload_id=self.kwargs["upload_id"])
        except FileNotFoundError:
            raise Http404("未找到该导入记录（可能已过期）") from None
        messages.success(self.request, "已开始导入，本页显示进度；完成后点击“查看导入的检查对象”打开导入的各行。")

    def get_redirect_url(self):
        if self.job is None:
            return reverse("enterprises:import_report", kwargs={"upload_id": self.kwargs["upload_id"]})
        return reverse("jobs:detail", kwargs={"pk": self.job.pk})
