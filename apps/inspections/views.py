"""City staff pages for 双随机 (plans, commitment, draw, re-draw, draw detail). Thin: selectors in, services out."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ObjectDoesNotExist
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from apps.common.exceptions import DomainError
from apps.common.viewmixins import ScopedListView

from . import selectors, services
from .choices import DrawPlanStatus, RedrawRequestStatus
from .filters import DrawPlanFilterSet
from .forms import DecisionForm, PlanForm, ReasonForm, StratumFormSet, strata_initial


def _get_or_404(fn, **kwargs):
    try:
        return fn(**kwargs)
    except ObjectDoesNotExist:
        raise Http404 from None


def _fail(request, exc: DomainError):
    messages.error(request, exc.message)


class PlanListView(ScopedListView):
    """Draw plans through ``DrawPlanFilterSet`` (the API's too)."""

    permission_required = "inspections.view_drawplan"
    selector = staticmethod(selectors.plan_list)
    filterset_class = DrawPlanFilterSet
    paginate_by = 20
    template_name = "inspections/plan_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            statuses=DrawPlanStatus.choices,
            status=self.request.GET.get("status", ""),
            can_add=self.request.user.has_perm("inspections.add_drawplan"),
        )
        return context


plan_list = PlanListView.as_view()


def _strata_from(formset) -> list[dict]:
    strata = [form.to_stratum(i) for i, form in enumerate(formset.forms)]
    return [s for s in strata if s is not None]


def _plan_data(form) -> dict:
    data = {k: v for k, v in form.cleaned_data.items()}
    for name in ("townships", "business_types", "check_items"):
        data[name] = list(data.get(name) or [])
    return data


@login_required
@permission_required("inspections.add_drawplan", raise_exception=True)
def plan_create(request):
    form = PlanForm(request.POST or None, actor=request.user)
    formset = StratumFormSet(
        request.POST or None, prefix="strata", initial=None if request.POST else [{"label": "全部对象", "percent": 5}]
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            plan = services.plan_create(actor=request.user, strata=_strata_from(formset), **_plan_data(form))
        except DomainError as exc:
            _fail(request, exc)
        else:
            messages.success(
                request, "抽查计划已保存（草稿）。核对无误后请“承诺公示”，系统将冻结对象库并公布种子承诺值。"
            )
            return redirect("inspections:plan_detail", pk=plan.pk)
    return render(request, "inspections/plan_form.html", {"form": form, "formset": formset, "plan": None})


@login_required
@permission_required("inspections.change_drawplan", raise_exception=True)
def plan_update(request, pk):
    plan = _get_or_404(selectors.plan_get, actor=request.user, pk=pk)
    if not plan.is_editable:
        messages.error(request, "计划已承诺公示，不能再修改")
        return redirect("inspections:plan_detail", pk=plan.pk)
    form = PlanForm(request.POST or None, instance=plan, actor=request.user)
    formset = StratumFormSet(
        request.POST or None, prefix="strata", initial=None if request.POST else strata_initial(plan)
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            data = _plan_data(form)
            services.plan_update(
                actor=request.user,
                plan_id=plan.pk,
                version=int(request.POST.get("version") or plan.version),
                strata=_strata_from(formset),
                **data,
            )
        except DomainError as exc:
            _fail(request, exc)
        else:
            messages.success(request, "计划已更新")
            return redirect("inspections:plan_detail", pk=plan.pk)
    return render(request, "inspections/plan_form.html", {"form": form, "formset": formset, "plan": plan})


@login_required
@permission_required("inspections.view_drawplan", raise_exception=True)
def plan_detail(request, pk):
    plan = _get_or_404(selectors.plan_get, actor=request.user, pk=pk)
    draws = list(selectors.draws_of_plan(actor=request.user, plan=plan))
    requests_ = list(selectors.redraw_requests_of_plan(actor=request.user, plan=plan))
    pending_draw = next((d for d in draws if d.outcome_or_none is None), None)
    latest = draws[-1] if draws else None
    return render(
        request,
        "inspections/plan_detail.html",
        {
            "plan": plan,
            "draws": draws,
            "pending_draw": pending_draw,
            "latest_draw": latest,
            "redraw_requests": requests_,
            "pending_request": next((r for r in requests_ if r.status == RedrawRequestStatus.PENDING), None),
            "can_change": request.user.has_perm("inspections.change_drawplan"),
            "can_draw": request.user.has_perm("inspections.add_draw"),
            "reason_form": ReasonForm(),
            "decision_form": DecisionForm(),
        },
    )


@require_POST
@login_required
@permission_required("inspections.add_draw", raise_exception=True)
def plan_commit(request, pk):
    _get_or_404(selectors.plan_get, actor=request.user, pk=pk)
    try:
        draw = services.plan_commit(actor=request.user, plan_id=pk)
    except DomainError as exc:
        _fail(request, exc)
    else:
        messages.success(request, f"已承诺公示：种子承诺值与冻结的对象库已在公开页面发布（抽取编号 {draw.draw_uid}）。")
    return redirect("inspections:plan_detail", pk=pk)


@require_POST
@login_required
@permission_required("inspections.add_draw", raise_exception=True)
def plan_draw(request, pk):
    _get_or_404(selectors.plan_get, actor=request.user, pk=pk)
    try:
        draw = services.draw_execute(actor=request.user, plan_id=pk)
    except DomainError as exc:
        _fail(request, exc)
        return redirect("inspections:plan_detail", pk=pk)
    if draw.outcome.status == "drawn":
        messages.success(
            request, f"抽取完成：抽中 {draw.outcome.selected_count} 户，已生成检查任务。种子已公开，任何人均可校验。"
        )
    else:
        messages.warning(
            request,
            f"抽取无法完成：{draw.outcome.error.get('message', '')}。种子已公开；请调整检查人员后申请重新抽取。",
        )
    return redirect("inspections:draw_detail", pk=draw.pk)


@require_POST
@login_required
@permission_required("inspections.change_drawplan", raise_exception=True)
def plan_cancel(request, pk):
    _get_or_404(selectors.plan_get, actor=request.user, pk=pk)
    form = ReasonForm(request.POST)
    try:
        if not form.is_valid():
            raise services.ValidationFailed("请填写取消原因")
        services.plan_cancel(actor=request.user, plan_id=pk, reason=form.cleaned_data["reason"])
    except DomainError as exc:
        _fail(request, exc)
    else:
        messages.success(request, "计划已取消；已承诺的种子随之公开，可在公开页面核对。")
    return redirect("inspections:plan_detail", pk=pk)


@require_POST
@login_required
@permission_required("inspections.add_draw", raise_exception=True)
def redraw_request(request, pk):
    draw = _get_or_404(selectors.draw_get, actor=request.user, pk=pk)
    form = ReasonForm(request.POST)
    try:
        if not form.is_valid():
            raise services.ValidationFailed("请写明重新抽取的理由")
        services.redraw_request(actor=request.user, draw_id=draw.pk, reason=form.cleaned_data["reason"])
    except DomainError as exc:
        _fail(request, exc)
    else:
        messages.success(request, "重新抽取申请已提交，须由另一名工作人员批准。")
    return redirect("inspections:plan_detail", pk=draw.plan_id)


@require_POST
@login_required
@permission_required("inspections.add_draw", raise_exception=True)
def redraw_decide(request, pk):
    form = DecisionForm(request.POST)
    approve = request.POST.get("decision") == "approve"
    try:
        form.is_valid()
        decided = services.redraw_decide(
            actor=request.user, request_id=pk, approve=approve, note=form.cleaned_data.get("note", "")
        )
    except ObjectDoesNotExist:
        raise Http404 from None
    except DomainError as exc:
        _fail(request, exc)
        return redirect(request.POST.get("next") or reverse("inspections:plans"))
    if approve:
        messages.success(request, f"已批准重新抽取：新的种子承诺已公布（{decided.new_draw.draw_uid}），请执行抽取。")
    else:
        messages.info(request, "已驳回重新抽取申请")
    return redirect("inspections:plan_detail", pk=decided.draw.plan_id)


@login_required
@permission_required("inspections.view_draw", raise_exception=True)
def draw_detail(request, pk):
    draw = _get_or_404(selectors.draw_get, actor=request.user, pk=pk)
    tasks = selectors.tasks_of_draw(actor=request.user, draw=draw)
    page = Paginator(tasks, 50).get_page(request.GET.get("page"))
    return render(request, "inspections/draw_detail.html", {"draw": draw, "page": page, "plan": draw.plan})
