"""Pages of sampling/plans: the live quota page and overview, quota rates, plans, plan lines, the quota report.
Thin: selectors in, services out; bad input re-renders the form with the Chinese message beside the field (400).
Every page is a class on the scoped bases (apps/common/viewmixins.py); a page about one row reads it through its
``*_get`` selector (404 outside the actor's scope)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from apps.common.confirm import Confirm, is_confirmed
from apps.common.exceptions import DomainError, ValidationFailed
from apps.common.scoping import user_sees_all_townships
from apps.common.viewmixins import (
    ScopedActionView,
    ScopedDetailView,
    ScopedFormView,
    ScopedListView,
    ScopedObjectMixin,
    ScopedPageView,
)

from ..choices import LineOrigin, PlanStatus, SamplingPurpose
from . import quotas, selectors, services
from .filters import PlanLineFilterSet, SamplingPlanFilterSet
from .forms import (
    PlanCreateForm,
    PlanGenerateForm,
    PlanLineForm,
    QuotaQueryForm,
    QuotaRateForm,
    ReportRequestForm,
    errors_onto,
)


class RenderMixin:
    """``render(context, status)``: the page's template with ``context`` (a page answers 400 on bad input)."""

    def render(self, context=None, status=200):
        return self.render_to_response(self.get_context_data(**(context or {})), status=status)


class _FormPageMixin:
    """A ScopedFormView whose invalid form is 400, and whose forms build their initial values from an instance
    (``initial`` is passed only when there is one to pass, so a form's own instance-derived initial stands)."""

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if not kwargs.get("initial"):
            kwargs.pop("initial", None)
        return kwargs

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


# ------------------------------------------------------------------------------------------------ the quota page
class QuotaView(RenderMixin, ScopedPageView):
    """/sampling/quotas/?year=&township= — a township's live quota page, or (no township, a city role) the
    year-to-date overview of every township with its chart. Township staff land on their own township."""

    permission_required = "sampling.view_samplingplan"
    template_name = "sampling/plans/quota_township.html"

    def get(self, request, *args, **kwargs):
        form = QuotaQueryForm(request.GET or None, actor=request.user)
        if request.GET and not form.is_valid():
            return self.render(
                {
                    "form": form,
                    "year": quotas.current_year(),
                    "invalid": True,
                    "townships": form.townships,
                },
                status=400,
            )
        data = form.cleaned_data if request.GET else {}
        year = data.get("year") or quotas.current_year()
        township = data.get("township")
        townships = form.townships
        if township is None and len(townships) == 1 and not user_sees_all_townships(request.user):
            township = townships[0]
        context = {"form": form, "year": year, "townships": townships}
        figures = selectors.quota_figures(
            actor=request.user, year=year, townships=townships, township=township, fresh=data.get("fresh", False)
        )
        context.update(
            data=figures.data,
            figures=figures,
            fresh_url=selectors.quota_page_url(year=year, township=township.pk if township else None, fresh=1),
        )
        if township is None:
            self.template_name = "sampling/plans/quota_overview.html"
            context["can_report"] = request.user.has_perm("sampling.run_quota_report")
            context["report_form"] = ReportRequestForm(initial={"year": year})
            context["reports"] = selectors.quota_report_jobs(actor=request.user)
        context["years"] = [year - 1, year, year + 1]
        return self.render(context)


class QuotaReportRequestView(ScopedActionView):
    """POST: start the quota report job (``sampling.run_quota_report``) and go to its progress page."""

    permission_required = "sampling.run_quota_report"
    job = None

    def act(self):
        form = ReportRequestForm(self.request.POST)
        if not form.is_valid():
            raise ValidationFailed("；".join(e for errs in form.errors.values() for e in errs))
        self.job = services.quota_report_request(actor=self.request.user, year=form.cleaned_data["year"])

    def get_redirect_url(self):
        return reverse("jobs:detail", kwargs={"pk": self.job.pk}) if self.job else reverse("sampling:quota")


class QuotaReportDownloadView(ScopedDetailView):
    """The workbook of a finished quota report (the creator's own, or a monthly one), for ``run_quota_report``."""

    permission_required = "sampling.run_quota_report"
    selector = staticmethod(selectors.quota_report_job_get)
    pk_url_kwarg = "job_id"

    def get(self, request, *args, **kwargs):
        from .report import report_file_path

        job = self.object
        path = report_file_path(job.pk)
        if job.status != "done" or not path.exists():
            raise Http404("报表文件不存在或尚未生成")
        response = FileResponse(
            path.open("rb"), as_attachment=True, filename=job.result.get("filename") or "quota-report.xlsx"
        )
        response["Cache-Control"] = "no-store"
        return response


# ------------------------------------------------------------------------------------------------ quota rates
class RateListView(ScopedListView):
    """The rates per year, with what they give with each year's populations (估算 marked)."""

    permission_required = "sampling.view_quotarate"
    selector = staticmethod(selectors.rate_list)
    template_name = "sampling/plans/rate_list.html"
    paginate_by = 20

    def decorate_page(self, page):
        rates = list(page)
        townships = list(quotas.visible_townships(self.request.user))
        rows = quotas.populations(townships, until=max((r.year for r in rates), default=quotas.current_year()))
        for rate in rates:
            table = quotas.quota_table(rate.year, quotas.Rates(year=rate.year, row=rate), townships, rows)
            rate.population_total = table.population_total
            rate.any_estimate = table.any_estimate
            rate.food_total = table.food_total
            rate.monitoring_total = table.monitoring_total
            rate.population_years = sorted({r.population.year for r in table.rows if r.population})

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year = quotas.current_year()
        context.update(
            can_add=self.request.user.has_perm("sampling.add_quotarate"),
            can_change=self.request.user.has_perm("sampling.change_quotarate"),
            populations=quotas.township_quotas(actor=self.request.user, year=year),
            population_year=year,
        )
        return context


class _RateFormView(_FormPageMixin, ScopedFormView):
    """A year's quota rates: new (starting from the latest year's) or edited (the year stays)."""

    template_name = "sampling/plans/rate_form.html"
    form_class = QuotaRateForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.object}

    def get_context_data(self, **kwargs):
        kwargs.setdefault("rate", self.object)
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        instance, user = self.object, self.request.user
        data = {k: v for k, v in form.cleaned_data.items() if k != "year"}
        try:
            if instance is None:
                rate = services.quota_rate_create(actor=user, year=form.cleaned_data["year"], **data)
                messages.success(self.request, f"已设定 {rate.year} 年配额标准")
            else:
                rate = services.quota_rate_update(actor=user, rate_id=instance.pk, **data)
                messages.success(self.request, f"已修改 {rate.year} 年配额标准")
        except DomainError as exc:
            errors_onto(form, exc)
            return self.form_invalid(form)
        return redirect("sampling:rate_list")


class RateCreateView(_RateFormView):
    permission_required = "sampling.add_quotarate"

    def get_initial(self):
        latest = selectors.rate_list(actor=self.request.user).first()
        return {
            "year": (latest.year + 1) if latest else quotas.current_year(),
            "food_rate": latest.food_rate if latest else "4.50",
            "monitoring_rate": latest.monitoring_rate if latest else "1.00",
            "routine_share": latest.routine_share if latest else 60,
            "targeted_share": latest.targeted_share if latest else 30,
            "vote_share": latest.vote_share if latest else 10,
        }


class RateUpdateView(ScopedObjectMixin, _RateFormView):
    permission_required = "sampling.change_quotarate"
    selector = staticmethod(selectors.rate_get)


# ------------------------------------------------------------------------------------------------ plans
class PlanListView(ScopedListView):
    permission_required = "sampling.view_samplingplan"
    selector = staticmethod(selectors.plan_list)
    filterset_class = SamplingPlanFilterSet
    template_name = "sampling/plans/plan_list.html"
    paginate_by = 20

    def decorate_page(self, page):
        totals = selectors.plan_totals(actor=self.request.user, plans=list(page))
        for plan in page:
            t = totals.get(plan.pk, {"lines": 0, "batches": 0})
            plan.line_count, plan.batch_total = t["lines"], t["batches"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(can_add=user.has_perm("sampling.add_samplingplan"))
        return context


class PlanCreateView(_FormPageMixin, ScopedFormView):
    permission_required = "sampling.add_samplingplan"
    form_class = PlanCreateForm
    template_name = "sampling/plans/plan_form.html"

    def get_initial(self):
        return {"year": quotas.current_year() + 1, "purpose": SamplingPurpose.EVALUATIVE}

    def form_valid(self, form):
        try:
            plan = services.plan_create(actor=self.request.user, **form.cleaned_data)
        except DomainError as exc:
            errors_onto(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, "计划已建立（编制中），请添加明细。")
        return redirect("sampling:plan_detail", pk=plan.pk)


class PlanGenerateView(RenderMixin, ScopedPageView):
    """GET: choose year, plan type and split; with them, the preview (quota per township, split by source, lines)
    and the confirm box. POST confirm=yes: generate (or regenerate the draft's quota lines)."""

    permission_required = "sampling.add_samplingplan"
    template_name = "sampling/plans/plan_generate.html"

    def _context(self, form):
        context = {"form": form}
        if form.is_bound and form.is_valid():
            d = form.cleaned_data
            inputs = services.generation_inputs(year=d["year"], purpose=d["purpose"], weighting=d["weighting"])
            name = services.PLAN_NAMES[d["purpose"]].format(year=d["year"])
            existing = selectors.plan_list(actor=self.request.user).filter(year=d["year"], name=name).first()
            blockers = list(inputs["problems"]) if inputs["blocking"] else []
            if existing is not None and existing.status != PlanStatus.DRAFT:
                blockers.append(f"“{existing.name}”已{existing.get_status_display()}，不能重新分解。")
            total = sum(r["total"] or 0 for r in inputs["rows"])
            lines = sum(r["lines"] for r in inputs["rows"])
            consequences = [
                f"{'在草稿“' + name + '”中替换按配额分解的明细' if existing else '新建草稿计划“' + name + '”'}："
                f"{len([r for r in inputs['rows'] if r['lines']])} 个镇街、{lines} 条明细、共 {total} 批次。",
                f"按品类分解方式：{quotas.WEIGHTINGS[d['weighting']]}；按月平均分配（最大余数）。",
            ]
            if existing:
                consequences.append("手工添加、采纳靶向建议、你点我检和风险会商形成的明细保留不变。")
            if inputs["table"].any_estimate:
                consequences.append("所用常住人口含估算值（标“估算”），统计部门数据替换后可重新分解。")
            context.update(
                inputs=inputs,
                existing=existing,
                sources=quotas.SOURCES,
                confirm=Confirm(
                    title="确认按配额生成计划明细",
                    action=reverse("sampling:plan_generate"),
                    button="确认生成",
                    cancel_url=reverse("sampling:plan_list"),
                    consequences=consequences,
                    blockers=blockers,
                    hidden={"year": d["year"], "purpose": d["purpose"], "weighting": d["weighting"]},
                    irreversible=False,
                ),
            )
        return context

    def get(self, request, *args, **kwargs):
        form = PlanGenerateForm(request.GET or None, initial={"year": quotas.current_year()})
        status = 400 if request.GET and not form.is_valid() else 200
        return self.render(self._context(form), status=status)

    def post(self, request, *args, **kwargs):
        form = PlanGenerateForm(request.POST)
        if not form.is_valid():
            return self.render(self._context(form), status=400)
        if not is_confirmed(request):
            return HttpResponseRedirect(f"{reverse('sampling:plan_generate')}?{urlencode(form.cleaned_data)}")
        try:
            plan = services.plan_generate(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            errors_onto(form, exc)
            return self.render(self._context(form), status=exc.status_code)
        messages.success(request, f"已按配额生成“{plan.name}”的明细，核对后请下达。")
        return redirect("sampling:plan_detail", pk=plan.pk)


def line_filter_context(user, params) -> dict:
    """What the lines' filter bar offers: the visible townships, the months, the active 大类, the purposes."""
    from apps.standards.models import SamplingCategory

    chosen = params.getlist("purpose")
    return {
        "purposes": [(value, label, value in chosen) for value, label in SamplingPurpose.choices],
        "townships": list(quotas.visible_townships(user)),
        "months": list(quotas.MONTHS),
        "categories": list(SamplingCategory.objects.filter(level=1, is_active=True).order_by("order", "code")),
    }


class PlanDetailView(ScopedListView):
    """A plan: its header, per-township summary and its lines (the lines list filtered to the plan)."""

    permission_required = "sampling.view_samplingplan"
    selector = staticmethod(selectors.line_list)
    filterset_class = PlanLineFilterSet
    template_name = "sampling/plans/plan_detail.html"
    paginate_by = 25

    def get_object(self):
        """The plan (``plan_get``, 404 outside scope); the page lists its lines through ``line_list``."""
        try:
            return selectors.plan_get(actor=self.request.user, pk=self.kwargs["pk"])
        except (ObjectDoesNotExist, ValueError):
            raise Http404 from None

    def get_filters(self):
        params = self.request.GET.copy()
        params["plan"] = str(self.object.pk)
        return params

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        plan = self.object
        editable = plan.status == PlanStatus.DRAFT
        context.update(
            plan=plan,
            summary=selectors.plan_summary(actor=user, plan=plan),
            can_edit=editable and user.has_perm("sampling.change_planline"),
            can_add=editable and user.has_perm("sampling.add_planline"),
            can_delete=editable and user.has_perm("sampling.delete_planline"),
            can_approve=plan.can_transition_to(PlanStatus.APPROVED) and user.has_perm("sampling.approve_samplingplan"),
            can_close=plan.can_transition_to(PlanStatus.CLOSED) and user.has_perm("sampling.change_samplingplan"),
            can_regenerate=editable and user.has_perm("sampling.add_samplingplan"),
            origin_quota=LineOrigin.QUOTA,
            **line_filter_context(user, self.request.GET),
        )
        return context


class PlanApproveView(RenderMixin, ScopedDetailView):
    """GET: what will be issued (lines and batches per township against the quota); POST confirm=yes: 下达."""

    permission_required = "sampling.approve_samplingplan"
    selector = staticmethod(selectors.plan_get)
    context_object_name = "plan"
    template_name = "sampling/plans/plan_approve.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        plan = self.object
        preview = services.approve_preview(plan=plan)
        consequences = [
            f"下达后各镇街按明细组织抽样：共 {preview['lines']} 条明细、{preview['batches']} 批次。",
            "下达后明细不能删除；只能由靶向建议、你点我检和风险会商决定增加或调整。",
            "明细通过接口（/api/v1/sampling/plan-lines/）向省级平台发布。",
        ]
        if preview["short"]:
            consequences.append("以下镇街计划批次低于配额：" + "；".join(preview["short"]) + "。")
        context.update(
            preview=preview,
            confirm=Confirm(
                title="确认下达抽检计划",
                action=reverse("sampling:plan_approve", args=[plan.pk]),
                button="确认下达",
                cancel_url=reverse("sampling:plan_detail", args=[plan.pk]),
                consequences=consequences,
                blockers=preview["blockers"],
                hidden={"version": plan.updated_at.isoformat()},
                tone="success",
            ),
        )
        return context

    def post(self, request, *args, **kwargs):
        plan = self.object
        if not is_confirmed(request):
            messages.warning(request, "请先核对将下达的明细，再确认下达")
            return redirect("sampling:plan_approve", pk=plan.pk)
        try:
            services.plan_approve(actor=request.user, plan_id=plan.pk, version_at=request.POST.get("version") or "")
        except DomainError as exc:
            messages.error(request, exc.message)
            self.object = self.get_object()  # the plan as it is now, for the preview shown again
            return self.render(status=exc.status_code)
        messages.success(request, f"“{plan.name}”已下达。")
        return redirect("sampling:plan_detail", pk=plan.pk)


class PlanCloseView(RenderMixin, ScopedDetailView):
    permission_required = "sampling.change_samplingplan"
    selector = staticmethod(selectors.plan_get)
    context_object_name = "plan"
    template_name = "sampling/plans/plan_close.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        plan = self.object
        blockers = [] if plan.can_transition_to(PlanStatus.CLOSED) else [f"计划{plan.get_status_display()}，不能结束。"]
        context["confirm"] = Confirm(
            title="确认结束计划",
            action=reverse("sampling:plan_close", args=[plan.pk]),
            button="确认结束",
            cancel_url=reverse("sampling:plan_detail", args=[plan.pk]),
            consequences=["结束后计划及其明细不能再修改（年度已结束时使用）。"],
            blockers=blockers,
            tone="danger",
        )
        return context

    def post(self, request, *args, **kwargs):
        plan = self.object
        if not is_confirmed(request):
            return redirect("sampling:plan_close", pk=plan.pk)
        try:
            services.plan_close(actor=request.user, plan_id=plan.pk)
        except DomainError as exc:
            messages.error(request, exc.message)
            return self.render(status=exc.status_code)
        messages.success(request, f"“{plan.name}”已结束。")
        return redirect("sampling:plan_detail", pk=plan.pk)


# ------------------------------------------------------------------------------------------------ lines
class LineListView(ScopedListView):
    """Every plan line the actor sees, through ``PlanLineFilterSet`` (the quota page's "计划" figures link here)."""

    permission_required = "sampling.view_planline"
    selector = staticmethod(selectors.line_list)
    filterset_class = PlanLineFilterSet
    template_name = "sampling/plans/line_list.html"
    paginate_by = 50

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["total_batches"] = selectors.line_batches(self.get_queryset())
        context.update(line_filter_context(self.request.user, self.request.GET))
        return context


class _LineFormView(_FormPageMixin, ScopedObjectMixin, ScopedFormView):
    """A plan line's form (``PlanLineForm``, the actor's townships); the template shows ``plan`` and ``line``."""

    template_name = "sampling/plans/line_form.html"
    form_class = PlanLineForm
    success_message = ""

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "actor": self.request.user}

    def save(self, form) -> int:
        """Call the service; the plan's id to go back to."""
        raise NotImplementedError

    def form_valid(self, form):
        try:
            plan_id = self.save(form)
        except DomainError as exc:
            errors_onto(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message)
        return redirect("sampling:plan_detail", pk=plan_id)


class LineCreateView(_LineFormView):
    """A new line in ``self.object``, the plan."""

    permission_required = "sampling.add_planline"
    selector = staticmethod(selectors.plan_get)
    context_object_name = "plan"
    success_message = "已添加明细"

    def get_context_data(self, **kwargs):
        kwargs.setdefault("line", None)
        return super().get_context_data(**kwargs)

    def save(self, form):
        services.line_create(actor=self.request.user, plan_id=self.object.pk, **form.service_data())
        return self.object.pk


class LineUpdateView(_LineFormView):
    """``self.object``, the line, edited."""

    permission_required = "sampling.change_planline"
    selector = staticmethod(selectors.line_get)
    context_object_name = "line"
    success_message = "已修改明细"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.object}

    def get_context_data(self, **kwargs):
        kwargs.setdefault("plan", self.object.plan)
        return super().get_context_data(**kwargs)

    def save(self, form):
        services.line_update(actor=self.request.user, line_id=self.object.pk, **form.service_data())
        return self.object.plan_id


class LineDeleteView(RenderMixin, ScopedDetailView):
    permission_required = "sampling.delete_planline"
    selector = staticmethod(selectors.line_get)
    context_object_name = "line"
    template_name = "sampling/plans/line_delete.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        line = self.object
        blockers = [] if line.plan.status == PlanStatus.DRAFT else ["计划已下达，明细不能删除。"]
        context.update(
            plan=line.plan,
            confirm=Confirm(
                title="确认删除明细",
                action=reverse("sampling:line_delete", args=[line.pk]),
                button="确认删除",
                cancel_url=reverse("sampling:plan_detail", args=[line.plan_id]),
                consequences=[f"删除 {line}（{line.get_source_display()}）。"],
                blockers=blockers,
                tone="danger",
            ),
        )
        return context

    def post(self, request, *args, **kwargs):
        line = self.object
        if not is_confirmed(request):
            return redirect("sampling:line_delete", pk=line.pk)
        try:
            services.line_delete(actor=request.user, line_id=line.pk)
        except DomainError as exc:
            messages.error(request, exc.message)
            return self.render(status=exc.status_code)
        messages.success(request, "已删除明细")
        return redirect("sampling:plan_detail", pk=line.plan_id)
