"""Pages of sampling/plans: the live quota page and overview, quota rates, plans, plan lines, the quota report.
Thin: selectors in, services out; bad input re-renders the form with the Chinese message beside the field (400)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.views.generic import TemplateView

from apps.common.confirm import Confirm, is_confirmed
from apps.common.exceptions import DomainError
from apps.common.scoping import user_sees_all_townships
from apps.common.viewmixins import ScopedListView, ScopedQuerysetMixin

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


def _get_or_404(fn, **kwargs):
    try:
        return fn(**kwargs)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404 from None


class PageView(ScopedQuerysetMixin, TemplateView):
    """A page that reads through ``selector`` (scoped) and renders; ``status`` lets a page answer 400 on bad input."""

    def render(self, context, status=200):
        return self.render_to_response(self.get_context_data(**context), status=status)


# ------------------------------------------------------------------------------------------------ the quota page
class QuotaView(PageView):
    """/sampling/quotas/?year=&township= — a township's live quota page, or (no township, a city role) the
    year-to-date overview of every township with its chart. Township staff land on their own township."""

    permission_required = "sampling.view_samplingplan"
    selector = staticmethod(selectors.line_list)
    template_name = "sampling/plans/quota_township.html"

    def get(self, request, *args, **kwargs):
        form = QuotaQueryForm(request.GET or None, actor=request.user)
        if request.GET and not form.is_valid():
            return self.render(
                {
                    "form": form,
                    "year": quotas.current_year(),
                    "invalid": True,
                    "townships": list(form.fields["township"].queryset),
                },
                status=400,
            )
        data = form.cleaned_data if request.GET else {}
        year = data.get("year") or quotas.current_year()
        township = data.get("township")
        townships = list(form.fields["township"].queryset)
        if township is None and len(townships) == 1 and not user_sees_all_townships(request.user):
            township = townships[0]
        context = {"form": form, "year": year, "townships": townships}
        if township is None:
            self.template_name = "sampling/plans/quota_overview.html"
            context["data"] = selectors.overview(actor=request.user, year=year, townships=townships)
            context["can_report"] = request.user.has_perm("sampling.run_quota_report")
            context["report_form"] = ReportRequestForm(initial={"year": year})
            context["reports"] = selectors.quota_report_jobs(actor=request.user)
        else:
            context["data"] = selectors.township_page(actor=request.user, year=year, township=township)
        context["years"] = [year - 1, year, year + 1]
        return self.render(context)


quota_view = QuotaView.as_view()


class QuotaReportRequestView(PageView):
    """POST: start the quota report job (``sampling.run_quota_report``) and go to its progress page."""

    permission_required = "sampling.run_quota_report"
    selector = staticmethod(selectors.line_list)
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = ReportRequestForm(request.POST)
        if not form.is_valid():
            messages.error(request, "；".join(e for errs in form.errors.values() for e in errs))
            return redirect(reverse("sampling:quota"))
        try:
            job = services.quota_report_request(actor=request.user, year=form.cleaned_data["year"])
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect(reverse("sampling:quota"))
        return redirect("jobs:detail", pk=job.pk)


quota_report_request = QuotaReportRequestView.as_view()


class QuotaReportDownloadView(PageView):
    """The workbook of a finished quota report (the creator's own, or a monthly one), for ``run_quota_report``."""

    permission_required = "sampling.run_quota_report"
    selector = staticmethod(selectors.line_list)

    def get(self, request, job_id, *args, **kwargs):
        from .report import report_file_path

        job = _get_or_404(selectors.quota_report_job_get, actor=request.user, pk=job_id)
        path = report_file_path(job.pk)
        if job.status != "done" or not path.exists():
            raise Http404("报表文件不存在或尚未生成")
        response = FileResponse(
            path.open("rb"), as_attachment=True, filename=job.result.get("filename") or "quota-report.xlsx"
        )
        response["Cache-Control"] = "no-store"
        return response


quota_report_download = QuotaReportDownloadView.as_view()


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


rate_list = RateListView.as_view()


class RateFormView(PageView):
    permission_required = "sampling.add_quotarate"
    selector = staticmethod(selectors.rate_list)
    template_name = "sampling/plans/rate_form.html"
    instance = None

    def get_instance(self):
        return None

    def get(self, request, *args, **kwargs):
        instance = self.get_instance()
        initial = None
        if instance is None:
            latest = selectors.rate_list(actor=request.user).first()
            year = (latest.year + 1) if latest else quotas.current_year()
            initial = {
                "year": year,
                "food_rate": latest.food_rate if latest else "4.50",
                "monitoring_rate": latest.monitoring_rate if latest else "1.00",
                "routine_share": latest.routine_share if latest else 60,
                "targeted_share": latest.targeted_share if latest else 30,
                "vote_share": latest.vote_share if latest else 10,
            }
        return self.render({"form": QuotaRateForm(initial=initial, instance=instance), "rate": instance})

    def post(self, request, *args, **kwargs):
        instance = self.get_instance()
        form = QuotaRateForm(request.POST, instance=instance)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "year"}
            try:
                if instance is None:
                    rate = services.quota_rate_create(actor=request.user, year=form.cleaned_data["year"], **data)
                    messages.success(request, f"已设定 {rate.year} 年配额标准")
                else:
                    rate = services.quota_rate_update(actor=request.user, rate_id=instance.pk, **data)
                    messages.success(request, f"已修改 {rate.year} 年配额标准")
                return redirect("sampling:rate_list")
            except DomainError as exc:
                errors_onto(form, exc)
        return self.render({"form": form, "rate": instance}, status=400)


class RateCreateView(RateFormView):
    pass


class RateUpdateView(RateFormView):
    permission_required = "sampling.change_quotarate"

    def get_instance(self):
        return _get_or_404(selectors.rate_get, actor=self.request.user, pk=self.kwargs["pk"])


rate_create = RateCreateView.as_view()
rate_update = RateUpdateView.as_view()


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


plan_list = PlanListView.as_view()


class PlanCreateView(PageView):
    permission_required = "sampling.add_samplingplan"
    selector = staticmethod(selectors.plan_list)
    template_name = "sampling/plans/plan_form.html"

    def get(self, request, *args, **kwargs):
        form = PlanCreateForm(initial={"year": quotas.current_year() + 1, "purpose": SamplingPurpose.EVALUATIVE})
        return self.render({"form": form})

    def post(self, request, *args, **kwargs):
        form = PlanCreateForm(request.POST)
        if form.is_valid():
            try:
                plan = services.plan_create(actor=request.user, **form.cleaned_data)
            except DomainError as exc:
                errors_onto(form, exc)
            else:
                messages.success(request, "计划已建立（编制中），请添加明细。")
                return redirect("sampling:plan_detail", pk=plan.pk)
        return self.render({"form": form}, status=400)


plan_create = PlanCreateView.as_view()


class PlanGenerateView(PageView):
    """GET: choose year, plan type and split; with them, the preview (quota per township, split by source, lines)
    and the confirm box. POST confirm=yes: generate (or regenerate the draft's quota lines)."""

    permission_required = "sampling.add_samplingplan"
    selector = staticmethod(selectors.plan_list)
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


plan_generate = PlanGenerateView.as_view()


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

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.has_perm(self.permission_required):
            self.plan = _get_or_404(selectors.plan_get, actor=request.user, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_filters(self):
        params = self.request.GET.copy()
        params["plan"] = str(self.plan.pk)
        return params

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        plan = self.plan
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


plan_detail = PlanDetailView.as_view()


class PlanApproveView(PageView):
    """GET: what will be issued (lines and batches per township against the quota); POST confirm=yes: 下达."""

    permission_required = "sampling.approve_samplingplan"
    selector = staticmethod(selectors.plan_list)
    template_name = "sampling/plans/plan_approve.html"

    def _plan(self):
        return _get_or_404(selectors.plan_get, actor=self.request.user, pk=self.kwargs["pk"])

    def _context(self, plan):
        preview = services.approve_preview(plan=plan)
        consequences = [
            f"下达后各镇街按明细组织抽样：共 {preview['lines']} 条明细、{preview['batches']} 批次。",
            "下达后明细不能删除；只能由靶向建议、你点我检和风险会商决定增加或调整。",
            "明细通过接口（/api/v1/sampling/plan-lines/）向省级平台发布。",
        ]
        if preview["short"]:
            consequences.append("以下镇街计划批次低于配额：" + "；".join(preview["short"]) + "。")
        return {
            "plan": plan,
            "preview": preview,
            "confirm": Confirm(
                title="确认下达抽检计划",
                action=reverse("sampling:plan_approve", args=[plan.pk]),
                button="确认下达",
                cancel_url=reverse("sampling:plan_detail", args=[plan.pk]),
                consequences=consequences,
                blockers=preview["blockers"],
                hidden={"version": plan.updated_at.isoformat()},
                tone="success",
            ),
        }

    def get(self, request, *args, **kwargs):
        return self.render(self._context(self._plan()))

    def post(self, request, *args, **kwargs):
        plan = self._plan()
        if not is_confirmed(request):
            messages.warning(request, "请先核对将下达的明细，再确认下达")
            return redirect("sampling:plan_approve", pk=plan.pk)
        try:
            services.plan_approve(actor=request.user, plan_id=plan.pk, version_at=request.POST.get("version") or "")
        except DomainError as exc:
            messages.error(request, exc.message)
            return self.render(self._context(self._plan()), status=exc.status_code)
        messages.success(request, f"“{plan.name}”已下达。")
        return redirect("sampling:plan_detail", pk=plan.pk)


plan_approve = PlanApproveView.as_view()


class PlanCloseView(PageView):
    permission_required = "sampling.change_samplingplan"
    selector = staticmethod(selectors.plan_list)
    template_name = "sampling/plans/plan_close.html"

    def _context(self, plan):
        blockers = [] if plan.can_transition_to(PlanStatus.CLOSED) else [f"计划{plan.get_status_display()}，不能结束。"]
        return {
            "plan": plan,
            "confirm": Confirm(
                title="确认结束计划",
                action=reverse("sampling:plan_close", args=[plan.pk]),
                button="确认结束",
                cancel_url=reverse("sampling:plan_detail", args=[plan.pk]),
                consequences=["结束后计划及其明细不能再修改（年度已结束时使用）。"],
                blockers=blockers,
                tone="danger",
            ),
        }

    def get(self, request, *args, **kwargs):
        return self.render(self._context(_get_or_404(selectors.plan_get, actor=request.user, pk=kwargs["pk"])))

    def post(self, request, *args, **kwargs):
        plan = _get_or_404(selectors.plan_get, actor=request.user, pk=kwargs["pk"])
        if not is_confirmed(request):
            return redirect("sampling:plan_close", pk=plan.pk)
        try:
            services.plan_close(actor=request.user, plan_id=plan.pk)
        except DomainError as exc:
            messages.error(request, exc.message)
            return self.render(self._context(plan), status=exc.status_code)
        messages.success(request, f"“{plan.name}”已结束。")
        return redirect("sampling:plan_detail", pk=plan.pk)


plan_close = PlanCloseView.as_view()


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


line_list = LineListView.as_view()


class LineCreateView(PageView):
    permission_required = "sampling.add_planline"
    selector = staticmethod(selectors.line_list)
    template_name = "sampling/plans/line_form.html"

    def _plan(self):
        return _get_or_404(selectors.plan_get, actor=self.request.user, pk=self.kwargs["pk"])

    def get(self, request, *args, **kwargs):
        plan = self._plan()
        return self.render({"form": PlanLineForm(actor=request.user), "plan": plan, "line": None})

    def post(self, request, *args, **kwargs):
        plan = self._plan()
        form = PlanLineForm(request.POST, actor=request.user)
        if form.is_valid():
            try:
                services.line_create(actor=request.user, plan_id=plan.pk, **form.service_data())
            except DomainError as exc:
                errors_onto(form, exc)
            else:
                messages.success(request, "已添加明细")
                return redirect("sampling:plan_detail", pk=plan.pk)
        return self.render({"form": form, "plan": plan, "line": None}, status=400)


line_create = LineCreateView.as_view()


class LineUpdateView(PageView):
    permission_required = "sampling.change_planline"
    selector = staticmethod(selectors.line_list)
    template_name = "sampling/plans/line_form.html"

    def _line(self):
        return _get_or_404(selectors.line_get, actor=self.request.user, pk=self.kwargs["pk"])

    def get(self, request, *args, **kwargs):
        line = self._line()
        form = PlanLineForm(actor=request.user, instance=line)
        return self.render({"form": form, "plan": line.plan, "line": line})

    def post(self, request, *args, **kwargs):
        line = self._line()
        form = PlanLineForm(request.POST, actor=request.user, instance=line)
        if form.is_valid():
            try:
                services.line_update(actor=request.user, line_id=line.pk, **form.service_data())
            except DomainError as exc:
                errors_onto(form, exc)
            else:
                messages.success(request, "已修改明细")
                return redirect("sampling:plan_detail", pk=line.plan_id)
        return self.render({"form": form, "plan": line.plan, "line": line}, status=400)


line_update = LineUpdateView.as_view()


class LineDeleteView(PageView):
    permission_required = "sampling.delete_planline"
    selector = staticmethod(selectors.line_list)
    template_name = "sampling/plans/line_delete.html"

    def _context(self, line):
        blockers = [] if line.plan.status == PlanStatus.DRAFT else ["计划已下达，明细不能删除。"]
        return {
            "line": line,
            "plan": line.plan,
            "confirm": Confirm(
                title="确认删除明细",
                action=reverse("sampling:line_delete", args=[line.pk]),
                button="确认删除",
                cancel_url=reverse("sampling:plan_detail", args=[line.plan_id]),
                consequences=[f"删除 {line}（{line.get_source_display()}）。"],
                blockers=blockers,
                tone="danger",
            ),
        }

    def get(self, request, *args, **kwargs):
        return self.render(self._context(_get_or_404(selectors.line_get, actor=request.user, pk=kwargs["pk"])))

    def post(self, request, *args, **kwargs):
        line = _get_or_404(selectors.line_get, actor=request.user, pk=kwargs["pk"])
        if not is_confirmed(request):
            return redirect("sampling:line_delete", pk=line.pk)
        try:
            services.line_delete(actor=request.user, line_id=line.pk)
        except DomainError as exc:
            messages.error(request, exc.message)
            return self.render(self._context(line), status=exc.status_code)
        messages.success(request, "已删除明细")
        return redirect("sampling:plan_detail", pk=line.plan_id)


line_delete = LineDeleteView.as_view()
