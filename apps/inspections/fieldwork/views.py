"""Pages of the fieldwork: the inspector's tasks and the phone form of a result; staff lists of tasks, rectification
orders and publications with their clocks; key/flying task creation; the PDF record; photos and signatures served
through scoped views (never as public media). Thin: selectors in, services out."""

from __future__ import annotations

import base64
import binascii

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from apps.common import uploads
from apps.common.exceptions import Conflict, DomainError, OutOfScope, ValidationFailed
from apps.common.jobs import job_create
from apps.common.viewmixins import (
    ScopedActionView,
    ScopedDetailView,
    ScopedFormView,
    ScopedListView,
    ScopedObjectMixin,
    ScopedPageView,
)
from apps.common.workdays import WorkdayCalendar

from ..choices import (
    InspectionOutcome,
    ItemVerdict,
    PenaltyKind,
    PublicationStatus,
    RectificationStatus,
    ResultStatus,
    TaskKind,
    TaskSource,
    TaskStatus,
)
from ..job_handlers import KEY_TASKS_JOB
from . import selectors as sel
from .filters import (
    PUBLICATION_STATUS_CHOICES,
    PUBLISHABLE,
    MyTaskFilterSet,
    PublicationFilterSet,
    RectificationFilterSet,
    TaskFilterSet,
)
from .forms import (
    FlyingTaskForm,
    InspectorsForm,
    ObjectionDecisionForm,
    ObjectionForm,
    ReasonForm,
    RectificationSubmitForm,
)
from .services import photos as photo_services
from .services import publications as publication_services
from .services import rectifications as rectification_services
from .services import results as result_services
from .services import tasks as task_services

SIGNATURE_PREFIX = "data:image/png;base64,"
VERDICT_CHOICES = [
    (ItemVerdict.CONFORM, "符合"),
    (ItemVerdict.BASIC, "基本符合"),
    (ItemVerdict.NONCONFORM, "不符合"),
    (ItemVerdict.NOT_APPLICABLE, "不适用"),
]


def _fail(request, exc: DomainError):
    messages.error(request, exc.message)


# ---------------------------------------------------------------------------- inspector: my tasks
class MyTasksView(ScopedListView):
    """The inspector's own tasks: to do (soonest due first) or done (``?show=done``), through ``MyTaskFilterSet``."""

    permission_required = "inspections.add_inspectionresult"
    selector = staticmethod(sel.my_tasks)
    filterset_class = MyTaskFilterSet
    paginate_by = 30
    template_name = "inspections/tasks/my_tasks.html"

    def get_filters(self):
        filters = self.request.GET.copy()
        if filters.get("show") not in ("open", "done"):
            filters["show"] = "open"  # no or an unknown tab: the work to do
        return filters

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(show=self.get_filters()["show"], today=timezone.localdate())
        return context


# ---------------------------------------------------------------------------- the task page
def _task_or_404(request, pk):
    try:
        return sel.task_get(actor=request.user, pk=pk)
    except (ObjectDoesNotExist, ValueError):
        raise Http404 from None


def _values_from_result(result) -> dict:
    if result is None:
        return {}
    values = {f: getattr(result, f) for f in result_services.RESULT_FIELDS}
    values["items"] = {ir.check_item_id: (ir.verdict, ir.note) for ir in result.items.all()}
    if result.inspected_at:
        values["inspected_at_local"] = timezone.localtime(result.inspected_at).strftime("%Y-%m-%dT%H:%M")
    return values


def _values_from_post(post, items) -> dict:
    values = {f: post.get(f, "") for f in result_services.RESULT_FIELDS}
    values["operator_refused_to_sign"] = bool(post.get("operator_refused_to_sign"))
    values["items"] = {ci.pk: (post.get(f"v-{ci.pk}", ""), post.get(f"n-{ci.pk}", "")) for ci in items}
    values["inspected_at_local"] = post.get("inspected_at", "")
    return values


def _task_context(request, task, *, values=None, errors=None):
    results = sel.results_of_task(task)
    draft = sel.draft_of(results)
    final = sel.latest_final(results)
    items = sel.task_check_items(task)
    assigned = sel.is_assigned(task, request.user)
    can_write = assigned and request.user.has_perm("inspections.add_inspectionresult")
    values = values if values is not None else _values_from_result(draft)
    item_rows = []
    chosen = (values or {}).get("items", {})
    for ci in items:
        verdict, note = chosen.get(ci.pk, ("", ""))
        item_rows.append({"item": ci, "verdict": verdict, "note": note})
    calendar = WorkdayCalendar()
    finals = []
    for r in results:
        if r.status != ResultStatus.FINAL:
            continue
        publication = getattr(r, "publication", None)
        finals.append(
            {
                "result": r,
                "publication": publication,
                "clock": sel.publication_clock(publication, calendar=calendar) if publication else None,
                "superseded": any(x.supersedes_id == r.pk and x.status == ResultStatus.FINAL for x in results),
            }
        )
    needs_correction = False
    if final is not None:
        publication = getattr(final, "publication", None)
        needs_correction = bool(
            publication
            and publication.status == PublicationStatus.HELD
            and publication.objections.filter(decision="upheld").exists()
        )
    task_open = task.can_transition_to(TaskStatus.FINALISED)
    can_assign = (
        request.user.has_perm("inspections.change_inspectiontask")
        and task.source != TaskSource.DRAW
        and task_open
        and not results
    )
    return {
        "task": task,
        "items": items,
        "item_rows": item_rows,
        "verdict_choices": VERDICT_CHOICES,
        "outcome_choices": InspectionOutcome.choices,
        "penalty_choices": PenaltyKind.choices,
        "results": results,
        "draft": draft,
        "final": final,
        "finals": finals,
        "values": values,
        "errors": errors or {},
        "assigned": assigned,
        "can_write": can_write,
        "editing": bool(can_write and draft),
        "can_start": can_write and draft is None and task_open,
        "can_correct": can_write
        and final is not None
        and draft is None
        and not any(x.supersedes_id == final.pk for x in results),
        "needs_correction": needs_correction,
        "can_assign": can_assign,
        "assign_form": InspectorsForm(actor=request.user) if can_assign else None,
        "reason_form": ReasonForm(),
        "default_rect_days": rectification_services.rectification_working_days_default(),
        "photo_max_mb": photo_services.photo_max_bytes() // (1024 * 1024),
        "rectifications": [r for res in results for r in res.rectifications.all()],
        "followed": sel.rectification_followed_by(task),
        "contact": sel.task_contact(task, actor=request.user),
        "saved": bool(draft and request.GET.get("saved") == str(draft.version)),
        "today": timezone.localdate(),
    }


class TaskDetailView(ScopedDetailView):
    """A task: its record form for the assigned inspector (phone), results, clocks, rectifications."""

    permission_required = "inspections.view_inspectiontask"
    selector = staticmethod(sel.task_get)
    template_name = "inspections/tasks/task_detail.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), **_task_context(self.request, self.object)}


class _ResultActionView(ScopedObjectMixin, ScopedActionView):
    """A button of the assigned inspector on the task page (the service checks the assignment)."""

    permission_required = "inspections.add_inspectionresult"


class TaskStartView(_ResultActionView):
    selector = staticmethod(sel.task_get)

    def act(self):
        result_services.result_start(actor=self.request.user, task_id=self.object.pk)

    def get_redirect_url(self):
        return reverse("inspections:task_detail", args=[self.object.pk])


def _signature(post, name) -> bytes | None:
    raw = (post.get(name) or "").strip()
    if not raw or raw == "keep":
        return None
    if not raw.startswith(SIGNATURE_PREFIX):
        raise ValidationFailed("签名数据格式无效", fields={name: ["签名数据格式无效"]})
    try:
        return base64.b64decode(raw[len(SIGNATURE_PREFIX) :], validate=True)
    except (binascii.Error, ValueError):
        raise ValidationFailed("签名数据格式无效", fields={name: ["签名数据格式无效"]}) from None


class ResultSaveView(_ResultActionView):
    """The phone form: save the draft (fields, verdicts, signatures, new photos) and, if asked, finalise it."""

    selector = staticmethod(sel.result_get)

    def post(self, request, *args, **kwargs):
        result = self.object
        task = _task_or_404(request, result.task_id)
        items = sel.task_check_items(task)
        post = request.POST
        data = {f: post.get(f, "") for f in result_services.RESULT_FIELDS if f in post}
        data["operator_refused_to_sign"] = bool(post.get("operator_refused_to_sign"))
        if "inspected_at" in post:
            data["inspected_at"] = post.get("inspected_at") or None
        clear = [w for w in ("inspector", "operator") if post.get(f"{w}_signature_data") == "clear"]
        item_values = {ci.pk: (post.get(f"v-{ci.pk}", ""), post.get(f"n-{ci.pk}", "")) for ci in items}
        finalise = post.get("action") == "finalise"
        try:
            saved = result_services.result_save(
                actor=request.user,
                result_id=result.pk,
                version=post.get("version") or None,
                data=data,
                items=item_values,
                inspector_signature=_signature(post, "inspector_signature_data")
                if not clear.count("inspector")
                else None,
                operator_signature=_signature(post, "operator_signature_data") if not clear.count("operator") else None,
                clear_signatures=clear,
            )
        except PermissionDenied:
            raise
        except OutOfScope:
            raise Http404 from None
        except DomainError as exc:
            _fail(request, exc)
            status = 409 if isinstance(exc, Conflict) else 400
            if isinstance(exc, Conflict):
                context = _task_context(request, task)
            else:
                context = _task_context(request, task, values=_values_from_post(post, items), errors=exc.fields)
            return TemplateResponse(request, "inspections/tasks/task_detail.html", context, status=status)
        photo_errors = 0
        for upload in request.FILES.getlist("photos"):
            try:
                photo_services.photo_add(
                    actor=request.user, result_id=saved.pk, upload=upload, caption=post.get("photo_caption", "")
                )
            except DomainError as exc:
                photo_errors += 1
                messages.error(request, f"照片“{upload.name[:40]}”未保存：{exc.message}")
        if finalise and not photo_errors:
            try:
                final = result_services.result_finalise(actor=request.user, result_id=saved.pk)
            except DomainError as exc:
                _fail(request, exc)
                return redirect(reverse("inspections:task_detail", args=[task.pk]) + "#result-form")
            messages.success(
                request,
                f"检查记录已定稿并封存（内容哈希 {final.content_hash[:12]}…）。结果将于 {final.publication.due_by:%Y-%m-%d} 前公示。",
            )
            return redirect("inspections:task_detail", pk=task.pk)
        if photo_errors:
            return redirect(reverse("inspections:task_detail", args=[task.pk]) + "#result-form")
        # "已保存草稿" is shown next to the save button (the page opens there), not at the top of a long form
        saved.refresh_from_db(fields=["version"])
        return redirect(reverse("inspections:task_detail", args=[task.pk]) + f"?saved={saved.version}#save-status")


class PhotoDeleteView(_ResultActionView):
    selector = staticmethod(sel.photo_get)

    def act(self):
        photo_services.photo_delete(actor=self.request.user, photo_id=self.object.pk)
        messages.info(self.request, "照片已删除")

    def get_redirect_url(self):
        return reverse("inspections:task_detail", args=[self.object.task_id]) + "#photos"


class ResultCorrectView(_ResultActionView):
    selector = staticmethod(sel.result_get)

    def act(self):
        form = ReasonForm(self.request.POST)
        if not form.is_valid():
            raise ValidationFailed("请写明更正理由（至少 4 个字）")
        result_services.result_correct(
            actor=self.request.user, result_id=self.object.pk, reason=form.cleaned_data["reason"]
        )
        messages.success(self.request, "已创建更正记录（草稿），原记录保持不变。请修改后重新签名并定稿。")

    def get_redirect_url(self):
        return reverse("inspections:task_detail", args=[self.object.task_id]) + "#result-form"


# ---------------------------------------------------------------------------- files (scoped, never public)
class PhotoFileView(ScopedDetailView):
    permission_required = "inspections.view_inspectiontask"
    selector = staticmethod(sel.photo_get)

    def get(self, request, *args, **kwargs):
        photo = self.object
        ext = photo.file.name.rsplit(".", 1)[-1]
        return uploads.file_response(photo.file, photo.content_type, f"photo-{photo.pk}.{ext}")


class SignatureFileView(ScopedDetailView):
    permission_required = "inspections.view_inspectiontask"
    selector = staticmethod(sel.result_get)

    def get(self, request, *args, **kwargs):
        which = self.kwargs["which"]
        if which not in ("inspector", "operator"):
            raise Http404
        field = getattr(self.object, f"{which}_signature")
        if not field:
            raise Http404
        return uploads.file_response(field, "image/png", f"signature-{which}-{self.object.pk}.png")


class ResultPdfView(ScopedDetailView):
    """The record of a finalised result as PDF (the print page when no PDF engine is installed)."""

    permission_required = "inspections.view_inspectiontask"
    selector = staticmethod(sel.result_get)

    def get(self, request, *args, **kwargs):
        from .records import PdfUnavailable, record_html, record_pdf

        result = self.object
        if result.status != ResultStatus.FINAL:
            raise Http404
        try:
            pdf = record_pdf(result, request=request)
        except PdfUnavailable:
            return HttpResponse(record_html(result, request=request, for_pdf=False))
        response = HttpResponse(pdf, content_type="application/pdf")
        name = f"record-{result.task.number}-{result.revision}.pdf"
        response["Content-Disposition"] = f'inline; filename="{name}"'
        response["X-Content-Type-Options"] = "nosniff"
        return response


# ---------------------------------------------------------------------------- staff: tasks, key and flying
class TaskListView(ScopedListView):
    """Staff list of tasks through ``TaskFilterSet`` (the API's too)."""

    permission_required = "inspections.view_inspectiontask"
    selector = staticmethod(sel.task_list)
    filterset_class = TaskFilterSet
    paginate_by = 30
    template_name = "inspections/tasks/task_list.html"

    def get_context_data(self, **kwargs):
        from apps.enterprises.selectors import townships_for

        context = super().get_context_data(**kwargs)
        request = self.request
        can_add = request.user.has_perm("inspections.add_inspectiontask")
        context.update(
            filters={
                k: request.GET.get(k, "")
                for k in ("kind", "status", "source", "township", "q", "overdue", "year", "cancelled")
            },
            kinds=TaskKind.choices,
            statuses=TaskStatus.choices,
            sources=TaskSource.choices,
            townships=townships_for(request.user),
            can_add=can_add,
            rules=sel.key_rules_in_force(on=timezone.localdate()) if can_add else [],
            today=timezone.localdate(),
        )
        return context


class OverdueTasksView(ScopedPageView):
    """Target of the home-page KPI 逾期未检查."""

    permission_required = "inspections.view_inspectiontask"

    def get(self, request, *args, **kwargs):
        return redirect(reverse("inspections:tasks") + "?overdue=1")


class KeyTasksStartView(ScopedActionView):
    """The button: a job for the whole city (or the staff member's townships) — progress on the job page."""

    permission_required = "inspections.add_inspectiontask"
    job = None

    def act(self):
        today = timezone.localdate()
        self.job = job_create(
            kind=KEY_TASKS_JOB,
            payload={"on": today.isoformat()},
            actor=self.request.user,
            title=f"按规则生成 {today.year} 年重点检查任务",
        )

    def get_redirect_url(self):
        return reverse("jobs:detail", kwargs={"pk": self.job.pk}) if self.job else reverse("inspections:tasks")


class FlyingCreateView(ScopedFormView):
    """A flying inspection: the enterprise (by name, initials, USCC; picked from candidates), reason, inspectors."""

    permission_required = "inspections.add_inspectiontask"
    form_class = FlyingTaskForm
    template_name = "inspections/tasks/flying_form.html"

    def get_initial(self):
        request, initial = self.request, {}
        if request.method != "POST" and str(request.GET.get("enterprise", "")).isdigit():
            from apps.enterprises.models import Enterprise

            found = Enterprise.objects.visible_to(request.user).filter(pk=int(request.GET["enterprise"])).first()
            if found is not None:
                initial["enterprise"] = found.uscc or f"#{found.pk}"
        return initial

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "actor": self.request.user}

    def form_valid(self, form):
        try:
            task = task_services.flying_task_create(
                actor=self.request.user,
                enterprise_id=form.cleaned_data["enterprise"].pk,
                reason=form.cleaned_data["reason"],
                inspector_ids=[i.pk for i in form.cleaned_data["inspectors"]],
                due_date=form.cleaned_data.get("due_date"),
            )
        except OutOfScope:
            raise Http404 from None
        except DomainError as exc:
            _fail(self.request, exc)
            for field, errors in (exc.fields or {}).items():
                if field in form.fields:
                    for e in errors:
                        form.add_error(field, e)
            return self.form_invalid(form)
        messages.success(self.request, f"已创建飞行检查任务 {task.number}")
        return redirect("inspections:task_detail", pk=task.pk)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = context["form"]
        context.update(
            candidates=form.candidates,
            more=form.more_candidates,
            picked=form.cleaned_data.get("enterprise_pick")
            if form.is_bound and hasattr(form, "cleaned_data")
            else None,
            q=form.data.get("enterprise", "") if form.is_bound else "",
        )
        return context


class FlyingEnterprisesView(ScopedPageView):
    """Suggestions for the enterprise field of the flying-inspection form (htmx fragment): scoped, at most 20."""

    permission_required = "inspections.add_inspectiontask"
    template_name = "inspections/tasks/_enterprise_suggestions.html"

    def get(self, request, *args, **kwargs):
        q = request.GET.get("q", request.GET.get("enterprise", ""))
        if len(q) > sel.ENTERPRISE_QUERY_MAX:
            return HttpResponse(
                f'<div class="small text-danger" role="alert">关键字不能超过 {sel.ENTERPRISE_QUERY_MAX} 个字</div>',
                status=400,
            )
        candidates, more = sel.enterprise_suggestions(actor=request.user, q=q)
        return self.render_to_response(
            self.get_context_data(candidates=candidates, more=more, q=q.strip(), picked=None)
        )


class TaskAssignView(ScopedObjectMixin, ScopedActionView):
    permission_required = "inspections.change_inspectiontask"
    selector = staticmethod(sel.task_get)

    def act(self):
        form = InspectorsForm(self.request.POST, actor=self.request.user)
        if not form.is_valid():
            raise ValidationFailed("请至少选择 2 名检查人员")
        task_services.task_assign_inspectors(
            actor=self.request.user,
            task_id=self.object.pk,
            inspector_ids=[i.pk for i in form.cleaned_data["inspectors"]],
        )
        messages.success(self.request, "检查人员已指派")

    def get_redirect_url(self):
        return reverse("inspections:task_detail", args=[self.object.pk])


# ---------------------------------------------------------------------------- rectification
class RectificationListView(ScopedListView):
    """Rectification orders through ``RectificationFilterSet``."""

    permission_required = "inspections.view_rectification"
    selector = staticmethod(sel.rectification_list)
    filterset_class = RectificationFilterSet
    paginate_by = 30
    template_name = "inspections/tasks/rectification_list.html"

    def decorate_page(self, page):
        for rect in page:
            rect.can_submit = rect.can_transition_to(RectificationStatus.SUBMITTED)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        request = self.request
        context.update(
            overdue=request.GET.get("overdue") == "1",
            status=request.GET.get("status", ""),
            statuses=RectificationStatus.choices,
            today=timezone.localdate(),
            can_change=request.user.has_perm("inspections.change_rectification"),
            submit_form=RectificationSubmitForm(),
        )
        return context


class RectificationSubmitView(ScopedObjectMixin, ScopedActionView):
    """登记整改情况 (from the list or the enterprise page); back where the form was (``next``, on this site)."""

    permission_required = "inspections.change_rectification"
    selector = staticmethod(sel.rectification_get)

    def act(self):
        form = RectificationSubmitForm(self.request.POST)
        if not form.is_valid():
            raise ValidationFailed("请填写整改情况说明")
        rectification_services.rectification_submit(
            actor=self.request.user, rectification_id=self.object.pk, note=form.cleaned_data["note"]
        )
        messages.success(self.request, "已登记整改情况，待复查")

    def get_redirect_url(self):
        request = self.request
        target = request.POST.get("next") or ""
        if not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            target = reverse("inspections:rectifications")
        return target


# ---------------------------------------------------------------------------- publication (一公开)
class PublicationListView(ScopedListView):
    """Publications through ``PublicationFilterSet``, each with its 20-working-day clock."""

    permission_required = "inspections.view_publication"
    selector = staticmethod(sel.publication_list)
    filterset_class = PublicationFilterSet
    paginate_by = 30
    template_name = "inspections/tasks/publication_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        request = self.request
        calendar = WorkdayCalendar()
        today = timezone.localdate()
        can_bulk = request.user.has_perm("inspections.change_publication")
        context.update(
            rows=[
                {
                    "publication": p,
                    "clock": sel.publication_clock(p, calendar=calendar),
                    "hold": sel.publication_hold(p, today=today),
                    "publishable_on": sel.publication_publishable_on(p),
                }
                for p in context["page"]
            ],
            status=request.GET.get("status", ""),
            overdue=request.GET.get("overdue") == "1",
            statuses=PUBLICATION_STATUS_CHOICES,
            can_bulk=can_bulk,
            publishable_count=sel.publication_list(actor=request.user, status=PUBLISHABLE).count() if can_bulk else 0,
            bulk_max=publication_services.BULK_PUBLISH_MAX,
            publication_days=publication_services.publication_working_days(),
            objection_days=publication_services.objection_working_days(),
        )
        return context


class PublicationDetailView(ScopedDetailView):
    """One publication: its clock, objections, and the publish / objection forms."""

    permission_required = "inspections.view_publication"
    selector = staticmethod(sel.publication_get)
    context_object_name = "publication"
    template_name = "inspections/tasks/publication_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        publication = self.object
        today = timezone.localdate()
        can_change = self.request.user.has_perm("inspections.change_publication")
        hold = sel.publication_hold(publication, today=today)
        context.update(
            result=publication.result,
            clock=sel.publication_clock(publication),
            objections=sel.objections_of(publication),
            can_change=can_change,
            window_open=publication.objection_window_ends is None or today <= publication.objection_window_ends,
            hold=hold,
            can_publish=can_change and hold is None,
            publishable_on=sel.publication_publishable_on(publication),
            can_object=can_change
            and (publication.status == PublicationStatus.HELD or publication.can_transition_to(PublicationStatus.HELD)),
            objection_form=ObjectionForm(),
            decision_form=ObjectionDecisionForm(),
        )
        return context


class _PublicationActionView(ScopedObjectMixin, ScopedActionView):
    """A form on the publication page; back to that page."""

    permission_required = "inspections.change_publication"
    selector = staticmethod(sel.publication_get)

    def get_redirect_url(self):
        return reverse("inspections:publication_detail", args=[self.object.pk])


class PublicationPublishView(_PublicationActionView):
    def act(self):
        publication_services.publication_publish(actor=self.request.user, publication_id=self.object.pk)
        messages.success(self.request, "已公示，公众可在公示平台查看")


class PublicationsBulkView(ScopedActionView):
    """批量公示: choose on the list (or "all that may be published") → this preview, which says what will be
    published and what will not and why → confirm → the service publishes, one audit event per publication."""

    permission_required = "inspections.change_publication"

    def post(self, request, *args, **kwargs):
        post = request.POST
        today = timezone.localdate()
        if post.get("all") == "1":
            ids = list(
                sel.publication_list(actor=request.user, status=PUBLISHABLE).values_list("pk", flat=True)[
                    : publication_services.BULK_PUBLISH_MAX + 1
                ]
            )
        else:
            ids = [v for v in post.getlist("ids") if v.isdigit()][: publication_services.BULK_PUBLISH_MAX + 1]
        if not ids:
            messages.error(request, "请先勾选要公示的记录")
            return redirect("inspections:publications")
        if len(ids) > publication_services.BULK_PUBLISH_MAX:
            messages.error(
                request, f"一次最多公示 {publication_services.BULK_PUBLISH_MAX} 条，请缩小范围（如按状态筛选后分批）"
            )
            return redirect("inspections:publications")
        if post.get("confirm") == "1":
            try:
                outcome = publication_services.publications_publish_many(actor=request.user, publication_ids=ids)
            except DomainError as exc:
                _fail(request, exc)
                return redirect("inspections:publications")
            if outcome["published"]:
                messages.success(request, f"已公示 {len(outcome['published'])} 条，公众可在公示平台查看")
            if outcome["refused"]:
                messages.warning(
                    request, f"{len(outcome['refused'])} 条未公示（状态已变化或不在管辖范围内），请刷新后查看"
                )
            return redirect(reverse("inspections:publications") + "?status=published")
        rows = sel.publications_for_bulk(actor=request.user, ids=ids, today=today)
        ready = [r for r in rows if r["hold"] is None]
        context = {
            "rows": rows,
            "ready": ready,
            "held": [r for r in rows if r["hold"] is not None],
            "missing": len(ids) - len(rows),
        }
        return TemplateResponse(request, "inspections/tasks/publication_bulk_confirm.html", context)


class ObjectionRecordView(_PublicationActionView):
    def act(self):
        form = ObjectionForm(self.request.POST)
        if not form.is_valid():
            raise ValidationFailed("请填写异议内容")
        publication_services.objection_record(
            actor=self.request.user, publication_id=self.object.pk, **form.cleaned_data
        )
        messages.success(self.request, "已登记异议，公示暂缓，待处理")


class ObjectionDecideView(ScopedObjectMixin, ScopedActionView):
    """An objection decided (成立 / 不成立); back to its publication."""

    permission_required = "inspections.change_publication"
    selector = staticmethod(sel.objection_get)

    def act(self):
        form = ObjectionDecisionForm(self.request.POST)
        if not form.is_valid():
            raise ValidationFailed("请选择处理结果并填写处理意见")
        objection = publication_services.objection_decide(
            actor=self.request.user,
            objection_id=self.object.pk,
            decision=form.cleaned_data["decision"],
            note=form.cleaned_data["note"],
        )
        if objection.decision == "upheld":
            messages.warning(self.request, "异议成立：公示继续暂缓，待检查人员更正记录后重新进入公示。")
        else:
            messages.success(self.request, "异议不成立：维持检查结果，按期公示。")

    def get_redirect_url(self):
        return reverse("inspections:publication_detail", args=[self.object.publication_id])
