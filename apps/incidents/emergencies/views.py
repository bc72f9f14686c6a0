"""Staff pages of food-safety incidents (under /incidents/incidents/, namespace ``incidents``): the list (FilterSet,
first-report clock, Excel export), create and edit, the detail page (clocks, reports timeline, actions, history,
links), the report and action forms, and the two previewed, confirmed steps: level confirmation and closing.

A step refused by its service (a report before the incident was learned of, a second 终报, closing without 终报,
editing a closed incident) re-renders the page with the Chinese message and the service's 4xx; nothing is written."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from apps.common.confirm import Confirm, is_confirmed
from apps.common.exceptions import DomainError, OutOfScope
from apps.common.viewmixins import (
    RowStepView,
    ScopedDetailView,
    ScopedFormView,
    ScopedListView,
    ScopedObjectMixin,
)
from apps.common.views_export import ExportDownloadView, FilteredExportView

from ..models.emergencies import IncidentStatus
from . import selectors as sel
from . import services
from .exports import export_file_path, incident_export
from .filters import IncidentFilterSet
from .forms import ActionForm, CloseForm, IncidentForm, LevelForm, ReportForm
from .job_handlers import EXPORT_JOB_KIND

S = IncidentStatus
VIEW = "incidents.view_incident"
CHANGE = (VIEW, "incidents.change_incident")
MANAGE = (VIEW, "incidents.manage_incident")


def _townships_for(user):
    from apps.accounts.models import Township
    from apps.common.scoping import user_sees_all_townships, user_township_ids

    qs = Township.objects.filter(is_active=True).order_by("order", "id")
    return qs if user_sees_all_townships(user) else qs.filter(pk__in=user_township_ids(user))


def _put_errors(form, exc: DomainError) -> None:
    for field, errors in (exc.fields or {}).items():
        for error in errors:
            form.add_error(field if field in form.fields else None, error)
    if not exc.fields:
        form.add_error(None, exc.message)


class IncidentListView(ScopedListView):
    permission_required = VIEW
    selector = staticmethod(sel.incident_list)
    filterset_class = IncidentFilterSet
    paginate_by = 30
    template_name = "incidents/emergencies/incident_list.html"

    def decorate_page(self, page):
        now = timezone.now()
        for inc in page:
            inc.clock = sel.first_report_clock(inc, now=now)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            can_add=user.has_perm("incidents.add_incident"), can_export=user.has_perm("incidents.export_incident")
        )
        return context


class IncidentExportView(FilteredExportView):
    permission_required = (VIEW, "incidents.export_incident")
    selector = staticmethod(sel.incident_list)
    export = staticmethod(incident_export)
    job_kind = EXPORT_JOB_KIND
    title = "食品安全事件"
    ascii_name = "incidents"
    list_url_name = "incidents:incidents"


class IncidentExportDownloadView(ExportDownloadView):
    permission_required = (VIEW, "incidents.export_incident")
    job_kind = EXPORT_JOB_KIND
    file_path = staticmethod(export_file_path)
    ascii_name = "incidents"


def _incident_kwargs(data: dict) -> dict:
    """Form data → service keywords (an empty count is 0; an empty townships count is 1)."""
    return {
        "title": data.get("title") or "",
        "township": data.get("township"),
        "occurred_at": data.get("occurred_at"),
        "learned_at": data.get("learned_at"),
        "affected_count": 0 if data.get("affected_count") is None else data["affected_count"],
        "dead_count": 0 if data.get("dead_count") is None else data["dead_count"],
        "townships_count": 1 if data.get("townships_count") is None else data["townships_count"],
        "schools_involved": bool(data.get("schools_involved")),
        "major_event": bool(data.get("major_event")),
        "places": data.get("places") or "",
        "description": data.get("description") or "",
    }


class _IncidentFormMixin:
    template_name = "incidents/emergencies/incident_form.html"
    form_class = IncidentForm

    def get_form_kwargs(self):
        from apps.enterprises.models import Enterprise

        kwargs = super().get_form_kwargs()
        kwargs.update(
            townships=_townships_for(self.request.user), enterprises=Enterprise.objects.visible_to(self.request.user)
        )
        return kwargs

    def _sample_refs(self, form):
        numbers = form.cleaned_data.get("sample_numbers") or []
        found, missing = services.sample_refs_for(numbers, actor=self.request.user)
        if missing:
            form.add_error("sample_numbers", f"没有这些抽样单（或不在您的管辖范围内）：{'、'.join(missing[:5])}")
        return found

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


class IncidentCreateView(_IncidentFormMixin, ScopedFormView):
    permission_required = (VIEW, "incidents.add_incident")

    def get_initial(self):
        now = timezone.localtime().replace(second=0, microsecond=0)
        initial = {"learned_at": now, "townships_count": 1, "affected_count": 0, "dead_count": 0}
        townships = list(_townships_for(self.request.user)[:2])
        if len(townships) == 1:
            initial["township"] = townships[0]
        return initial

    def form_valid(self, form):
        sample_refs = self._sample_refs(form)
        if form.errors:
            return self.form_invalid(form)
        try:
            incident = services.incident_create(
                actor=self.request.user,
                enterprises=form.cleaned_data.get("enterprise_refs") or [],
                sample_refs=sample_refs,
                **_incident_kwargs(form.cleaned_data),
            )
        except DomainError as exc:
            _put_errors(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"已登记 {incident.number}，初报期限 {timezone.localtime(incident.first_report_due):%Y-%m-%d %H:%M}",
        )
        return redirect("incidents:incident_detail", pk=incident.pk)


class IncidentEditView(_IncidentFormMixin, ScopedObjectMixin, ScopedFormView):
    permission_required = CHANGE
    selector = staticmethod(sel.incident_get)

    def check_object(self):
        if self.object.status == S.CLOSED:
            messages.error(self.request, services.CLOSED_MESSAGE)
            if self.request.method == "POST":
                return TemplateResponse(
                    self.request,
                    "incidents/emergencies/incident_detail.html",
                    detail_context(self.request, self.object, error=services.CLOSED_MESSAGE),
                    status=409,
                )
            return redirect("incidents:incident_detail", pk=self.object.pk)
        return None

    def get_initial(self):
        inc = self.object
        initial = {f: getattr(inc, f) for f in services.EDITABLE}
        initial["occurred_at"] = timezone.localtime(inc.occurred_at)
        initial["learned_at"] = timezone.localtime(inc.learned_at)
        initial["enterprise_refs"] = "\n".join(inc.enterprises.values_list("uscc", flat=True))
        links = sel.incident_links(inc, actor=self.request.user)
        initial["sample_numbers"] = "\n".join(
            link["label"].split()[1] for link in links if link["label"].startswith("抽样单 ")
        )
        return initial

    def form_valid(self, form):
        sample_refs = self._sample_refs(form)
        if form.errors:
            return self.form_invalid(form)
        try:
            services.incident_update(
                actor=self.request.user,
                incident_id=self.object.pk,
                data=_incident_kwargs(form.cleaned_data),
                enterprises=form.cleaned_data.get("enterprise_refs") or [],
                sample_refs=sample_refs,
            )
        except OutOfScope:
            raise Http404 from None
        except DomainError as exc:
            _put_errors(form, exc)
            return self.render_to_response(self.get_context_data(form=form), status=exc.status_code)
        messages.success(self.request, "已保存")
        return redirect("incidents:incident_detail", pk=self.object.pk)


def detail_context(request, inc, *, forms: dict | None = None, error: str = "") -> dict:
    user = request.user
    forms = forms or {}
    can_change = user.has_perm("incidents.change_incident") and inc.status != S.CLOSED
    can_manage = user.has_perm("incidents.manage_incident") and inc.status != S.CLOSED
    kinds = sel.report_kinds_allowed(inc)
    suggestion = sel.incident_suggestion(inc)
    criteria = sel.grading_criteria_for(inc)
    return {
        "object": inc,
        "incident": inc,
        "clock": sel.first_report_clock(inc),
        "other_clocks": sel.other_clocks(inc),
        "reports": sel.incident_reports(inc),
        "actions": sel.incident_actions(inc),
        "events": sel.incident_events(inc),
        "enterprises": sel.incident_enterprises(inc, actor=user),
        "links": sel.incident_links(inc, actor=user),
        "suggestion": suggestion,
        "criteria": criteria,
        "can_change": can_change,
        "can_manage": can_manage,
        "report_form": (forms.get("report") or ReportForm(prefix="report", kinds=kinds))
        if can_change and kinds
        else None,
        "action_form": (forms.get("action") or ActionForm(prefix="action")) if can_change else None,
        "can_close": can_manage and inc.can_transition_to(S.CLOSED),
        "step_error": error,
    }


class IncidentDetailView(ScopedDetailView):
    permission_required = VIEW
    selector = staticmethod(sel.incident_get)
    template_name = "incidents/emergencies/incident_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(detail_context(self.request, self.object))
        return context


class _StepView(RowStepView):
    """One form on the detail page → the service; refused → the detail page again, with the message, the form's
    errors and the service's 4xx."""

    permission_required = CHANGE
    selector = staticmethod(sel.incident_get)

    detail_url_name = "incidents:incident_detail"
    detail_template = "incidents/emergencies/incident_detail.html"

    def detail_context(self, row, *, forms, error):
        return detail_context(self.request, row, forms=forms, error=error)


class IncidentReportView(_StepView):
    form_key, success = "report", "报告已登记"

    def make_form(self, data):
        return ReportForm(data, prefix="report", kinds=sel.report_kinds_allowed(self.object) or None)

    def run(self, d):
        services.incident_report_submit(
            actor=self.request.user,
            incident_id=self.object.pk,
            kind=d.get("kind") or "",
            content=d.get("content") or "",
            submitted_at=d.get("submitted_at") or timezone.now(),
        )


class IncidentActionView(_StepView):
    form_key, success = "action", "处置措施已记录"

    def make_form(self, data):
        return ActionForm(data, prefix="action")

    def run(self, d):
        services.incident_action_add(
            actor=self.request.user,
            incident_id=self.object.pk,
            at=d.get("at") or timezone.now(),
            text=d.get("text") or "",
        )


class _ConfirmView(ScopedDetailView):
    """GET: the preview; a confirmed POST (apps.common.confirm): the step; refused → the preview with the message."""

    permission_required = MANAGE
    selector = staticmethod(sel.incident_get)
    template_name = "incidents/emergencies/incident_confirm.html"
    form_class = None

    def check_object(self):
        if self.object.status == S.CLOSED:
            messages.error(self.request, services.CLOSED_MESSAGE)
            return redirect("incidents:incident_detail", pk=self.object.pk)
        return None

    def confirm(self, form) -> Confirm:
        raise NotImplementedError

    def run(self, d):
        raise NotImplementedError

    def get_context_data(self, form=None, error="", **kwargs):
        context = super().get_context_data(**kwargs)
        inc = self.object
        form = form or self.form_class(initial=self.initial())
        context.update(
            incident=inc,
            suggestion=sel.incident_suggestion(inc),
            criteria=sel.grading_criteria_for(inc),
            clock=sel.first_report_clock(inc),
            reports=sel.incident_reports(inc),
            confirm=self.confirm(form),
            step_error=error,
            step_title=self.step_title,
        )
        return context

    def initial(self):
        return {}

    def post(self, request, *args, **kwargs):
        form = self.form_class(request.POST)
        if not is_confirmed(request) or not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form, error="请核对后确认"), status=400)
        try:
            self.run(form.cleaned_data)
        except OutOfScope:
            raise Http404 from None
        except DomainError as exc:
            for field, errors in (exc.fields or {}).items():
                for err in errors:
                    if field in form.fields:
                        form.add_error(field, err)
            return self.render_to_response(self.get_context_data(form=form, error=exc.message), status=exc.status_code)
        messages.success(request, self.success)
        return redirect("incidents:incident_detail", pk=self.object.pk)


class IncidentLevelView(_ConfirmView):
    form_class = LevelForm
    step_title = "确认事件级别"
    success = "事件级别已确认"

    def initial(self):
        return {"level": self.object.level or sel.incident_suggestion(self.object).level}

    def confirm(self, form):
        suggestion = sel.incident_suggestion(self.object)
        return Confirm(
            title="确认事件级别",
            action=reverse("incidents:incident_level", args=[self.object.pk]),
            button="确认级别",
            cancel_url=reverse("incidents:incident_detail", args=[self.object.pk]),
            consequences=[
                f"按生效的分级标准，建议级别为：{suggestion.label}"
                + (f"（{'；'.join(suggestion.reasons)}）" if suggestion.reasons else ""),
                "确认的级别决定由哪一级政府组织处置、向哪一级报告；确认人和理由记入审计日志。",
                "人数变化后可以重新确认。",
            ],
            form=form,
            irreversible=False,
        )

    def run(self, d):
        services.incident_level_confirm(
            actor=self.request.user, incident_id=self.object.pk, level=d.get("level") or "", note=d.get("note") or ""
        )


class IncidentCloseView(_ConfirmView):
    form_class = CloseForm
    step_title = "事件结案"
    success = "事件已结案"

    def confirm(self, form):
        inc = self.object
        blockers = []
        if not inc.can_transition_to(S.CLOSED):
            blockers.append("报送终报后才能结案")
        if not inc.level:
            blockers.append("请先确认事件级别")
        return Confirm(
            title="确认结案",
            action=reverse("incidents:incident_close", args=[inc.pk]),
            button="确认结案",
            cancel_url=reverse("incidents:incident_detail", args=[inc.pk]),
            consequences=[
                "结案后事件信息、报告和处置措施都不能再修改或补充。",
                "结案总结和结案时间记入事件，结案人记入审计日志。",
            ],
            blockers=blockers,
            form=form,
            tone="danger",
        )

    def run(self, d):
        services.incident_close(actor=self.request.user, incident_id=self.object.pk, summary=d.get("summary") or "")
