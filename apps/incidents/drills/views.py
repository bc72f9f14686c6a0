"""Pages of emergency plans and drills (under /incidents/, namespace ``incidents``): the plan list, a plan with its
version history and the upload of a new version (a draft, then preview + confirm: issuing is irreversible), the
drill list with its per-township table and Excel export, a drill's detail, create and edit pages, and the
attachment upload and download (``apps.common.uploads.file_response``).

Input the service refuses re-renders the form with the Chinese message beside its field and the service's 4xx;
nothing is written."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from apps.common import uploads
from apps.common.confirm import Confirm, is_confirmed
from apps.common.exceptions import DomainError, OutOfScope
from apps.common.scoping import user_sees_all_townships, user_township_ids
from apps.common.viewmixins import (
    RowFormView,
    ScopedDetailView,
    ScopedFormView,
    ScopedListView,
    ScopedObjectMixin,
    form_errors_from,
)
from apps.common.views_export import ExportDownloadView, FilteredExportView

from ..models.drills import EmergencyPlan
from . import selectors as sel
from . import services
from .exports import drill_export, export_file_path, plan_export, plan_export_file_path
from .filters import DrillFilterSet, PlanFilterSet
from .forms import AttachmentForm, DrillForm, PlanForm, VersionForm
from .job_handlers import EXPORT_JOB_KIND, PLAN_EXPORT_JOB_KIND


def _townships_for(user):
    from apps.accounts.models import Township

    qs = Township.objects.filter(is_active=True).order_by("order", "id")
    return qs if user_sees_all_townships(user) else qs.filter(pk__in=user_township_ids(user))


def _plans_for(user):
    qs = EmergencyPlan.objects.visible_to(user).select_related("township").order_by("level", "township__order", "title")
    if not user_sees_all_townships(user):
        qs = qs.filter(Q(township__isnull=True) | Q(township__in=user_township_ids(user)))
    return qs


# ------------------------------------------------------------------------------------------------ plans
class PlanListView(ScopedListView):
    permission_required = "incidents.view_emergencyplan"
    selector = staticmethod(sel.plan_list)
    filterset_class = PlanFilterSet
    template_name = "incidents/drills/plan_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_add"] = self.request.user.has_perm("incidents.add_emergencyplan")
        context["can_export"] = self.request.user.has_perm("incidents.export_drill")
        return context


class PlanExportView(FilteredExportView):
    """The plan list (same filters) as Excel; the export permission of drills covers plans."""

    permission_required = ("incidents.view_emergencyplan", "incidents.export_drill")
    selector = staticmethod(sel.plan_list)
    export = staticmethod(plan_export)
    job_kind = PLAN_EXPORT_JOB_KIND
    title = "应急预案"
    ascii_name = "plans"
    list_url_name = "incidents:plans"


class PlanExportDownloadView(ExportDownloadView):
    permission_required = ("incidents.view_emergencyplan", "incidents.export_drill")
    job_kind = PLAN_EXPORT_JOB_KIND
    file_path = staticmethod(plan_export_file_path)
    ascii_name = "plans"


class PlanCreateView(ScopedFormView):
    permission_required = ("incidents.view_emergencyplan", "incidents.add_emergencyplan")
    template_name = "incidents/drills/plan_form.html"
    form_class = PlanForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        user = self.request.user
        townships = _townships_for(user)
        kwargs["townships"] = townships.none() if user_sees_all_townships(user) else townships
        return kwargs

    def get_initial(self):
        wide = user_sees_all_townships(self.request.user)
        return {"level": "city" if wide else "township"}

    def form_valid(self, form):
        try:
            plan = services.plan_create(actor=self.request.user, data=dict(form.cleaned_data))
        except DomainError as exc:
            form_errors_from(form, exc)
            return self.render_to_response(self.get_context_data(form=form), status=exc.status_code)
        messages.success(self.request, f"已登记预案“{plan.title}”，请上传第 1 版预案文本")
        return redirect("incidents:plan_detail", pk=plan.pk)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


def plan_context(request, plan, *, version_form=None) -> dict:
    user = request.user
    can_change = user.has_perm("incidents.change_emergencyplan") and services._may_write_plan_in(user, plan.township)
    versions = sel.plan_versions(plan)
    return {
        "plan": plan,
        "object": plan,
        "versions": versions,
        "current": versions[0] if versions else None,
        "draft": sel.plan_draft(plan),
        "can_change": can_change,
        "version_form": version_form
        or (VersionForm(initial={"issued_on": timezone.localdate()}) if can_change else None),
        "drill_count": plan.drills.count(),
    }


class PlanDetailView(ScopedDetailView):
    permission_required = "incidents.view_emergencyplan"
    selector = staticmethod(sel.plan_get)
    template_name = "incidents/drills/plan_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(plan_context(self.request, self.object))
        return context


class PlanVersionUploadView(RowFormView):
    """POST a new version's text (a draft); then the preview of issuing it."""

    permission_required = ("incidents.view_emergencyplan", "incidents.change_emergencyplan")
    selector = staticmethod(sel.plan_get)
    template_name = "incidents/drills/plan_detail.html"
    form_class = VersionForm
    detail_url_name = "incidents:plan_detail"
    success = "预案文本已上传，请核对后确认签发"

    def detail_context(self, row, form) -> dict:
        return plan_context(self.request, row, version_form=form)

    def run(self, data):
        return services.plan_version_upload(
            actor=self.request.user, plan_id=self.object.pk, data=data, document=self.request.FILES.get("document")
        )

    def success_url(self, result) -> str:
        return reverse("incidents:plan_version_issue", args=[result.pk])


class PlanVersionIssueView(ScopedDetailView):
    """GET: what issuing the draft will do; POST (confirmed): issue it."""

    permission_required = ("incidents.view_emergencyplan", "incidents.change_emergencyplan")
    selector = staticmethod(sel.plan_version_get)
    context_object_name = "version"
    template_name = "incidents/drills/version_issue.html"

    def check_object(self):
        if self.object.is_issued:
            messages.info(self.request, f"该版本已签发为第 {self.object.number} 版")
            return redirect("incidents:plan_detail", pk=self.object.plan_id)
        return None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        version = self.object
        plan = version.plan
        current = services.current_version(plan)
        number = (current.number if current else 0) + 1
        consequences = [
            f"本稿签发为“{plan.title}”第 {number} 版，印发日期 {version.issued_on:%Y-%m-%d}。",
            "签发后版本内容和文件不能再修改；需要修订时上传新版本，新版本签发后取代本版。",
        ]
        if current:
            consequences.insert(
                1, f"现行第 {current.number} 版（{current.issued_on:%Y-%m-%d} 印发）将被取代，仍保留在版本记录中。"
            )
        context.update(
            plan=plan,
            current=current,
            number=number,
            confirm=Confirm(
                title=f"确认签发第 {number} 版",
                action=reverse("incidents:plan_version_issue", args=[version.pk]),
                button="确认签发",
                cancel_url=reverse("incidents:plan_detail", args=[plan.pk]),
                consequences=consequences,
                blockers=[]
                if services._may_write_plan_in(self.request.user, plan.township)
                else ["市级预案由市局人员签发，镇街预案由本镇街签发"],
            ),
        )
        return context

    def post(self, request, *args, **kwargs):
        version = self.object
        if not is_confirmed(request):
            messages.warning(request, "请先核对预案文本，再确认签发")
            return redirect("incidents:plan_version_issue", pk=version.pk)
        try:
            issued = services.plan_version_issue(actor=request.user, version_id=version.pk)
        except OutOfScope:
            raise Http404 from None
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("incidents:plan_detail", pk=version.plan_id)
        messages.success(request, f"已签发第 {issued.number} 版")
        return redirect("incidents:plan_detail", pk=version.plan_id)


class PlanVersionFileView(ScopedDetailView):
    permission_required = "incidents.view_emergencyplan"
    selector = staticmethod(sel.plan_version_get)

    def get(self, request, *args, **kwargs):
        v = self.object
        label = f"v{v.number}" if v.number else "draft"
        return uploads.file_response(v.document, v.content_type, f"plan-{v.plan_id}-{label}.{v.extension}")


# ------------------------------------------------------------------------------------------------ drills
def _year(request) -> int:
    raw = (request.GET.get("year") or "").strip()
    if raw.isdigit() and 2000 <= int(raw) <= 2100:
        return int(raw)
    return timezone.localdate().year


def _filter_plan(request):
    raw = (request.GET.get("plan") or "").strip()
    if not raw.isdigit():
        return None
    return EmergencyPlan.objects.visible_to(request.user).filter(pk=int(raw)).first()


class DrillListView(ScopedListView):
    permission_required = "incidents.view_drill"
    selector = staticmethod(sel.drill_list)
    filterset_class = DrillFilterSet
    template_name = "incidents/drills/drill_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        year = _year(self.request)
        context.update(
            can_add=user.has_perm("incidents.add_drill"),
            can_export=user.has_perm("incidents.export_drill"),
            table_year=year,
            township_table=sel.township_table(user, year=year),
            filter_plan=_filter_plan(self.request),
        )
        return context


class DrillExportView(FilteredExportView):
    permission_required = ("incidents.view_drill", "incidents.export_drill")
    selector = staticmethod(sel.drill_list)
    export = staticmethod(drill_export)
    job_kind = EXPORT_JOB_KIND
    title = "应急演练"
    ascii_name = "drills"
    list_url_name = "incidents:drills"


class DrillExportDownloadView(ExportDownloadView):
    permission_required = ("incidents.view_drill", "incidents.export_drill")
    job_kind = EXPORT_JOB_KIND
    file_path = staticmethod(export_file_path)
    ascii_name = "drills"


class _DrillFormMixin:
    template_name = "incidents/drills/drill_form.html"
    form_class = DrillForm
    with_files = True

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        user = self.request.user
        kwargs.update(
            townships=_townships_for(user),
            plans=_plans_for(user),
            city_allowed=user_sees_all_townships(user),
            with_files=self.with_files,
        )
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["files_lost"] = self.request.method == "POST" and bool(self.request.FILES)
        return context

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def refused(self, form, exc: DomainError):
        form_errors_from(form, exc)
        return self.render_to_response(self.get_context_data(form=form), status=exc.status_code)


class DrillCreateView(_DrillFormMixin, ScopedFormView):
    permission_required = ("incidents.view_drill", "incidents.add_drill")

    def get_initial(self):
        user = self.request.user
        initial = {"date": timezone.localdate()}
        if not user_sees_all_townships(user):
            ids = sorted(user_township_ids(user))
            if len(ids) == 1:
                initial["township"] = ids[0]
        return initial

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        data.pop("files", None)
        try:
            drill = services.drill_create(actor=self.request.user, data=data, files=self.request.FILES.getlist("files"))
        except DomainError as exc:
            return self.refused(form, exc)
        messages.success(self.request, f"已登记 {drill.date:%Y-%m-%d} 的演练")
        return redirect("incidents:drill_detail", pk=drill.pk)


class DrillEditView(_DrillFormMixin, ScopedObjectMixin, ScopedFormView):
    permission_required = ("incidents.view_drill", "incidents.change_drill")
    selector = staticmethod(sel.drill_get)
    with_files = False

    def get_initial(self):
        d = self.object
        return {
            "date": d.date,
            "township": d.township_id,
            "plan": d.plan_id,
            "scenario": d.scenario,
            "kind": d.kind,
            "participant_count": d.participant_count,
            "participant_orgs": d.participant_orgs,
            "findings": d.findings,
            "improvements": d.improvements,
        }

    def form_valid(self, form):
        try:
            services.drill_update(actor=self.request.user, drill_id=self.object.pk, data=dict(form.cleaned_data))
        except OutOfScope:
            raise Http404 from None
        except DomainError as exc:
            return self.refused(form, exc)
        messages.success(self.request, "已保存")
        return redirect("incidents:drill_detail", pk=self.object.pk)


def drill_context(request, drill, *, attachment_form=None) -> dict:
    can_change = request.user.has_perm("incidents.change_drill")
    return {
        "drill": drill,
        "object": drill,
        "attachments": list(drill.attachments.all()),
        "can_change": can_change,
        "attachment_form": attachment_form or (AttachmentForm() if can_change else None),
    }


class DrillDetailView(ScopedDetailView):
    permission_required = "incidents.view_drill"
    selector = staticmethod(sel.drill_get)
    template_name = "incidents/drills/drill_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(drill_context(self.request, self.object))
        return context


class DrillAttachmentAddView(RowFormView):
    permission_required = ("incidents.view_drill", "incidents.change_drill")
    selector = staticmethod(sel.drill_get)
    template_name = "incidents/drills/drill_detail.html"
    form_class = AttachmentForm
    detail_url_name = "incidents:drill_detail"
    anchor = "attachments"

    def detail_context(self, row, form) -> dict:
        return drill_context(self.request, row, attachment_form=form)

    def run(self, data):
        return services.drill_attachment_add(
            actor=self.request.user,
            drill_id=self.object.pk,
            files=self.request.FILES.getlist("files"),
            caption=data.get("caption") or "",
        )

    def success_message(self, result) -> str:
        return f"已上传 {len(result)} 个附件"


class DrillAttachmentFileView(ScopedDetailView):
    permission_required = "incidents.view_drill"
    selector = staticmethod(sel.drill_attachment_get)

    def get(self, request, *args, **kwargs):
        a = self.object
        return uploads.file_response(a.file, a.content_type, f"drill-{a.drill_id}-{a.pk}.{a.extension}")
