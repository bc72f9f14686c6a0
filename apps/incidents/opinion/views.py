"""Staff pages of 舆情 events (under /incidents/opinion/, namespace ``incidents``): the list (FilterSet, Excel
export), record and edit, the detail page (response clock, assessment, actions, enterprise suggestions, spawn
buttons, history), each step as a POST, and the previews + confirmations of the two spawns.

A step refused by its service (a response before discovery, a heat out of 1–5, closing without a response) re-renders
the detail page with the Chinese message and the service's 4xx status; nothing is written."""

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

from . import selectors as sel
from . import services
from .choices import ACTION_STATUSES, OpinionStatus
from .exports import export_file_path, opinion_export
from .filters import OpinionEventFilterSet
from .forms import ActionForm, AssessForm, CloseForm, EnterpriseForm, EventForm, RespondForm, SpawnInspectionForm
from .job_handlers import EXPORT_JOB_KIND

S = OpinionStatus
VIEW = "incidents.view_opinionevent"
CHANGE = (VIEW, "incidents.change_opinionevent")


def _townships_for(user):
    from apps.accounts.models import Township
    from apps.common.scoping import user_sees_all_townships, user_township_ids

    qs = Township.objects.filter(is_active=True).order_by("order", "id")
    return qs if user_sees_all_townships(user) else qs.filter(pk__in=user_township_ids(user))


def _put_errors(form, exc: DomainError) -> None:
    for field, errors in (exc.fields or {}).items():
        for error in errors:
            form.add_error(field if field in form.fields else None, error)
    if not any(f in form.fields for f in exc.fields or {}):
        form.add_error(None, exc.message)


class OpinionListView(ScopedListView):
    permission_required = VIEW
    selector = staticmethod(sel.event_list)
    filterset_class = OpinionEventFilterSet
    paginate_by = 30
    template_name = "incidents/opinion/event_list.html"

    def decorate_page(self, page):
        now = timezone.now()
        for e in page:
            e.clock = sel.response_clock_of(e, now=now)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            can_add=user.has_perm("incidents.add_opinionevent"),
            can_export=user.has_perm("incidents.export_opinionevent"),
        )
        return context


class OpinionExportView(FilteredExportView):
    permission_required = (VIEW, "incidents.export_opinionevent")
    selector = staticmethod(sel.event_list)
    export = staticmethod(opinion_export)
    job_kind = EXPORT_JOB_KIND
    title = "舆情事件"
    ascii_name = "opinion"
    list_url_name = "incidents:opinion_events"


class OpinionExportDownloadView(ExportDownloadView):
    permission_required = (VIEW, "incidents.export_opinionevent")
    job_kind = EXPORT_JOB_KIND
    file_path = staticmethod(export_file_path)
    ascii_name = "opinion"


class OpinionCreateView(ScopedFormView):
    permission_required = (VIEW, "incidents.add_opinionevent")
    template_name = "incidents/opinion/event_form.html"
    form_class = EventForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "townships": _townships_for(self.request.user)}

    def get_initial(self):
        return {"discovered_at": timezone.localtime().replace(second=0, microsecond=0)}

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        try:
            event = services.event_create(actor=self.request.user, data=data, submit_token=data.get("submit_token"))
        except DomainError as exc:
            _put_errors(form, exc)
            return self.render_to_response(self.get_context_data(form=form), status=exc.status_code)
        messages.success(
            self.request, f"已登记 {event.number}，回应期限 {timezone.localtime(event.response_due):%Y-%m-%d %H:%M}"
        )
        return redirect("incidents:opinion_event_detail", pk=event.pk)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


class OpinionEditView(ScopedObjectMixin, ScopedFormView):
    permission_required = CHANGE
    selector = staticmethod(sel.event_get)
    template_name = "incidents/opinion/event_form.html"
    form_class = EventForm

    def check_object(self):
        if self.object.status == S.CLOSED:
            messages.error(self.request, "已关闭的舆情事件不能修改")
            return redirect("incidents:opinion_event_detail", pk=self.object.pk)
        return None

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "townships": _townships_for(self.request.user)}

    def get_initial(self):
        e = self.object
        return {
            "title": e.title,
            "source": e.source,
            "source_detail": e.source_detail,
            "discovered_at": timezone.localtime(e.discovered_at),
            "content": e.content,
            "subject_name": e.subject_name,
            "address": e.address,
            "township": e.township_id,
        }

    def form_valid(self, form):
        try:
            services.event_update(actor=self.request.user, event_id=self.object.pk, data=dict(form.cleaned_data))
        except OutOfScope:
            raise Http404 from None
        except DomainError as exc:
            _put_errors(form, exc)
            return self.render_to_response(self.get_context_data(form=form), status=exc.status_code)
        messages.success(self.request, "已保存")
        return redirect("incidents:opinion_event_detail", pk=self.object.pk)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


def detail_context(request, e, *, forms: dict | None = None, error: str = "") -> dict:
    user = request.user
    can_change = user.has_perm("incidents.change_opinionevent")
    forms = forms or {}
    steps = {}
    if can_change:
        if e.status in (S.PENDING, S.HANDLING):
            steps["assess"] = forms.get("assess") or AssessForm(
                prefix="assess", initial={"heat": e.heat, "risk": e.risk, "note": e.assessment_note}
            )
        if e.status in ACTION_STATUSES:
            steps["action"] = forms.get("action") or ActionForm(prefix="action")
        if e.can_transition_to(S.RESPONDED):
            steps["respond"] = forms.get("respond") or RespondForm(prefix="respond")
        if e.can_transition_to(S.CLOSED):
            steps["close"] = forms.get("close") or CloseForm(prefix="close")
    linked = sel.event_enterprises(e)
    provider = services.inspection_provider()
    inspection_blockers = []
    if provider is None:
        inspection_blockers.append(services.NO_INSPECTION_PROVIDER)
    if not linked:
        inspection_blockers.append("请先确认关联检查对象，再对其发起飞行检查")
    return {
        "object": e,
        "event": e,
        "clock": sel.response_clock_of(e),
        "history": sel.event_history(e),
        "actions": sel.event_actions(e),
        "linked": linked,
        "suggestions": sel.enterprise_suggestions(e, actor=user) if e.status != S.CLOSED else [],
        "can_change": can_change,
        "can_incident": can_change and user.has_perm("incidents.add_incident"),
        "steps": steps,
        "inspection_blockers": inspection_blockers,
        "step_error": error,
    }


class OpinionDetailView(ScopedDetailView):
    permission_required = VIEW
    selector = staticmethod(sel.event_get)
    template_name = "incidents/opinion/event_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(detail_context(self.request, self.object))
        return context


class _StepView(RowStepView):
    """One step on an event: the form (prefixed) → the service; refused → the detail page again, with the message,
    the form's errors and the service's 4xx."""

    permission_required = CHANGE
    selector = staticmethod(sel.event_get)

    detail_url_name = "incidents:opinion_event_detail"
    detail_template = "incidents/opinion/event_detail.html"

    def detail_context(self, row, *, forms, error):
        return detail_context(self.request, row, forms=forms, error=error)


class OpinionAssessView(_StepView):
    form_key, form_class, success = "assess", AssessForm, "已研判"

    def run(self, d):
        services.event_assess(
            actor=self.request.user,
            event_id=self.object.pk,
            heat=d.get("heat"),
            risk=d.get("risk") or "",
            note=d.get("note") or "",
        )


class OpinionActionView(_StepView):
    form_key, form_class, success = "action", ActionForm, "已记录处置措施"

    def run(self, d):
        services.action_add(
            actor=self.request.user,
            event_id=self.object.pk,
            text=d.get("text") or "",
            at=d.get("at"),
            submit_token=d.get("submit_token"),
        )


class OpinionRespondView(_StepView):
    form_key, form_class, success = "respond", RespondForm, "已登记回应"

    def run(self, d):
        services.event_respond(
            actor=self.request.user,
            event_id=self.object.pk,
            text=d.get("response_text") or "",
            responded_at=d.get("responded_at"),
        )


class OpinionCloseView(_StepView):
    form_key, form_class, success = "close", CloseForm, "已关闭"

    def run(self, d):
        services.event_close(actor=self.request.user, event_id=self.object.pk, summary=d.get("closing_summary") or "")


class OpinionLinkView(_StepView):
    form_key, form_class, success = "link", EnterpriseForm, "已确认关联检查对象"

    def make_form(self, data):
        return EnterpriseForm(data)

    def run(self, d):
        services.enterprise_link(
            actor=self.request.user,
            event_id=self.object.pk,
            enterprise_id=d.get("enterprise"),
            reason=d.get("reason") or "",
        )


class OpinionUnlinkView(_StepView):
    form_key, form_class, success = "unlink", EnterpriseForm, "已取消关联"

    def make_form(self, data):
        return EnterpriseForm(data)

    def run(self, d):
        services.enterprise_unlink(actor=self.request.user, event_id=self.object.pk, enterprise_id=d.get("enterprise"))


class SpawnIncidentView(ScopedDetailView):
    """GET: what the incident will be (preview); POST confirm=yes: open it (a second time returns the first)."""

    permission_required = (*CHANGE, "incidents.add_incident")
    selector = staticmethod(sel.event_get)
    template_name = "incidents/opinion/spawn_incident.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        e = self.object
        blockers = []
        if e.spawned_incident_id:
            blockers.append(f"已转为食品安全事件 {e.spawned_incident.number}，不会重复登记")
        elif e.status == S.CLOSED:
            blockers.append("已关闭的舆情事件不能再转为食品安全事件")
        context.update(
            event=e,
            confirm=Confirm(
                title="确认转为食品安全事件",
                action=reverse("incidents:opinion_spawn_incident", args=[e.pk]),
                button="确认登记食品安全事件",
                cancel_url=reverse("incidents:opinion_event_detail", args=[e.pk]),
                consequences=[
                    f"登记食品安全事件“{e.title}”，镇街：{e.township.name if e.township_id else '未指定（全市）'}。",
                    f"发生时间记为本舆情的发现时间 {timezone.localtime(e.discovered_at):%Y-%m-%d %H:%M}，获知时间记为确认时刻；"
                    "自获知时间起 2 小时内须初报。",
                    f"事件注明来源“舆情 {e.number}”，本舆情页面链接到该事件。",
                ],
                blockers=blockers,
            ),
        )
        return context

    def post(self, request, *args, **kwargs):
        pk = self.object.pk
        if not is_confirmed(request):
            messages.warning(request, "请先核对将登记的食品安全事件，再确认")
            return redirect("incidents:opinion_spawn_incident", pk=pk)
        try:
            event, created = services.spawn_incident(actor=request.user, event_id=pk)
        except OutOfScope:
            raise Http404 from None
        except DomainError as exc:
            messages.error(request, exc.message)
            return TemplateResponse(request, self.template_name, self.get_context_data(), status=exc.status_code)
        number = event.spawned_incident.number
        if created:
            messages.success(request, f"已登记食品安全事件 {number}")
        else:
            messages.info(request, f"已转为食品安全事件 {number}，未重复登记")
        return redirect("incidents:opinion_event_detail", pk=pk)


class SpawnInspectionView(ScopedDetailView):
    """GET: the flying inspection the inspections service will create (preview, enterprise and reason); POST
    confirm=yes: create it through the ``inspections.flying_create`` provider (a second time returns the first)."""

    permission_required = CHANGE
    selector = staticmethod(sel.event_get)
    template_name = "incidents/opinion/spawn_inspection.html"

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        e = self.object
        linked = sel.event_enterprises(e)
        form = form or SpawnInspectionForm(
            enterprises=linked, initial={"enterprise": linked[0].pk if len(linked) == 1 else None}
        )
        blockers = []
        if e.spawned_inspection_ref:
            blockers.append("已发起飞行检查，不会重复创建")
        elif services.inspection_provider() is None:
            blockers.append(services.NO_INSPECTION_PROVIDER)
        elif not linked:
            blockers.append("请先在舆情页面确认关联检查对象，再对其发起飞行检查")
        elif e.status == S.CLOSED:
            blockers.append("已关闭的舆情事件不能再发起飞行检查")
        context.update(
            event=e,
            linked=linked,
            confirm=Confirm(
                title="确认发起飞行检查",
                action=reverse("incidents:opinion_spawn_inspection", args=[e.pk]),
                button="确认发起飞行检查",
                cancel_url=reverse("incidents:opinion_event_detail", args=[e.pk]),
                consequences=[
                    "由监督检查应用新建一项飞行检查任务（不预先通知），自动安排 2 名检查人员（本镇街优先、任务少者优先，执行回避）；"
                    "检查人员可在任务页面改派。",
                    f"检查事由注明来源“舆情 {e.number}”，本舆情页面链接到该任务。",
                ],
                blockers=blockers,
                form=form,
            ),
        )
        return context

    def post(self, request, *args, **kwargs):
        pk = self.object.pk
        linked = sel.event_enterprises(self.object)
        form = SpawnInspectionForm(request.POST, enterprises=linked)
        if not is_confirmed(request):
            messages.warning(request, "请先核对将发起的飞行检查，再确认")
            return redirect("incidents:opinion_spawn_inspection", pk=pk)
        if not form.is_valid():
            return TemplateResponse(request, self.template_name, self.get_context_data(form=form), status=400)
        try:
            event, created = services.spawn_inspection(
                actor=request.user,
                event_id=pk,
                enterprise_id=form.cleaned_data.get("enterprise"),
                reason=form.cleaned_data.get("reason") or "",
            )
        except OutOfScope:
            raise Http404 from None
        except DomainError as exc:
            for field, errors in (exc.fields or {}).items():
                for error in errors:
                    if field in form.fields:
                        form.add_error(field, error)
            messages.error(request, exc.message)
            return TemplateResponse(
                request, self.template_name, self.get_context_data(form=form), status=exc.status_code
            )
        if created:
            messages.success(request, f"已发起飞行检查（{event.spawned_inspection_ref}）")
        else:
            messages.info(request, "已发起过飞行检查，未重复创建")
        return redirect("incidents:opinion_event_detail", pk=pk)
