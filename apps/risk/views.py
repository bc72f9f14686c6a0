"""Pages of 风险分级: overview (distribution chart + yearly regrade button), grade list, enterprise risk card with its
forms, on-site evaluation, coverage debt, scheme viewer (list, detail, revise, activate, JSON export/edit), pending
overrides. Reads through selectors (scoped), writes through services; a row outside the user's scope is a 404.
"""

import datetime as dt
import json
from functools import cached_property

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import Township
from apps.common import refs
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

from . import coverage, engine, selectors, services
from .choices import GRADES, OverrideStatus, SchemeStatus
from .filters import AssessmentFilterSet, CoverageDebtFilterSet, OverrideFilterSet, UngradedFilterSet
from .forms import (
    AssessmentFilterForm,
    CoverageFilterForm,
    CreditClassForm,
    OnsiteEvaluationForm,
    OverrideDecisionForm,
    OverrideProposeForm,
    RegradeForm,
    RiskEventForm,
    SchemeActivateForm,
    SchemeJsonForm,
    SchemeReviseForm,
    VoidEventForm,
    apply_fields,
)
from .schemes_io import scheme_dump

PAGE_SIZE = 25


def _townships_for(user):
    qs = Township.objects.filter(is_active=True).order_by("order", "id")
    return qs if user_sees_all_townships(user) else qs.filter(pk__in=user.township_ids())


def _domain_error(request, exc: DomainError, form=None):
    if form is not None and exc.fields:
        apply_fields(form, exc.fields)
    messages.error(request, exc.message)


def _form_errors(form) -> str:
    return "；".join(e for errs in form.errors.values() for e in errs)


# ------------------------------------------------------------------------------------------------ overview
class OverviewView(ScopedPageView):
    """The grade distribution (chart), pending overrides and the yearly regrade button."""

    permission_required = "risk.view_riskassessment"
    template_name = "risk/overview.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        distribution = selectors.grade_distribution(actor=user)
        year = timezone.localdate().year
        context.update(
            distribution=distribution,
            chart=selectors.chart_data(distribution),
            grades=GRADES,
            regrade_form=RegradeForm(initial={"year": year}),
            year=year,
            pending_overrides=selectors.pending_override_count(actor=user),
            can_regrade=user.has_perm("risk.run_regrade"),
        )
        return context


class RegradeView(ScopedActionView):
    """Start the yearly regrade job; its progress is the job page."""

    permission_required = "risk.run_regrade"
    job = None

    def act(self):
        form = RegradeForm(self.request.POST)
        if not form.is_valid():
            raise ValidationFailed(_form_errors(form))
        self.job = services.regrade_start(year=form.cleaned_data["year"], actor=self.request.user)
        messages.success(self.request, f"已提交 {form.cleaned_data['year']} 年度风险等级评定任务。")

    def get_redirect_url(self):
        return reverse("jobs:detail", kwargs={"pk": self.job.pk}) if self.job else reverse("risk:overview")


class UngradedListView(ScopedListView):
    """Operating enterprises without a current grade (the overview's 未评级), optionally of one township."""

    permission_required = "risk.view_riskassessment"
    selector = staticmethod(selectors.ungraded_list)
    filterset_class = UngradedFilterSet
    paginate_by = PAGE_SIZE
    template_name = "risk/ungraded.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        townships = {str(t.pk): t for t in _townships_for(self.request.user)}
        context["township"] = None if self.filter_errors else townships.get(self.request.GET.get("township", ""))
        return context


# ------------------------------------------------------------------------------------------------ grade list
class AssessmentListView(ScopedListView):
    """Current grades through ``AssessmentFilterSet`` (the API's too); the filter bar is ``AssessmentFilterForm``."""

    permission_required = "risk.view_riskassessment"
    selector = staticmethod(selectors.current_assessment_list)
    filterset_class = AssessmentFilterSet
    paginate_by = PAGE_SIZE
    template_name = "risk/assessment_list.html"

    def get_filter_form(self):
        return AssessmentFilterForm(self.request.GET or None, townships=_townships_for(self.request.user))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["form"] = context["filter_form"]
        return context


# ------------------------------------------------------------------------------------------------ risk card
def _card_context(request, enterprise, **forms):
    card = selectors.risk_card_of(enterprise)
    user = request.user
    current = card["current"]
    band = None
    if current:
        band = next((b for b in current.scheme.bands.all() if b.grade == current.grade), None)
    pending = next((o for o in card["overrides"] if o.status == OverrideStatus.PROPOSED), None)
    source_refs = [a.source_ref for a in card["history"] if a.source_ref]
    source_refs += [e.source_ref for e in card["events"] if e.source_ref]
    return {
        **card,
        # "inspection-result:12" → "监督检查 JC… （日期，结论）" + link, resolved by the owning app (apps.common.refs)
        "sources": refs.resolve(source_refs, actor=user),
        "band": band,
        "pending_override": pending,
        "can_decide": pending is not None
        and user.has_perm("risk.approve_gradeoverride")
        and pending.proposed_by_id != user.pk,
        "event_form": forms.get("event_form") or RiskEventForm(),
        "credit_form": forms.get("credit_form") or CreditClassForm(),
        "override_form": forms.get("override_form") or OverrideProposeForm(),
        "decision_form": OverrideDecisionForm(),
        "void_form": VoidEventForm(),
        "perms_risk": {
            "add_event": user.has_perm("risk.add_riskevent"),
            "void_event": user.has_perm("risk.change_riskevent"),
            "add_credit": user.has_perm("risk.add_creditclass"),
            "propose": user.has_perm("risk.add_gradeoverride"),
            "evaluate": user.has_perm("risk.add_dynamicevaluation"),
            "recompute": user.has_perm("risk.add_riskassessment"),
        },
    }


def _card_url(pk, anchor=""):
    return reverse("risk:card", args=[pk]) + (f"#{anchor}" if anchor else "")


class EnterpriseCardView(ScopedDetailView):
    """The risk card of one enterprise: grade and its explanation, history, events, credit, overrides."""

    permission_required = "risk.view_riskassessment"
    selector = staticmethod(selectors.risk_enterprise_get)
    template_name = "risk/card.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), **_card_context(self.request, self.object)}


class _CardActionView(ScopedObjectMixin, ScopedActionView):
    """A form or button on the risk card of ``self.object``; back to the card (at ``anchor``)."""

    selector = staticmethod(selectors.risk_enterprise_get)
    anchor = ""

    def get_redirect_url(self):
        return _card_url(self.object.pk, self.anchor)


class _CardFormActionView(_CardActionView):
    """A form on the card: valid and accepted → a message and back to the card; otherwise the card again with the
    form's errors (400). ``record(form)`` calls the service."""

    form_class = None
    form_name = ""  # the card context's name of the form
    success_message = ""

    def record(self, form) -> None:
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        form = self.form_class(request.POST)
        if form.is_valid():
            try:
                self.record(form)
            except DomainError as exc:
                _domain_error(request, exc, form)
            else:
                messages.success(request, self.success_message)
                return redirect(self.get_redirect_url())
        context = _card_context(request, self.object, **{self.form_name: form})
        return TemplateResponse(request, "risk/card.html", context, status=400)


class EventAddView(_CardFormActionView):
    permission_required = "risk.add_riskevent"
    form_class = RiskEventForm
    form_name = "event_form"
    anchor = "events"
    success_message = "风险事件已登记，将在下一年度评定时按方案规则调整等级。"

    def record(self, form):
        services.risk_event_record(enterprise_id=self.object.pk, actor=self.request.user, **form.cleaned_data)


class EventVoidView(_CardActionView):
    permission_required = "risk.change_riskevent"
    anchor = "events"

    def act(self):
        form = VoidEventForm(self.request.POST)
        if not form.is_valid():
            raise ValidationFailed("请填写作废理由。")
        services.risk_event_void(
            event_id=self.kwargs["event_id"], reason=form.cleaned_data["reason"], actor=self.request.user
        )
        messages.success(self.request, "事件已作废。")


class CreditAddView(_CardFormActionView):
    permission_required = "risk.add_creditclass"
    form_class = CreditClassForm
    form_name = "credit_form"
    anchor = "credit"
    success_message = "信用风险分类已登记。"

    def record(self, form):
        services.credit_class_set(enterprise_id=self.object.pk, actor=self.request.user, **form.cleaned_data)


class RecomputeView(_CardActionView):
    permission_required = "risk.add_riskassessment"

    def act(self):
        a = services.assessment_recompute(enterprise_id=self.object.pk, actor=self.request.user)
        messages.success(self.request, f"已重新评定：{a.grade} 级（总分 {engine.num(a.total_score)}）。")


class OverrideProposeView(_CardFormActionView):
    permission_required = "risk.add_gradeoverride"
    form_class = OverrideProposeForm
    form_name = "override_form"
    anchor = "override"
    success_message = "调整申请已提交，须由另一名有审批权限的人员批准后生效。"

    def record(self, form):
        services.override_propose(enterprise_id=self.object.pk, actor=self.request.user, **form.cleaned_data)


class OverrideDecideView(_CardActionView):
    permission_required = "risk.approve_gradeoverride"
    anchor = "override"

    def act(self):
        request = self.request
        form = OverrideDecisionForm(request.POST)
        if not form.is_valid():
            raise ValidationFailed(_form_errors(form))
        override_id, note = self.kwargs["override_id"], form.cleaned_data["note"]
        if form.cleaned_data["decision"] == "approve":
            a = services.override_approve(override_id=override_id, actor=request.user, note=note)
            messages.success(request, f"已批准，当前等级为 {a.grade} 级。")
        else:
            services.override_reject(override_id=override_id, actor=request.user, note=note)
            messages.success(request, "已驳回调整申请。")


class OnsiteEvaluationView(ScopedObjectMixin, ScopedFormView):
    """The on-site (dynamic) evaluation: one score per dynamic item of the scheme in force for the sector."""

    permission_required = "risk.add_dynamicevaluation"
    selector = staticmethod(selectors.risk_enterprise_get)
    context_object_name = "enterprise"
    form_class = OnsiteEvaluationForm
    template_name = "risk/onsite.html"

    @cached_property
    def scheme(self):
        return services.scheme_in_force(sector=self.object.business_type.sector, on=timezone.localdate())

    def get_form_kwargs(self):
        sector = self.object.business_type.sector
        items = engine.rules_load(self.scheme).items.get(sector, ()) if self.scheme is not None else ()
        return {**super().get_form_kwargs(), "items": items}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "scheme": self.scheme}

    def post(self, request, *args, **kwargs):
        if self.scheme is None:  # nothing to evaluate against: the page says so
            return self.form_invalid(self.get_form())
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def form_valid(self, form):
        try:
            a = services.onsite_evaluation_submit(
                enterprise_id=self.object.pk,
                item_scores=form.item_scores(),
                evaluated_on=form.cleaned_data["evaluated_on"],
                note=form.cleaned_data["note"],
                actor=self.request.user,
            )
        except DomainError as exc:
            _domain_error(self.request, exc, form)
            return self.form_invalid(form)
        messages.success(self.request, f"现场评定已保存：动态得分 {engine.num(a.dynamic_score)}，等级 {a.grade} 级。")
        return redirect(_card_url(self.object.pk))


# ------------------------------------------------------------------------------------------------ coverage debt
class CoverageView(ScopedListView):
    """Coverage debt: the per-township counts, and the overdue enterprises through ``CoverageDebtFilterSet``
    (township, reason), most overdue first. The filter bar is ``CoverageFilterForm`` (the user's townships); an
    invalid value is shown and ignored."""

    permission_required = "risk.view_riskassessment"
    selector = staticmethod(coverage.coverage_debt_page_rows)
    filterset_class = CoverageDebtFilterSet
    paginate_by = PAGE_SIZE
    invalid_filters = "ignore"
    template_name = "risk/coverage.html"

    def get_filter_form(self):
        return CoverageFilterForm(self.request.GET or None, townships=_townships_for(self.request.user))

    def decorate_page(self, page):
        page.object_list = coverage.rows_of(page.object_list, timezone.localdate())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        counts = coverage.coverage_debt_counts(self.request.user, today=timezone.localdate())
        context.update(
            form=context["filter_form"],
            counts=counts,
            today=timezone.localdate(),
            has_source=bool(coverage.registered_sources()),
            total_overdue=sum(c["overdue"] for c in counts),
        )
        return context


# ------------------------------------------------------------------------------------------------ overrides
class OverrideListView(ScopedListView):
    """Grade overrides of one status (tabs; 待审批 by default) through ``OverrideFilterSet``."""

    permission_required = "risk.view_gradeoverride"
    selector = staticmethod(selectors.override_list)
    filterset_class = OverrideFilterSet
    paginate_by = PAGE_SIZE
    template_name = "risk/override_list.html"

    def get_filters(self):
        filters = self.request.GET.copy()
        if filters.get("status") not in OverrideStatus.values:
            filters["status"] = OverrideStatus.PROPOSED  # no or an unknown tab: the tab that needs action
        return filters

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        status = self.get_filters()["status"]
        context.update(status=status, statuses=OverrideStatus.choices, query=f"status={status}")
        return context


# ------------------------------------------------------------------------------------------------ schemes
class SchemeListView(ScopedPageView):
    """Every scheme version, those in force today marked."""

    permission_required = "risk.view_riskscheme"
    template_name = "risk/scheme_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        context.update(
            schemes=list(selectors.scheme_list(actor=self.request.user)),
            in_force={s.pk for s in services.schemes_in_force(on=today).values()},
            today=today,
        )
        return context


def _scheme_context(request, scheme, revise_form=None, activate_form=None) -> dict:
    bands, lower = [], None
    for band in sorted(scheme.bands.all(), key=lambda b: b.grade):
        band.lower = lower
        lower = band.score_max
        bands.append(band)
    sectors = {}
    for item in scheme.dynamic_items.all():
        sectors.setdefault(item.get_sector_display(), []).append(item)
    user = request.user
    return {
        "scheme": scheme,
        "bands": bands,
        "items_by_sector": sectors,
        "revise_form": revise_form
        or SchemeReviseForm(initial={"effective_from": dt.date(timezone.localdate().year + 1, 1, 1)}),
        "activate_form": activate_form or SchemeActivateForm(initial={"effective_from": scheme.effective_from}),
        "can_revise": user.has_perm("risk.add_riskscheme") and scheme.status != SchemeStatus.DRAFT,
        "can_edit": user.has_perm("risk.change_riskscheme") and scheme.status == SchemeStatus.DRAFT,
        "can_activate": user.has_perm("risk.activate_riskscheme") and scheme.status == SchemeStatus.DRAFT,
    }


class SchemeDetailView(ScopedDetailView):
    """One scheme version: bands, dynamic items per sector, and its revise / edit / activate buttons."""

    permission_required = "risk.view_riskscheme"
    selector = staticmethod(selectors.scheme_detail)
    template_name = "risk/scheme_detail.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), **_scheme_context(self.request, self.object)}


class _SchemeFormActionView(ScopedObjectMixin, ScopedActionView):
    """A form on the scheme page: ``submit(form)`` calls the service and answers the redirect; an invalid form or a
    refused one shows the scheme page again with the form's errors."""

    selector = staticmethod(selectors.scheme_detail)
    form_class = None
    form_name = ""  # revise_form / activate_form

    def submit(self, form):
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        form = self.form_class(request.POST)
        if form.is_valid():
            try:
                return self.submit(form)
            except DomainError as exc:
                _domain_error(request, exc, form)
        context = _scheme_context(request, self.object, **{self.form_name: form})
        return TemplateResponse(request, "risk/scheme_detail.html", context)


class SchemeReviseView(_SchemeFormActionView):
    permission_required = "risk.add_riskscheme"
    form_class = SchemeReviseForm
    form_name = "revise_form"

    def submit(self, form):
        draft = services.scheme_revise(
            scheme_id=self.object.pk, effective_from=form.cleaned_data["effective_from"], actor=self.request.user
        )
        messages.success(self.request, f"已创建草稿 v{draft.version}，修改后启用。原版本及其评定结果保持不变。")
        return redirect("risk:scheme_detail", pk=draft.pk)


class SchemeActivateView(_SchemeFormActionView):
    permission_required = "risk.activate_riskscheme"
    form_class = SchemeActivateForm
    form_name = "activate_form"

    def submit(self, form):
        services.scheme_activate(
            scheme_id=self.object.pk, effective_from=form.cleaned_data["effective_from"], actor=self.request.user
        )
        messages.success(self.request, "方案已启用。")
        return redirect("risk:scheme_detail", pk=self.object.pk)


class SchemeExportView(ScopedDetailView):
    """One scheme version as JSON (the format the edit form takes)."""

    permission_required = "risk.view_riskscheme"
    selector = staticmethod(selectors.scheme_detail)

    def get(self, request, *args, **kwargs):
        scheme = self.object
        body = json.dumps(scheme_dump(scheme), ensure_ascii=False, indent=1)
        response = HttpResponse(body + "\n", content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="risk-scheme-{scheme.code}-v{scheme.version}.json"'
        return response


class SchemeEditView(ScopedObjectMixin, ScopedFormView):
    """A draft scheme edited as JSON; a published one is revised into a new draft instead."""

    permission_required = "risk.change_riskscheme"
    selector = staticmethod(selectors.scheme_detail)
    context_object_name = "scheme"
    form_class = SchemeJsonForm
    template_name = "risk/scheme_edit.html"

    def check_object(self):
        if self.object.status != SchemeStatus.DRAFT:
            messages.error(self.request, "已发布的方案不能直接修改，请修订为新版本。")
            return redirect("risk:scheme_detail", pk=self.object.pk)
        return None

    def get_initial(self):
        return {"data": json.dumps(scheme_dump(self.object), ensure_ascii=False, indent=1)}

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def form_valid(self, form):
        try:
            services.scheme_update_draft(
                scheme_id=self.object.pk, data=form.cleaned_data["data"], actor=self.request.user
            )
        except DomainError as exc:
            messages.error(self.request, exc.message)
            for section, errors in (exc.fields or {}).items():
                for e in errors if isinstance(errors, list) else [errors]:
                    form.add_error("data", f"{section}：{e}")
            return self.form_invalid(form)
        messages.success(self.request, "草稿已保存。")
        return redirect("risk:scheme_detail", pk=self.object.pk)
