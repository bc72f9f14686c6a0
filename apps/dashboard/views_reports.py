"""Pages of the monthly and annual reports (docs/reports.md): the list of generated reports (scoped), the form that
starts one on demand (a job with progress), and the download of a report's Excel or PDF (the job's file, only to
whom may read that report)."""

import datetime as dt

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.utils import timezone

from apps.common.exceptions import DomainError
from apps.common.viewmixins import ScopedDetailView, ScopedFormView, ScopedListView

from . import reports
from .models import ReportKind


class ReportRequestForm(forms.Form):
    kind = forms.ChoiceField(
        label="报告类型",
        choices=ReportKind.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"required": "请选择报告类型", "invalid_choice": "报告类型应为“月报”或“年报”"},
    )
    year = forms.IntegerField(
        label="年度",
        widget=forms.NumberInput(attrs={"class": "form-control", "inputmode": "numeric"}),
        error_messages={"required": "请填写年度", "invalid": "年度应为整数"},
    )
    month = forms.IntegerField(
        label="月份（月报）",
        required=False,
        help_text="月报填 1–12；年报留空",
        widget=forms.NumberInput(attrs={"class": "form-control", "inputmode": "numeric"}),
        error_messages={"invalid": "月份应为整数"},
    )

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            self.period = reports.period_parse(data["kind"], data["year"], data.get("month"))
        except DomainError as exc:
            for name, msgs in (exc.fields or {"": [exc.message]}).items():
                for msg in msgs:
                    self.add_error(name or None, msg)
        return data


def _initial() -> dict:
    today = timezone.localdate()
    last = today.replace(day=1) - dt.timedelta(days=1)
    return {"kind": ReportKind.MONTHLY, "year": last.year, "month": last.month}


class ReportListView(ScopedListView):
    """The generated reports the user may read (a township role: its township's only), with download links."""

    permission_required = "dashboard.view_report"
    selector = staticmethod(reports.report_list)
    filterset_class = reports.ReportFilter
    template_name = "dashboard/reports/report_list.html"
    paginate_by = 30

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_run"] = self.request.user.has_perm(reports.RUN_PERM)
        if context["can_run"]:
            context["form"] = ReportRequestForm(initial=_initial())
        return context


class ReportRequestView(ScopedFormView):
    """The form (GET) and the start of a report job (POST, ``dashboard.run_report``) → the job's progress page.
    Bad input: the form again with the Chinese errors and 400."""

    permission_required = ("dashboard.view_report", "dashboard.run_report")
    template_name = "dashboard/reports/report_form.html"
    form_class = ReportRequestForm

    def get_initial(self):
        return _initial()

    def form_valid(self, form):
        p = form.period
        try:
            job = reports.report_request(actor=self.request.user, kind=p.kind, year=p.year, month=p.month)
        except DomainError as exc:
            form.add_error(None, exc.message)
            return self.render_to_response(self.get_context_data(form=form), status=exc.status_code)
        messages.success(self.request, f"已开始生成{p.title}，完成后可在“月报与年报”中下载")
        return redirect("jobs:detail", pk=job.pk)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


class ReportDownloadView(ScopedDetailView):
    """A report's Excel or PDF (``fmt`` = xlsx | pdf), for whom may read that report; 404 otherwise."""

    permission_required = "dashboard.view_report"
    selector = staticmethod(reports.report_get)
    CONTENT_TYPES = {
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "pdf": "application/pdf",
    }

    def get(self, request, *args, **kwargs):
        fmt = kwargs["fmt"]
        if fmt not in self.CONTENT_TYPES:
            raise Http404("不支持的文件格式")
        report = self.object
        path = reports.report_file_path(report, fmt)
        if not path.exists():
            raise Http404("报告文件不存在")
        response = FileResponse(
            path.open("rb"),
            as_attachment=True,
            filename=reports.report_filename(report, fmt),
            content_type=self.CONTENT_TYPES[fmt],
        )
        response["Cache-Control"] = "no-store"
        return response
