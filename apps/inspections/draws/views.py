"""City staff pages for 双随机 (plans, commitment, draw, re-draw, draw detail). Thin: selectors in, services out."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ObjectDoesNotExist
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from apps.common.confirm import Confirm, is_confirmed
from apps.common.exceptions import DomainError
from apps.common.viewmixins import ScopedListView

from ..choices import DrawPlanStatus, DrawStatus, RedrawRequestStatus
from . import selectors, services
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
                version=_posted_version(request, plan),
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
    pending_draw = next((d for d in draws if d.can_transition_to(DrawStatus.DRAWN)), None)
    strata = list(plan.strata.all())
    latest = draws[-1] if draws else None
    return render(
        request,
        "inspections/plan_detail.html",
        {
            "plan": plan,
            "strata": list(zip(strata, selectors.stratum_conditions(s.filter for s in strata), strict=True)),
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


def _posted_version(request, plan) -> int:
    """The version the edit form was opened at; a missing or forged value counts as stale (409 message, no 500)."""
    raw = request.POST.get("version")
    if raw in (None, ""):
        return plan.version
    return int(raw) if raw.isdigit() and len(raw) < 10 else -1


def _version_matches(request, obj) -> bool:
    return (request.POST.get("version") or "") == str(obj.version)


@login_required
@permission_required("inspections.add_draw", raise_exception=True)
def plan_commit(request, pk):
    """GET: what the commitment will freeze (pool and quota per stratum, exclusions, inspectors); POST: commit."""
    plan = _get_or_404(selectors.plan_get, actor=request.user, pk=pk)
    if not plan.can_commit:
        messages.error(request, "只有草稿状态的计划可以承诺公示")
        return redirect("inspections:plan_detail", pk=pk)
    if request.method == "POST":
        if not is_confirmed(request):
            messages.warning(request, "请先核对将冻结的对象库，再确认承诺公示")
            return redirect("inspections:plan_commit", pk=pk)
        if not _version_matches(request, plan):
            messages.error(request, "计划在预览后已被修改，请重新核对")
            return redirect("inspections:plan_commit", pk=pk)
        try:
            draw = services.plan_commit(actor=request.user, plan_id=pk)
        except DomainError as exc:
            _fail(request, exc)
        else:
            messages.success(
                request, f"已承诺公示：种子承诺值与冻结的对象库已在公开页面发布（抽取编号 {draw.draw_uid}）。"
            )
        return redirect("inspections:plan_detail", pk=pk)
    preview = selectors.plan_commit_preview(plan)
    detail = reverse("inspections:plan_detail", args=[pk])
    confirm = Confirm(
        title="确认承诺公示（冻结对象库）",
        action=reverse("inspections:plan_commit", args=[pk]),
        button="确认承诺公示",
        cancel_url=detail,
        consequences=[
            f"按确认时的数据冻结对象库（现为 {preview.get('total_pool', 0)} 户，抽取 {preview.get('total_k', 0)} 户）"
            f"和检查人员库（现为 {preview.get('inspector_count', 0)} 人），并在公开页面公布各分层对象库哈希。",
            "系统生成随机种子并公布其承诺值（SHA-256）；种子在抽取时公开，任何人可据此校验结果。",
            "承诺后计划不能再修改；如需变更只能取消计划，已承诺的种子随取消一并公开。",
        ],
        blockers=preview["problems"],
        hidden={"version": plan.version},
    )
    return render(
        request, "inspections/plan_commit_confirm.html", {"plan": plan, "preview": preview, "confirm": confirm}
    )


@login_required
@permission_required("inspections.add_draw", raise_exception=True)
def plan_draw(request, pk):
    """GET: the committed pools and quotas that will be drawn; POST (of that draw): draw."""
    plan = _get_or_404(selectors.plan_get, actor=request.user, pk=pk)
    pending = selectors.pending_draw_of_plan(plan)  # a cancelled plan's draw has its (cancelled) outcome
    if pending is None or not pending.can_transition_to(DrawStatus.DRAWN):
        messages.error(request, "该计划没有待抽取的承诺（已抽取、已取消或尚未承诺公示）")
        return redirect("inspections:plan_detail", pk=pk)
    if request.method == "POST":
        if not is_confirmed(request):
            messages.warning(request, "请先核对抽取内容，再确认执行抽取")
            return redirect("inspections:plan_draw", pk=pk)
        if request.POST.get("draw_uid") != pending.draw_uid:
            messages.error(request, "待抽取的承诺已变化，请重新核对")
            return redirect("inspections:plan_draw", pk=pk)
        try:
            draw = services.draw_execute(actor=request.user, plan_id=pk)
        except DomainError as exc:
            _fail(request, exc)
            return redirect("inspections:plan_detail", pk=pk)
        if draw.outcome.status == "drawn":
            messages.success(
                request,
                f"抽取完成：抽中 {draw.outcome.selected_count} 户，已生成检查任务。种子已公开，任何人均可校验。",
            )
        else:
            messages.warning(
                request,
                f"抽取无法完成：{draw.outcome.error.get('message', '')}。种子已公开；请调整检查人员后申请重新抽取。",
            )
        return redirect("inspections:draw_detail", pk=draw.pk)
    preview = selectors.draw_preview(pending)
    blockers = []
    if pending.scheduled_at and pending.scheduled_at > timezone.now():
        blockers.append(
            f"计划于 {timezone.localtime(pending.scheduled_at):%Y-%m-%d %H:%M} 由系统自动抽取，到时前不能手动抽取"
        )
    confirm = Confirm(
        title="确认执行抽取",
        action=reverse("inspections:plan_draw", args=[pk]),
        button="确认执行抽取",
        cancel_url=reverse("inspections:plan_detail", args=[pk]),
        consequences=[
            f"按已公布的对象库与规则抽取 {preview['total_k']} 户，每户随机分配 {preview['inspectors_per_task']} 名检查人员，"
            "并立即生成检查任务。",
            "封存的种子随结果公开；结果不能撤销或修改。",
            "如需重新抽取，须提出申请并由另一名工作人员批准，原抽取记录保留并公开。",
        ],
        blockers=blockers,
        hidden={"draw_uid": pending.draw_uid},
        tone="success",
    )
    return render(
        request,
        "inspections/plan_draw_confirm.html",
        {"plan": plan, "draw": pending, "preview": preview, "confirm": confirm},
    )


@login_required
@permission_required("inspections.change_drawplan", raise_exception=True)
def plan_cancel(request, pk):
    """GET: what cancelling does (a committed seed is revealed) with the reason field; POST: cancel."""
    plan = _get_or_404(selectors.plan_get, actor=request.user, pk=pk)
    if not plan.can_cancel:
        messages.error(request, "已抽取或已取消的计划不能取消")
        return redirect("inspections:plan_detail", pk=pk)
    form = ReasonForm(request.POST or None)
    if request.method == "POST":
        if not is_confirmed(request):
            return redirect("inspections:plan_cancel", pk=pk)
        if not _version_matches(request, plan):
            messages.error(request, "计划在预览后已被修改，请重新核对")
            return redirect("inspections:plan_cancel", pk=pk)
        if form.is_valid():
            try:
                services.plan_cancel(actor=request.user, plan_id=pk, reason=form.cleaned_data["reason"])
            except DomainError as exc:
                _fail(request, exc)
            else:
                messages.success(request, "计划已取消；已承诺的种子随之公开，可在公开页面核对。")
                return redirect("inspections:plan_detail", pk=pk)
    pending = selectors.pending_draw_of_plan(plan)
    consequences = ["计划状态变为“已取消”，不能恢复，也不能再承诺或抽取。"]
    if pending is not None:
        consequences.append(
            f"已承诺的种子（{pending.draw_uid}）及若抽取将得到的结果哈希随取消一并公开，公众可核对本次未被“偷看后取消”。"
        )
    consequences.append("取消原因记入审计日志。")
    confirm = Confirm(
        title="确认取消计划",
        action=reverse("inspections:plan_cancel", args=[pk]),
        button="确认取消计划",
        cancel_url=reverse("inspections:plan_detail", args=[pk]),
        consequences=consequences,
        hidden={"version": plan.version},
        form=form,
        tone="danger",
    )
    return render(
        request,
        "inspections/plan_cancel_confirm.html",
        {"plan": plan, "form": form, "pending_draw": pending, "confirm": confirm},
    )


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


DECISIONS = {"approve": RedrawRequestStatus.APPROVED, "reject": RedrawRequestStatus.REJECTED}


@login_required
@permission_required("inspections.add_draw", raise_exception=True)
def redraw_decide(request, pk):
    """GET ?decision=approve|reject: what the decision does (approval cancels the unstarted tasks and commits a new
    draw); POST: decide."""
    req = _get_or_404(selectors.redraw_request_get, actor=request.user, pk=pk)
    decision = (request.POST if request.method == "POST" else request.GET).get("decision", "")
    if decision not in DECISIONS:
        messages.error(request, "请选择批准或驳回")
        return redirect("inspections:plan_detail", pk=req.draw.plan_id)
    if not req.can_transition_to(DECISIONS[decision]):
        messages.error(request, "该申请已处理")
        return redirect("inspections:plan_detail", pk=req.draw.plan_id)
    form = DecisionForm(request.POST or None)
    approve = decision == "approve"
    if request.method == "POST" and not is_confirmed(request):
        return redirect(f"{reverse('inspections:redraw_decide', args=[pk])}?decision={decision}")
    if request.method == "POST" and form.is_valid():  # an invalid note re-renders the page with its message
        try:
            decided = services.redraw_decide(
                actor=request.user, request_id=pk, approve=approve, note=form.cleaned_data.get("note", "")
            )
        except DomainError as exc:
            _fail(request, exc)
            return redirect("inspections:plan_detail", pk=req.draw.plan_id)
        if approve:
            messages.success(
                request, f"已批准重新抽取：新的种子承诺已公布（{decided.new_draw.draw_uid}），请执行抽取。"
            )
        else:
            messages.info(request, "已驳回重新抽取申请")
        return redirect("inspections:plan_detail", pk=decided.draw.plan_id)
    to_cancel = selectors.redraw_cancellable_task_count(actor=request.user, draw=req.draw)
    if approve:
        consequences = [
            f"原抽取 {req.draw.draw_uid} 中尚未开始检查的 {to_cancel} 个任务将被取消（已开始或已完成的保留）。",
            "按现在的数据重新冻结对象库和检查人员库，生成新的种子并公布承诺值；之后须再“执行抽取”。",
            "原抽取记录、本申请的理由、申请人和批准人一并公开。",
        ]
    else:
        consequences = ["申请将被驳回，不能再次审批；原抽取结果继续有效。如仍需重抽，须重新提出申请。"]
    confirm = Confirm(
        title="确认批准重新抽取" if approve else "确认驳回重新抽取申请",
        action=reverse("inspections:redraw_decide", args=[pk]),
        button="确认批准" if approve else "确认驳回",
        cancel_url=reverse("inspections:plan_detail", args=[req.draw.plan_id]),
        consequences=consequences,
        blockers=["重新抽取须由申请人以外的工作人员审批"] if req.requested_by_id == request.user.pk else [],
        hidden={"decision": decision},
        form=form,
        tone="danger" if approve else "primary",
    )
    return render(
        request,
        "inspections/plan_redraw_decide.html",
        {"req": req, "plan": req.draw.plan, "approve": approve, "confirm": confirm, "tasks_to_cancel": to_cancel},
    )


@login_required
@permission_required("inspections.view_draw", raise_exception=True)
def draw_detail(request, pk):
    draw = _get_or_404(selectors.draw_get, actor=request.user, pk=pk)
    tasks = selectors.tasks_of_draw(actor=request.user, draw=draw)
    page = Paginator(tasks, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "inspections/draw_detail.html",
        {"draw": draw, "page": page, "plan": draw.plan, "stratum_names": selectors.draw_strata_display(draw)},
    )
