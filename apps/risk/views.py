"""Pages of 风险分级: overview (distribution chart + yearly regrade button), grade list, enterprise risk card with its
forms, on-site evaluation, coverage debt, scheme viewer (list, detail, revise, activate, JSON export/edit), pending
overrides. Reads through selectors (scoped), writes through services; a row outside the user's scope is a 404.
"""

import datetime as dt
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ObjectDoesNotExist
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from apps.accounts.models import Township
from apps.common import refs
from apps.common.exceptions import DomainError
from apps.common.scoping import user_sees_all_townships
from apps.common.viewmixins import ScopedListView
from apps.enterprises.models import Enterprise

from . import coverage, engine, selectors, services
from .choices import GRADES, OverrideStatus, SchemeStatus
from .filters import AssessmentFilterSet
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


def _query_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _domain_error(request, exc: DomainError, form=None):
    if form is not None and exc.fields:
        apply_fields(form, exc.fields)
    messages.error(request, exc.message)


# ------------------------------------------------------------------------------------------------ overview
@login_required
@permission_required("risk.view_riskassessment", raise_exception=True)
def overview(request):
    distribution = selectors.grade_distribution(actor=request.user)
    year = timezone.localdate().year
    return render(
        request,
        "risk/overview.html",
        {
            "distribution": distribution,
            "chart": selectors.chart_data(distribution),
            "grades": GRADES,
            "regrade_form": RegradeForm(initial={"year": year}),
            "year": year,
            "pending_overrides": selectors.pending_override_count(actor=request.user),
            "can_regrade": request.user.has_perm("risk.run_regrade"),
        },
    )


@login_required
@permission_required("risk.run_regrade", raise_exception=True)
@require_POST
def regrade(request):
    form = RegradeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(e for errs in form.errors.values() for e in errs))
        return redirect("risk:overview")
    try:
        job = services.regrade_start(year=form.cleaned_data["year"], actor=request.user)
    except DomainError as exc:
        _domain_error(request, exc)
        return redirect("risk:overview")
    messages.success(request, f"已提交 {form.cleaned_data['year']} 年度风险等级评定任务。")
    return redirect("jobs:detail", pk=job.pk)


@login_required
@permission_required("risk.view_riskassessment", raise_exception=True)
def ungraded_list(request):
    townships = {t.pk: t for t in _townships_for(request.user)}
    try:
        township_id = int(request.GET.get("township") or 0) or None
    except ValueError:
        township_id = None
    qs = selectors.ungraded_list(actor=request.user, township_id=township_id)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "risk/ungraded.html",
        {"page": page, "township": townships.get(township_id), "query": _query_without_page(request)},
    )


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


assessment_list = AssessmentListView.as_view()


# ------------------------------------------------------------------------------------------------ risk card
def _card_context(request, enterprise_id, **forms):
    try:
        card = selectors.risk_card(actor=request.user, enterprise_id=enterprise_id)
    except (Enterprise.DoesNotExist, ValueError):
        raise Http404("未找到该检查对象") from None
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


@login_required
@permission_required("risk.view_riskassessment", raise_exception=True)
def enterprise_card(request, pk):
    return render(request, "risk/card.html", _card_context(request, pk))


def _card_url(pk, anchor=""):
    return reverse("risk:card", args=[pk]) + (f"#{anchor}" if anchor else "")


@login_required
@permission_required("risk.add_riskevent", raise_exception=True)
@require_POST
def event_add(request, pk):
    form = RiskEventForm(request.POST)
    if form.is_valid():
        try:
            services.risk_event_record(enterprise_id=pk, actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            _domain_error(request, exc, form)
        else:
            messages.success(request, "风险事件已登记，将在下一年度评定时按方案规则调整等级。")
            return redirect(_card_url(pk, "events"))
    return render(request, "risk/card.html", _card_context(request, pk, event_form=form), status=400)


@login_required
@permission_required("risk.change_riskevent", raise_exception=True)
@require_POST
def event_void(request, pk, event_id):
    form = VoidEventForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写作废理由。")
        return redirect(_card_url(pk, "events"))
    try:
        services.risk_event_void(event_id=event_id, reason=form.cleaned_data["reason"], actor=request.user)
    except DomainError as exc:
        _domain_error(request, exc)
    else:
        messages.success(request, "事件已作废。")
    return redirect(_card_url(pk, "events"))


@login_required
@permission_required("risk.add_creditclass", raise_exception=True)
@require_POST
def credit_add(request, pk):
    form = CreditClassForm(request.POST)
    if form.is_valid():
        try:
            services.credit_class_set(enterprise_id=pk, actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            _domain_error(request, exc, form)
        else:
            messages.success(request, "信用风险分类已登记。")
            return redirect(_card_url(pk, "credit"))
    return render(request, "risk/card.html", _card_context(request, pk, credit_form=form), status=400)


@login_required
@permission_required("risk.add_riskassessment", raise_exception=True)
@require_POST
def recompute(request, pk):
    try:
        a = services.assessment_recompute(enterprise_id=pk, actor=request.user)
    except DomainError as exc:
        _domain_error(request, exc)
    else:
        messages.success(request, f"已重新评定：{a.grade} 级（总分 {engine.num(a.total_score)}）。")
    return redirect(_card_url(pk))


@login_required
@permission_required("risk.add_gradeoverride", raise_exception=True)
@require_POST
def override_propose(request, pk):
    form = OverrideProposeForm(request.POST)
    if form.is_valid():
        try:
            services.override_propose(enterprise_id=pk, actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            _domain_error(request, exc, form)
        else:
            messages.success(request, "调整申请已提交，须由另一名有审批权限的人员批准后生效。")
            return redirect(_card_url(pk, "override"))
    return render(request, "risk/card.html", _card_context(request, pk, override_form=form), status=400)


@login_required
@permission_required("risk.approve_gradeoverride", raise_exception=True)
@require_POST
def override_decide(request, pk, override_id):
    form = OverrideDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(e for errs in form.errors.values() for e in errs))
        return redirect(_card_url(pk, "override"))
    try:
        if form.cleaned_data["decision"] == "approve":
            a = services.override_approve(override_id=override_id, actor=request.user, note=form.cleaned_data["note"])
            messages.success(request, f"已批准，当前等级为 {a.grade} 级。")
        else:
            services.override_reject(override_id=override_id, actor=request.user, note=form.cleaned_data["note"])
            messages.success(request, "已驳回调整申请。")
    except DomainError as exc:
        _domain_error(request, exc)
    return redirect(_card_url(pk, "override"))


@login_required
@permission_required("risk.add_dynamicevaluation", raise_exception=True)
def onsite_evaluation(request, pk):
    try:
        enterprise = Enterprise.objects.visible_to(request.user).select_related("business_type", "township").get(pk=pk)
    except (Enterprise.DoesNotExist, ValueError):
        raise Http404("未找到该检查对象") from None
    today = timezone.localdate()
    scheme = services.scheme_in_force(sector=enterprise.business_type.sector, on=today)
    items = ()
    if scheme is not None:
        items = engine.rules_load(scheme).items.get(enterprise.business_type.sector, ())
    form = OnsiteEvaluationForm(request.POST or None, items=items)
    if request.method == "POST" and scheme is not None and form.is_valid():
        try:
            a = services.onsite_evaluation_submit(
                enterprise_id=pk,
                item_scores=form.item_scores(),
                evaluated_on=form.cleaned_data["evaluated_on"],
                note=form.cleaned_data["note"],
                actor=request.user,
            )
        except DomainError as exc:
            _domain_error(request, exc, form)
        else:
            messages.success(request, f"现场评定已保存：动态得分 {engine.num(a.dynamic_score)}，等级 {a.grade} 级。")
            return redirect(_card_url(pk))
    return render(
        request,
        "risk/onsite.html",
        {"enterprise": enterprise, "scheme": scheme, "form": form},
        status=400 if request.method == "POST" else 200,
    )


# ------------------------------------------------------------------------------------------------ coverage debt
@login_required
@permission_required("risk.view_riskassessment", raise_exception=True)
def coverage_view(request):
    townships = _townships_for(request.user)
    form = CoverageFilterForm(request.GET or None, townships=townships)
    township_id = reason = None
    if form.is_valid():
        township_id = form.cleaned_data.get("township")
        reason = form.cleaned_data.get("reason") or None
    today = timezone.localdate()
    counts = coverage.coverage_debt_counts(request.user, today=today)
    qs = coverage.coverage_debt_page_rows(actor=request.user, today=today, township_id=township_id, reason=reason)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = coverage.rows_of(page.object_list, today)
    return render(
        request,
        "risk/coverage.html",
        {
            "form": form,
            "page": page,
            "counts": counts,
            "today": today,
            "query": _query_without_page(request),
            "has_source": bool(coverage.registered_sources()),
            "total_overdue": sum(c["overdue"] for c in counts),
        },
    )


# ------------------------------------------------------------------------------------------------ overrides
@login_required
@permission_required("risk.view_gradeoverride", raise_exception=True)
def override_list(request):
    status = request.GET.get("status") or OverrideStatus.PROPOSED
    if status not in OverrideStatus.values:
        status = OverrideStatus.PROPOSED
    page = Paginator(selectors.override_list(actor=request.user, status=status), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "risk/override_list.html",
        {"page": page, "status": status, "statuses": OverrideStatus.choices, "query": f"status={status}"},
    )


# ------------------------------------------------------------------------------------------------ schemes
@login_required
@permission_required("risk.view_riskscheme", raise_exception=True)
def scheme_list(request):
    today = timezone.localdate()
    in_force = {s.pk for s in services.schemes_in_force(on=today).values()}
    schemes = list(selectors.scheme_list(actor=request.user))
    return render(request, "risk/scheme_list.html", {"schemes": schemes, "in_force": in_force, "today": today})


def _scheme_or_404(request, pk):
    try:
        return selectors.scheme_detail(actor=request.user, pk=pk)
    except (ObjectDoesNotExist, ValueError):
        raise Http404("未找到该方案") from None


@login_required
@permission_required("risk.view_riskscheme", raise_exception=True)
def scheme_detail(request, pk, revise_form=None, activate_form=None):
    scheme = _scheme_or_404(request, pk)
    bands, lower = [], None
    for band in sorted(scheme.bands.all(), key=lambda b: b.grade):
        band.lower = lower
        lower = band.score_max
        bands.append(band)
    sectors = {}
    for item in scheme.dynamic_items.all():
        sectors.setdefault(item.get_sector_display(), []).append(item)
    return render(
        request,
        "risk/scheme_detail.html",
        {
            "scheme": scheme,
            "bands": bands,
            "items_by_sector": sectors,
            "revise_form": revise_form
            or SchemeReviseForm(initial={"effective_from": dt.date(timezone.localdate().year + 1, 1, 1)}),
            "activate_form": activate_form or SchemeActivateForm(initial={"effective_from": scheme.effective_from}),
            "can_revise": request.user.has_perm("risk.add_riskscheme") and scheme.status != SchemeStatus.DRAFT,
            "can_edit": request.user.has_perm("risk.change_riskscheme") and scheme.status == SchemeStatus.DRAFT,
            "can_activate": request.user.has_perm("risk.activate_riskscheme") and scheme.status == SchemeStatus.DRAFT,
        },
    )


@login_required
@permission_required("risk.add_riskscheme", raise_exception=True)
@require_POST
def scheme_revise(request, pk):
    form = SchemeReviseForm(request.POST)
    if form.is_valid():
        try:
            draft = services.scheme_revise(
                scheme_id=pk, effective_from=form.cleaned_data["effective_from"], actor=request.user
            )
        except DomainError as exc:
            _domain_error(request, exc, form)
        else:
            messages.success(request, f"已创建草稿 v{draft.version}，修改后启用。原版本及其评定结果保持不变。")
            return redirect("risk:scheme_detail", pk=draft.pk)
    return scheme_detail(request, pk, revise_form=form)


@login_required
@permission_required("risk.activate_riskscheme", raise_exception=True)
@require_POST
def scheme_activate(request, pk):
    form = SchemeActivateForm(request.POST)
    if form.is_valid():
        try:
            services.scheme_activate(
                scheme_id=pk, effective_from=form.cleaned_data["effective_from"], actor=request.user
            )
        except DomainError as exc:
            _domain_error(request, exc, form)
        else:
            messages.success(request, "方案已启用。")
            return redirect("risk:scheme_detail", pk=pk)
    return scheme_detail(request, pk, activate_form=form)


@login_required
@permission_required("risk.view_riskscheme", raise_exception=True)
def scheme_export(request, pk):
    scheme = _scheme_or_404(request, pk)
    body = json.dumps(scheme_dump(scheme), ensure_ascii=False, indent=1)
    response = HttpResponse(body + "\n", content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="risk-scheme-{scheme.code}-v{scheme.version}.json"'
    return response


@login_required
@permission_required("risk.change_riskscheme", raise_exception=True)
def scheme_edit(request, pk):
    scheme = _scheme_or_404(request, pk)
    if scheme.status != SchemeStatus.DRAFT:
        messages.error(request, "已发布的方案不能直接修改，请修订为新版本。")
        return redirect("risk:scheme_detail", pk=pk)
    if request.method == "POST":
        form = SchemeJsonForm(request.POST)
        if form.is_valid():
            try:
                services.scheme_update_draft(scheme_id=pk, data=form.cleaned_data["data"], actor=request.user)
            except DomainError as exc:
                messages.error(request, exc.message)
                for section, errors in (exc.fields or {}).items():
                    for e in errors if isinstance(errors, list) else [errors]:
                        form.add_error("data", f"{section}：{e}")
            else:
                messages.success(request, "草稿已保存。")
                return redirect("risk:scheme_detail", pk=pk)
    else:
        form = SchemeJsonForm(initial={"data": json.dumps(scheme_dump(scheme), ensure_ascii=False, indent=1)})
    return render(
        request, "risk/scheme_edit.html", {"scheme": scheme, "form": form}, status=400 if form.errors else 200
    )
