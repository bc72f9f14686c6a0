"""工作日历: the years the platform knows, and entering a year's holiday schedule by form or Excel (issue 8 §13)."""

import datetime as dt

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from . import calendar_entries as ce
from .exceptions import ValidationFailed
from .viewmixins import ScopedActionView, ScopedPageView
from .workdays import SOURCE_CHINESE_CALENDAR, SOURCE_FALLBACK, WorkdayCalendar, missing_calendar_years

STATUS_LABELS = {
    SOURCE_CHINESE_CALENDAR: "已内置（国务院通知）",
    "override": "已录入",
    SOURCE_FALLBACK: "未加载：按周一至周五计算",
}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class YearForm(forms.Form):
    year = forms.IntegerField(label="年份", min_value=ce.MIN_YEAR, max_value=ce.MAX_YEAR)
    rest_days = forms.CharField(
        label="放假（休息日）",
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8, "placeholder": "2027-01-01 元旦\n2027-02-06 至 2027-02-13 春节"}),
        help_text="每行一个日期或区间，可加说明；放假区间内的周末可写可不写。",
    )
    work_days = forms.CharField(
        label="调休上班日",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "2027-02-20 春节调休"}),
        help_text="需要上班的周末，每行一个日期。",
    )


class UploadForm(forms.Form):
    year = forms.IntegerField(label="年份", min_value=ce.MIN_YEAR, max_value=ce.MAX_YEAR)
    file = forms.FileField(label="Excel 文件（.xlsx）")


def _year_from(request, default: int) -> int:
    try:
        return ce.check_year(request.GET.get("year") or default)
    except ValidationFailed:
        return default


def _lines(rows, *, workday: bool) -> str:
    return "\n".join(f"{r.date.isoformat()} {r.note}".strip() for r in rows if r.is_workday == workday)


def _years_overview(today: dt.date) -> list[dict]:
    calendar = WorkdayCalendar()
    out = []
    for year in range(today.year - 1, today.year + 3):
        status = calendar.status(year)
        entered = calendar.overrides_for_year(year)
        out.append(
            {
                "year": year,
                "status": status,
                "label": STATUS_LABELS[status],
                "rest": sum(1 for w in entered.values() if not w),
                "work": sum(1 for w in entered.values() if w),
                "url": f"{reverse('calendar:index')}?year={year}",
            }
        )
    return out


def _render(request, *, year: int, form=None, upload=None, problems=None, status=200):
    today = timezone.localdate()
    years = _years_overview(today)
    rows = ce.calendar_year_entries(year)
    can_edit = request.user.has_perm(ce.WRITE_PERM)
    initial = {"year": year, "rest_days": _lines(rows, workday=False), "work_days": _lines(rows, workday=True)}
    context = {
        "year": year,
        "years": years,
        "missing": missing_calendar_years(today=today),
        "status_label": STATUS_LABELS[WorkdayCalendar().status(year)],
        "rows": rows,
        "kind_labels": ce.KIND_LABELS,
        "can_edit": can_edit,
        "form": form or YearForm(initial=initial),
        "upload": upload or UploadForm(initial={"year": year}),
        "problems": problems or [],
    }
    return render(request, "common/calendar.html", context, status=status)


class CalendarView(ScopedPageView):
    """GET: the years and one year's entries; POST (``WRITE_PERM``): the year's schedule entered by form."""

    permission_required = "common.view_calendaroverride"

    def _default_year(self) -> int:
        today = timezone.localdate()
        calendar = WorkdayCalendar()
        return next((y for y in (today.year, today.year + 1) if calendar.status(y) == SOURCE_FALLBACK), today.year + 1)

    def get(self, request, *args, **kwargs):
        return _render(request, year=_year_from(request, self._default_year()))

    def post(self, request, *args, **kwargs):
        if not request.user.has_perm(ce.WRITE_PERM):
            raise PermissionDenied
        form = YearForm(request.POST)
        if not form.is_valid():
            return _render(request, year=_safe_year(form.data.get("year"), self._default_year()), form=form, status=400)
        year = form.cleaned_data["year"]
        try:
            entries = ce.entries_from_text(
                year=year, rest_days=form.cleaned_data["rest_days"], work_days=form.cleaned_data["work_days"]
            )
            result = ce.calendar_year_set(actor=request.user, year=year, entries=entries, source="form")
        except ValidationFailed as exc:
            return _render(
                request, year=year, form=form, problems=[exc.message, *exc.fields.get("problems", [])], status=400
            )
        _saved_message(request, result)
        return redirect(f"{reverse('calendar:index')}?year={year}")


def _safe_year(value, default: int) -> int:
    try:
        return ce.check_year(value)
    except ValidationFailed:
        return default


def _saved_message(request, result: dict) -> None:
    moved = sum(v for v in result["moved"].values() if isinstance(v, int))
    text = f"已保存 {result['year']} 年节假日安排：休息日 {result['rest']} 天，调休上班日 {result['work']} 天。"
    if moved:
        text += f"已按新日历重新计算 {moved} 个未到期的时限。"
    messages.success(request, text)


class CalendarUploadView(ScopedActionView):
    """A year's schedule entered from the Excel template; a refused file re-renders the page with its problems."""

    permission_required = ce.WRITE_PERM

    def post(self, request, *args, **kwargs):
        today = timezone.localdate()
        upload = UploadForm(request.POST, request.FILES)
        if not upload.is_valid():
            year = _safe_year(upload.data.get("year"), today.year + 1)
            return _render(request, year=year, upload=upload, status=400)
        year = upload.cleaned_data["year"]
        try:
            entries = ce.entries_from_workbook(upload.cleaned_data["file"].read(), year=year)
            result = ce.calendar_year_set(actor=request.user, year=year, entries=entries, source="excel")
        except ValidationFailed as exc:
            return _render(
                request, year=year, upload=upload, problems=[exc.message, *exc.fields.get("problems", [])], status=400
            )
        _saved_message(request, result)
        return redirect(f"{reverse('calendar:index')}?year={year}")


class CalendarTemplateView(ScopedPageView):
    """The Excel template of a year's schedule."""

    permission_required = "common.view_calendaroverride"

    def get(self, request, *args, **kwargs):
        year = _year_from(request, timezone.localdate().year + 1)
        response = HttpResponse(ce.calendar_template(year=year), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="calendar-{year}.xlsx"'
        return response
