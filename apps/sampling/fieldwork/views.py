"""Pages of the sampling fieldwork: organisations (city staff), sampling tasks (list, detail, 下达 from a plan line —
one or N enterprises —, cancel with preview), the sampler's 抽样单 form (phone first), samples (list, detail, the
printable PDF) and the export for the national system. Thin: selectors in, services out."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView

from apps.common import uploads
from apps.common.confirm import Confirm, is_confirmed
from apps.common.exceptions import DomainError, OutOfScope, ValidationFailed
from apps.common.viewmixins import (
    ScopedActionView,
    ScopedDetailView,
    ScopedListView,
    ScopedObjectMixin,
    ScopedQuerysetMixin,
)
from apps.common.views_export import ExportDownloadView, FilteredExportView

from ..choices import OrganisationKind, TaskStatus
from . import selectors as sel
from .exports import export_file_path
from .filters import OpenLineFilterSet, OrganisationFilterSet, SampleFilterSet, TaskFilterSet
from .forms import (
    PLACE_TYPES,
    UNITS,
    AttachmentForm,
    OrganisationForm,
    ReasonForm,
    SampleForm,
    TaskCreateForm,
    section_of,
)
from .job_handlers import EXPORT_JOB_KIND
from .services import attachments as attachment_services
from .services import organisations as organisation_services
from .services import samples as sample_services
from .services import tasks as task_services


def _fail(request, exc: DomainError):
    messages.error(request, exc.message)


def _get_or_404(fn, **kwargs):
    try:
        return fn(**kwargs)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404 from None


def _form_errors(form, exc: DomainError) -> None:
    """Put a service's field errors beside the form's fields (unknown fields: on the form)."""
    for field, errors in (exc.fields or {}).items():
        for error in errors:
            form.add_error(field if field in form.fields else None, error)


# ---------------------------------------------------------------------------- organisations
class OrganisationListView(ScopedListView):
    permission_required = "sampling.view_organisation"
    selector = staticmethod(sel.organisation_list)
    filterset_class = OrganisationFilterSet
    paginate_by = 30
    template_name = "sampling/fieldwork/organisation_list.html"

    def decorate_page(self, page) -> None:
        counts = sel.organisation_task_counts([o.pk for o in page])
        for org in page:
            org.task_count = counts[org.pk]["sampling" if org.kind == OrganisationKind.SAMPLER else "lab"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_add"] = self.request.user.has_perm("sampling.add_organisation")
        return context


class OrganisationFormView(ScopedQuerysetMixin, TemplateView):
    """New (no pk) or edit: the fields, the recheck-lab flag and the members; written by the organisation services.
    Routed as ``OrganisationCreateView`` and ``OrganisationEditView``, each with its declared permission."""

    selector = staticmethod(sel.organisation_list)
    template_name = "sampling/fieldwork/organisation_form.html"

    def _instance(self):
        if "pk" not in self.kwargs:
            return None
        return _get_or_404(sel.organisation_get, actor=self.request.user, pk=self.kwargs["pk"])

    def _form(self, instance, data=None):
        kind = (data or {}).get("kind") or (instance.kind if instance else self.request.GET.get("kind"))
        choices = sel.member_choices(actor=self.request.user, kind=kind)
        initial = {"kind": kind} if kind and instance is None else None
        return OrganisationForm(data, instance=instance, member_choices=choices, initial=initial)

    def get(self, request, *args, **kwargs):
        instance = self._instance()
        return self.render_to_response({"form": self._form(instance), "org": instance})

    def post(self, request, *args, **kwargs):
        instance = self._instance()
        form = self._form(instance, request.POST)
        status = 400
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "members"}
            data["members"] = [u.pk for u in form.cleaned_data["members"]]
            try:
                if instance is None:
                    org = organisation_services.organisation_create(actor=request.user, data=data)
                    messages.success(request, f"已新增{org.get_kind_display()}“{org.name}”")
                else:
                    org = organisation_services.organisation_update(
                        actor=request.user, organisation_id=instance.pk, data=data
                    )
                    messages.success(request, f"已保存“{org.name}”")
            except OutOfScope:
                raise Http404 from None
            except DomainError as exc:
                _form_errors(form, exc)
                status = exc.status_code
            else:
                return redirect("sampling:organisation_list")
        return self.render_to_response({"form": form, "org": instance}, status=status)


class OrganisationCreateView(OrganisationFormView):
    permission_required = "sampling.add_organisation"


class OrganisationEditView(OrganisationFormView):
    permission_required = "sampling.change_organisation"


# ---------------------------------------------------------------------------- tasks
class TaskListView(ScopedListView):
    """抽样任务 through ``TaskFilterSet`` (the API's too). A sampler sees their organisation's tasks."""

    permission_required = "sampling.view_samplingtask"
    selector = staticmethod(sel.task_list)
    filterset_class = TaskFilterSet
    paginate_by = 30
    template_name = "sampling/fieldwork/task_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            can_add=user.has_perm("sampling.add_samplingtask"),
            can_sample=user.has_perm("sampling.add_sample"),
            today=timezone.localdate(),
        )
        return context


class TaskDetailView(ScopedQuerysetMixin, TemplateView):
    permission_required = "sampling.view_samplingtask"
    selector = staticmethod(sel.task_list)
    template_name = "sampling/fieldwork/task_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        task = _get_or_404(sel.task_get, actor=user, pk=kwargs["pk"])
        samples = list(task.samples.all().order_by("id")) if user.has_perm("sampling.view_sample") else []
        context.update(
            task=task,
            samples=samples,
            can_sample=sel.can_take_sample(task, user),
            can_cancel=user.has_perm("sampling.change_samplingtask") and task.can_transition_to(TaskStatus.CANCELLED),
            today=timezone.localdate(),
        )
        return context


class TaskCreateView(ScopedQuerysetMixin, TemplateView):
    """下达抽样任务: without ``?line=`` the open plan lines to pick from; with it, the line's candidate enterprises
    (check one or several), the sampling organisation, the lab and the due date."""

    permission_required = "sampling.add_samplingtask"
    selector = staticmethod(sel.task_list)
    template_name = "sampling/fieldwork/task_create.html"

    def _line(self):
        raw = self.request.GET.get("line") or self.request.POST.get("line") or ""
        if not raw.strip():
            return None
        return _get_or_404(sel.line_get, actor=self.request.user, pk=raw.strip())

    def _picker_context(self):
        from django.core.paginator import Paginator

        from apps.common.viewmixins import filtered_or_errors

        rows, errors = filtered_or_errors(sel.open_lines, actor=self.request.user, filters=self.request.GET)
        page = Paginator(rows, 30).get_page(self.request.GET.get("page"))
        params = self.request.GET.copy()
        params.pop("page", None)
        form = OpenLineFilterSet(self.request.GET, queryset=rows.none()).form
        return {
            "lines_page": page,
            "filter_form": form,
            "filter_errors": errors,
            "query": params.urlencode(),
            "filtered": any(v.strip() for k in params for v in params.getlist(k)),
        }

    def _context(self, line, form):
        q = self.request.GET.get("q", "").strip()[:100]
        candidates = form.fields["enterprises"].queryset
        shown = list(candidates[: sel.CANDIDATE_LIMIT])
        return {
            "line": line,
            "form": form,
            "candidates": shown,
            "more_candidates": len(shown) >= sel.CANDIDATE_LIMIT,
            "q": q,
            "left": max(line.batches - line.open_tasks, 0),
            "default_due": task_services.default_due_on(line),
        }

    def get(self, request, *args, **kwargs):
        line = self._line()
        if line is None:
            return self.render_to_response(self._picker_context())
        q = request.GET.get("q", "")[:100]
        form = TaskCreateForm(candidates=sel.task_candidates(actor=request.user, line=line, q=q))
        form.fields[
            "due_on"
        ].help_text = f"留空：{task_services.default_due_on(line):%Y-%m-%d}（计划明细所在月份的最后一天）"
        return self.render_to_response(self._context(line, form))

    def post(self, request, *args, **kwargs):
        line = self._line()
        if line is None:
            raise Http404
        form = TaskCreateForm(request.POST, candidates=sel.task_candidates(actor=request.user, line=line))
        status = 400
        if form.is_valid():
            picked = [e.pk for e in form.cleaned_data["enterprises"]]
            values = {
                "actor": request.user,
                "plan_line_id": line.pk,
                "sampling_org_id": form.cleaned_data["sampling_org"].pk,
                "lab_id": form.cleaned_data["lab"].pk,
                "due_on": form.cleaned_data.get("due_on"),
            }
            try:
                if len(picked) == 1:
                    task = task_services.task_create(enterprise_id=picked[0], **values)
                    messages.success(request, f"已下达抽样任务：{task.enterprise.name}")
                    return redirect("sampling:task_detail", pk=task.pk)
                tasks = task_services.task_bulk_create(enterprise_ids=picked, **values)
            except OutOfScope:
                raise Http404 from None
            except DomainError as exc:
                _form_errors(form, exc)
                status = exc.status_code
            else:
                messages.success(request, f"已下达 {len(tasks)} 个抽样任务")
                return redirect(reverse("sampling:task_list") + f"?plan={line.plan_id}")
        line = sel.line_get(actor=request.user, pk=line.pk)
        form.fields[
            "due_on"
        ].help_text = f"留空：{task_services.default_due_on(line):%Y-%m-%d}（计划明细所在月份的最后一天）"
        return self.render_to_response(self._context(line, form), status=status)


class TaskCancelView(ScopedQuerysetMixin, TemplateView):
    """GET: what cancelling does, with the reason field (preview); POST with confirm=yes: cancel."""

    permission_required = "sampling.change_samplingtask"
    selector = staticmethod(sel.task_list)
    template_name = "sampling/fieldwork/task_cancel_confirm.html"

    def _render(self, task, form, status=200):
        confirm = Confirm(
            title="确认取消抽样任务",
            action=reverse("sampling:task_cancel", args=[task.pk]),
            button="确认取消任务",
            cancel_url=reverse("sampling:task_detail", args=[task.pk]),
            consequences=[
                f"任务状态变为“已取消”，{task.sampling_org.name}不能再为该任务填写抽样单。",
                "该批次回到计划明细，可另行下达给其他单位。",
                "取消原因记入任务和审计日志。",
            ],
            form=form,
            tone="danger",
        )
        return self.render_to_response({"task": task, "confirm": confirm}, status=status)

    def _task(self):
        task = _get_or_404(sel.task_get, actor=self.request.user, pk=self.kwargs["pk"])
        if not task.can_transition_to(TaskStatus.CANCELLED):
            messages.error(self.request, f"任务{task.get_status_display()}，不能取消")
            return None
        return task

    def get(self, request, *args, **kwargs):
        task = self._task()
        if task is None:
            return redirect("sampling:task_detail", pk=kwargs["pk"])
        return self._render(task, ReasonForm())

    def post(self, request, *args, **kwargs):
        task = self._task()
        if task is None:
            return redirect("sampling:task_detail", pk=kwargs["pk"])
        if not is_confirmed(request):
            return redirect("sampling:task_cancel", pk=task.pk)
        form = ReasonForm(request.POST)
        if form.is_valid():
            try:
                task_services.task_cancel(actor=request.user, task_id=task.pk, reason=form.cleaned_data["reason"])
            except OutOfScope:
                raise Http404 from None
            except DomainError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, "抽样任务已取消")
                return redirect("sampling:task_detail", pk=task.pk)
        return self._render(task, form, status=400)


# ---------------------------------------------------------------------------- the sampler's 抽样单
class SampleCreateView(ScopedQuerysetMixin, TemplateView):
    """The phone form of the 抽样单 for a task: prefilled from the task and the registry, in collapsible sections;
    a wrong field re-opens its section with the message beside it (status 400, nothing written)."""

    permission_required = "sampling.add_sample"
    selector = staticmethod(sel.task_list)
    template_name = "sampling/fieldwork/sample_form.html"

    def _task(self):
        task = _get_or_404(sel.task_get, actor=self.request.user, pk=self.kwargs["pk"])
        if not sel.can_take_sample(task, self.request.user):
            if not task.can_transition_to(TaskStatus.SAMPLED):
                return task, "done"
            raise PermissionDenied("只有承担该任务的抽样机构人员可以填写抽样单")
        return task, ""

    CLOSED_BY_DEFAULT = ("site", "remarks")  # prefilled from the registry / optional: folded on a fresh form

    def _render(self, task, form, *, errors=None, status=200):
        errors = errors or {}
        error_sections = {section_of(f) for f in errors}
        form.mark_invalid(errors)
        sections = [
            {
                "anchor": anchor,
                "title": title,
                "fields": fields,
                "open": anchor in error_sections if errors else anchor not in self.CLOSED_BY_DEFAULT,
            }
            for anchor, title, fields in form.sections()
        ]
        context = {
            "task": task,
            "form": form,
            "sections": sections,
            "errors": errors,
            "errors_sections": error_sections,
            "error_links": [
                {"anchor": section_of(f) or "basic", "label": sample_services.field_label(form, f), "messages": m}
                for f, m in errors.items()
            ],
            "samplers_errors": errors.get("samplers", []),
            "place_types": PLACE_TYPES.get(str(form["stage"].value() or ""), sum(PLACE_TYPES.values(), [])),
            "units": UNITS,
        }
        return self.render_to_response(context, status=status)

    def get(self, request, *args, **kwargs):
        task, done = self._task()
        if done:
            messages.info(request, f"任务{task.get_status_display()}，不能再填写抽样单")
            return redirect("sampling:task_detail", pk=task.pk)
        form = SampleForm(task=task, initial=sel.sample_initial(task, actor=request.user))
        return self._render(task, form)

    def post(self, request, *args, **kwargs):
        task, done = self._task()
        if done:
            messages.info(request, f"任务{task.get_status_display()}，不能再填写抽样单")
            return redirect("sampling:task_detail", pk=task.pk)
        try:
            sample = sample_services.sample_create(actor=request.user, task=task.pk, data=request.POST)
        except OutOfScope:
            raise Http404 from None
        except ValidationFailed as exc:  # the page lists the fields at the top and beside each one
            form = SampleForm(request.POST, task=task)
            form.is_valid()
            for field, msgs in exc.fields.items():
                if field in form.fields and field not in form.errors:
                    for m in msgs:
                        form.add_error(field, m)
            return self._render(task, form, errors=exc.fields, status=400)
        except DomainError as exc:
            _fail(request, exc)
            return redirect("sampling:task_detail", pk=task.pk)
        messages.success(request, f"抽样单已保存，编号 {sample.number}。请打印抽样单（5 联）交各方签字。")
        return redirect("sampling:sample_detail", pk=sample.pk)


# ---------------------------------------------------------------------------- samples
class SampleListView(ScopedListView):
    """样品（抽样单） through ``SampleFilterSet`` (the API's and the export's too); other pages link here with its
    filters (township, year, month, category, purpose, business_type, source, status, lab, conclusion)."""

    permission_required = "sampling.view_sample"
    selector = staticmethod(sel.sample_list)
    filterset_class = SampleFilterSet
    paginate_by = 30
    template_name = "sampling/fieldwork/sample_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_export"] = self.request.user.has_perm("sampling.export_sample")
        return context


class SampleDetailView(ScopedQuerysetMixin, TemplateView):
    permission_required = "sampling.view_sample"
    selector = staticmethod(sel.sample_list)
    template_name = "sampling/fieldwork/sample_detail.html"

    def get_context_data(self, **kwargs):
        from .rules import region

        context = super().get_context_data(**kwargs)
        user = self.request.user
        sample = _get_or_404(sel.sample_get, actor=user, pk=kwargs["pk"])
        results = sel.sample_results(sample, actor=user) if user.has_perm("sampling.view_resultitem") else None
        attachments = (
            sel.attachment_list(actor=user, sample_ids=[sample.pk])
            if user.has_perm("sampling.view_sampleattachment")
            else None
        )
        context.update(
            sample=sample,
            attachments=attachments,
            attachment_form=AttachmentForm(attachments=attachments or []),
            can_attach=user.has_perm("sampling.add_sampleattachment"),
            can_delete_attachment=user.has_perm("sampling.delete_sampleattachment") and not sample.attachments_locked,
            attachment_max_mb=attachment_services.attachment_max_bytes() // (1024 * 1024),
            categories=sel.category_path(sample.category),
            results=results,
            region=region(),
            can_view_task=user.has_perm("sampling.view_samplingtask"),
        )
        return context


class SamplePdfView(ScopedQuerysetMixin, TemplateView):
    """The printable 抽样单 (5 联, one page each); the printable HTML when WeasyPrint cannot load."""

    permission_required = "sampling.view_sample"
    selector = staticmethod(sel.sample_list)

    def get(self, request, *args, **kwargs):
        from .records import PdfUnavailable, record_html, sample_pdf

        sample = _get_or_404(sel.sample_get, actor=request.user, pk=kwargs["pk"])
        attachments = (
            sel.attachment_list(actor=request.user, sample_ids=[sample.pk])
            if request.user.has_perm("sampling.view_sampleattachment")
            else []
        )
        try:
            pdf = sample_pdf(sample, attachments=attachments)
        except PdfUnavailable:
            return HttpResponse(record_html(sample, for_pdf=False, attachments=attachments))
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="sample-{sample.number}.pdf"'
        response["X-Content-Type-Options"] = "nosniff"
        return response


# ---------------------------------------------------------------------------- attachments of a 抽样单
class AttachmentAddView(ScopedObjectMixin, ScopedActionView):
    """Upload one or more files (same kind) to a sample from the phone; each is checked, hashed and audited on its
    own, so one bad file does not lose the others."""

    permission_required = "sampling.add_sampleattachment"
    selector = staticmethod(sel.sample_get)

    def get_redirect_url(self) -> str:
        return reverse("sampling:sample_detail", args=[self.object.pk]) + "#attachments"

    def act(self) -> None:
        request, sample = self.request, self.object
        form = AttachmentForm(
            data=request.POST,
            attachments=sel.attachment_list(actor=request.user, sample_ids=[sample.pk]),
        )
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return
        files = request.FILES.getlist("files")
        if not files:
            messages.error(request, "请选择要上传的文件")
            return
        saved = 0
        for upload in files:
            try:
                attachment_services.attachment_add(
                    actor=request.user,
                    sample_id=sample.pk,
                    upload=upload,
                    kind=form.cleaned_data["kind"],
                    caption=form.cleaned_data["caption"],
                    reason=form.cleaned_data["reason"],
                    corrects_id=form.cleaned_data["corrects"] or None,
                )
                saved += 1
            except OutOfScope:
                raise
            except DomainError as exc:
                messages.error(request, f"{_upload_name(upload)}：{exc.message}")
        if saved:
            messages.success(request, f"已上传 {saved} 个附件，已记录 SHA-256")


def _upload_name(upload) -> str:
    return ((getattr(upload, "name", "") or "文件").replace("\\", "/").rsplit("/", 1)[-1])[:60]


class AttachmentDeleteView(ScopedObjectMixin, ScopedActionView):
    permission_required = "sampling.delete_sampleattachment"
    selector = staticmethod(sel.attachment_get)

    def get_redirect_url(self) -> str:
        return reverse("sampling:sample_detail", args=[self.object.sample_id]) + "#attachments"

    def act(self) -> None:
        attachment_services.attachment_delete(actor=self.request.user, attachment_id=self.object.pk)
        messages.success(self.request, "附件已删除")


class AttachmentFileView(ScopedDetailView):
    """The stored file, as uploaded, for download (out of scope: 404)."""

    permission_required = "sampling.view_sampleattachment"
    selector = staticmethod(sel.attachment_get)

    def get(self, request, *args, **kwargs):
        a = self.object
        return uploads.file_response(
            a.file, a.content_type, f"{a.sample.number}-{a.pk}.{a.file.name.rsplit('.', 1)[-1]}"
        )


class SampleExportView(FilteredExportView):
    """The list's rows (same filters) as Excel in the national 抽样单's column order; a large one becomes a job."""

    permission_required = "sampling.export_sample"
    selector = staticmethod(sel.sample_list)
    export = staticmethod(sample_services.sample_export)
    job_kind = EXPORT_JOB_KIND
    title = "抽样单"
    ascii_name = "samples"
    list_url_name = "sampling:sample_list"


class SampleExportDownloadView(ExportDownloadView):
    permission_required = "sampling.export_sample"
    job_kind = EXPORT_JOB_KIND
    file_path = staticmethod(export_file_path)
    ascii_name = "samples"
