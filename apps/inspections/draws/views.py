"""City staff pages for 双随机 (plans, commitment, draw, re-draw, draw detail). Thin: selectors in, services out."""

import json

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from apps.common.confirm import Confirm, is_confirmed
from apps.common.exceptions import DomainError
from apps.common.viewmixins import (
    ScopedActionView,
    ScopedDetailView,
    ScopedFormView,
    ScopedListView,
    ScopedObjectMixin,
)

from ..choices import DrawPlanStatus, DrawStatus, RedrawRequestStatus
from . import algorithm as hrs
from . import selectors, services
from .filters import DrawPlanFilterSet
from .forms import DecisionForm, PlanForm, PublicValueForm, ReasonForm, StratumFormSet, strata_initial


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


def _strata_from(formset) -> list[dict]:
    strata = [form.to_stratum(i) for i, form in enumerate(formset.forms)]
    return [s for s in strata if s is not None]


def _plan_data(form) -> dict:
    data = {k: v for k, v in form.cleaned_data.items()}
    for name in ("townships", "business_types", "check_items"):
        data[name] = list(data.get(name) or [])
    return data


class _PlanFormView(ScopedFormView):
    """The plan form and its strata formset (create, and edit while the plan is a draft)."""

    form_class = PlanForm
    template_name = "inspections/plan_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "actor": self.request.user}

    def strata_initial(self) -> list[dict]:
        raise NotImplementedError

    def get_formset(self):
        data = self.request.POST if self.request.method == "POST" else None
        return StratumFormSet(data or None, prefix="strata", initial=None if data else self.strata_initial())

    def get_context_data(self, **kwargs):
        if "formset" not in kwargs:
            kwargs["formset"] = self.get_formset()
        return {"plan": self.object, **super().get_context_data(**kwargs)}

    def post(self, request, *args, **kwargs):
        form, formset = self.get_form(), self.get_formset()
        if form.is_valid() and formset.is_valid():
            try:
                return self.save(form, _strata_from(formset))
            except DomainError as exc:
                _fail(request, exc)
        return self.render_to_response(self.get_context_data(form=form, formset=formset))

    def save(self, form, strata):
        """Call the service; answer the redirect."""
        raise NotImplementedError


class PlanCreateView(_PlanFormView):
    permission_required = "inspections.add_drawplan"

    def strata_initial(self):
        return [{"label": "全部对象", "percent": 5}]

    def save(self, form, strata):
        plan = services.plan_create(actor=self.request.user, strata=strata, **_plan_data(form))
        messages.success(
            self.request, "抽查计划已保存（草稿）。核对无误后请“承诺公示”，系统将冻结对象库并公布种子承诺值。"
        )
        return redirect("inspections:plan_detail", pk=plan.pk)


class PlanUpdateView(ScopedObjectMixin, _PlanFormView):
    permission_required = "inspections.change_drawplan"
    selector = staticmethod(selectors.plan_get)

    def check_object(self):
        if not self.object.is_editable:
            messages.error(self.request, "计划已承诺公示，不能再修改")
            return redirect("inspections:plan_detail", pk=self.object.pk)
        return None

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.object}

    def strata_initial(self):
        return strata_initial(self.object)

    def save(self, form, strata):
        plan = self.object
        services.plan_update(
            actor=self.request.user,
            plan_id=plan.pk,
            version=_posted_version(self.request, plan),
            strata=strata,
            **_plan_data(form),
        )
        messages.success(self.request, "计划已更新")
        return redirect("inspections:plan_detail", pk=plan.pk)


class PlanDetailView(ScopedDetailView):
    """A plan: strata and their conditions, its draws, re-draw requests, and the next step's button."""

    permission_required = "inspections.view_drawplan"
    selector = staticmethod(selectors.plan_get)
    context_object_name = "plan"
    template_name = "inspections/plan_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        request, plan = self.request, self.object
        draws = list(selectors.draws_of_plan(actor=request.user, plan=plan))
        requests_ = list(selectors.redraw_requests_of_plan(actor=request.user, plan=plan))
        strata = list(plan.strata.all())
        context.update(
            strata=list(zip(strata, selectors.stratum_conditions(s.filter for s in strata), strict=True)),
            draws=draws,
            pending_draw=next((d for d in draws if d.can_transition_to(DrawStatus.DRAWN)), None),
            latest_draw=draws[-1] if draws else None,
            redraw_requests=requests_,
            pending_request=next((r for r in requests_ if r.status == RedrawRequestStatus.PENDING), None),
            can_change=request.user.has_perm("inspections.change_drawplan"),
            can_draw=request.user.has_perm("inspections.add_draw"),
            reason_form=ReasonForm(),
            decision_form=DecisionForm(),
        )
        return context


def _posted_version(request, plan) -> int:
    """The version the edit form was opened at; a missing or forged value counts as stale (409 message, no 500)."""
    raw = request.POST.get("version")
    if raw in (None, ""):
        return plan.version
    return int(raw) if raw.isdigit() and len(raw) < 10 else -1


def _version_matches(request, obj) -> bool:
    return (request.POST.get("version") or "") == str(obj.version)


class PlanCommitView(ScopedDetailView):
    """GET: what the commitment will freeze (pool and quota per stratum, exclusions, inspectors); POST: commit."""

    permission_required = "inspections.add_draw"
    selector = staticmethod(selectors.plan_get)
    context_object_name = "plan"
    template_name = "inspections/plan_commit_confirm.html"

    def check_object(self):
        if not self.object.can_commit:
            messages.error(self.request, "只有草稿状态的计划可以承诺公示")
            return redirect("inspections:plan_detail", pk=self.object.pk)
        return None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        plan = self.object
        preview = selectors.plan_commit_preview(plan)
        context.update(
            preview=preview,
            confirm=Confirm(
                title="确认承诺公示（冻结对象库）",
                action=reverse("inspections:plan_commit", args=[plan.pk]),
                button="确认承诺公示",
                cancel_url=reverse("inspections:plan_detail", args=[plan.pk]),
                consequences=[
                    f"按确认时的数据冻结对象库（现为 {preview.get('total_pool', 0)} 户，抽取 {preview.get('total_k', 0)} 户）"
                    f"和检查人员库（现为 {preview.get('inspector_count', 0)} 人），并在公开页面公布各分层对象库哈希。",
                    "系统生成随机种子并公布其承诺值（SHA-256）；种子在抽取时公开，任何人可据此校验结果。",
                    "承诺后计划不能再修改；如需变更只能取消计划，已承诺的种子随取消一并公开。",
                ],
                blockers=preview["problems"],
                hidden={"version": plan.version},
            ),
        )
        return context

    def post(self, request, *args, **kwargs):
        pk = self.object.pk
        if not is_confirmed(request):
            messages.warning(request, "请先核对将冻结的对象库，再确认承诺公示")
            return redirect("inspections:plan_commit", pk=pk)
        if not _version_matches(request, self.object):
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


class PlanDrawView(ScopedDetailView):
    """GET: the committed pools and quotas that will be drawn; POST (of that draw): draw."""

    permission_required = "inspections.add_draw"
    selector = staticmethod(selectors.plan_get)
    context_object_name = "plan"
    template_name = "inspections/plan_draw_confirm.html"

    def check_object(self):
        self.pending = selectors.pending_draw_of_plan(self.object)  # a cancelled plan's draw has its outcome
        if self.pending is None or not self.pending.can_transition_to(DrawStatus.DRAWN):
            messages.error(self.request, "该计划没有待抽取的承诺（已抽取、已取消或尚未承诺公示）")
            return redirect("inspections:plan_detail", pk=self.object.pk)
        return None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        pk, pending = self.object.pk, self.pending
        preview = selectors.draw_preview(pending)
        blockers = []
        if pending.is_v2 and pending.public_value_or_none is None:
            blockers.append(
                f"尚未录入公开随机数（{pending.public_randomness.get('source')}，"
                f"{pending.public_randomness.get('date')} 起录入）"
            )
        if pending.scheduled_at and pending.scheduled_at > timezone.now():
            blockers.append(
                f"计划于 {timezone.localtime(pending.scheduled_at):%Y-%m-%d %H:%M} 由系统自动抽取，到时前不能手动抽取"
            )
        context.update(
            draw=pending,
            preview=preview,
            confirm=Confirm(
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
            ),
        )
        return context

    def post(self, request, *args, **kwargs):
        pk = self.object.pk
        if not is_confirmed(request):
            messages.warning(request, "请先核对抽取内容，再确认执行抽取")
            return redirect("inspections:plan_draw", pk=pk)
        if request.POST.get("draw_uid") != self.pending.draw_uid:
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


class PlanPublicValueView(ScopedDetailView):
    """hrs-v2: GET the form; POST the values → preview (normalised, with the confirm box); POST confirm=yes → store.

    Only the value is previewed: nobody, staff included, sees a result before the draw (the draw is its own step)."""

    permission_required = "inspections.add_draw"
    selector = staticmethod(selectors.plan_get)
    context_object_name = "plan"
    template_name = "inspections/plan_public_value.html"

    def check_object(self):
        self.pending = selectors.pending_draw_of_plan(self.object)
        if self.pending is None or not self.pending.can_transition_to(DrawStatus.DRAWN) or not self.pending.is_v2:
            messages.error(self.request, "该计划没有等待公开随机数的承诺")
            return redirect("inspections:plan_detail", pk=self.object.pk)
        if self.pending.public_value_or_none is not None:
            messages.info(self.request, "公开随机数已录入，不能更改")
            return redirect("inspections:plan_detail", pk=self.object.pk)
        return None

    def blockers(self) -> list[str]:
        available = services.public_value_available_on(self.pending)
        if timezone.localdate() < available:
            return [f"承诺写明的公开随机数日期是 {available:%Y-%m-%d}，此前不能录入"]
        return []

    def get_context_data(self, form=None, preview=None, **kwargs):
        context = super().get_context_data(**kwargs)
        pk, pending = self.object.pk, self.pending
        context.update(draw=pending, form=form or PublicValueForm(), preview=preview, blockers=self.blockers())
        if preview is not None:
            values, witnesses = preview
            context["confirm"] = Confirm(
                title="确认录入公开随机数",
                action=reverse("inspections:plan_public_value", args=[pk]),
                button="确认录入",
                cancel_url=reverse("inspections:plan_public_value", args=[pk]),
                consequences=[
                    "以上数值（规范化后）立即公开，并与封存的种子一起决定抽取种子；录入后不能更改。",
                    "录入人、时间和数值记入审计日志，并写入签名的抽取记录。",
                    "抽取仍需单独执行（或到计划时间由系统执行）。",
                ],
                blockers=context["blockers"],
                hidden={
                    "draw_uid": pending.draw_uid,
                    "values_json": hrs.canonical_json(values).decode("utf-8"),
                    "witnesses_json": hrs.canonical_json(witnesses).decode("utf-8"),
                },
                tone="success",
            )
        return context

    def post(self, request, *args, **kwargs):
        pk = self.object.pk
        if request.POST.get("draw_uid", self.pending.draw_uid) != self.pending.draw_uid:
            messages.error(request, "待抽取的承诺已变化，请重新核对")
            return redirect("inspections:plan_detail", pk=pk)
        if is_confirmed(request):
            try:
                values = json.loads(request.POST.get("values_json") or "[]")
                witnesses = json.loads(request.POST.get("witnesses_json") or "[]")
                if not (isinstance(values, list) and isinstance(witnesses, list)):
                    raise ValueError
            except ValueError:
                messages.error(request, "提交的数值格式不正确，请重新录入")
                return redirect("inspections:plan_public_value", pk=pk)
            try:
                services.public_value_enter(
                    actor=request.user, plan_id=pk, values=values, witnesses=witnesses, draw_uid=self.pending.draw_uid
                )
            except DomainError as exc:
                _fail(request, exc)
                return redirect("inspections:plan_public_value", pk=pk)
            messages.success(request, "公开随机数已录入并公开；现在可以执行抽取。")
            return redirect("inspections:plan_detail", pk=pk)
        form = PublicValueForm(request.POST)
        preview = None
        if form.is_valid():
            try:
                preview = services.clean_public_values(
                    self.pending, form.lines(form.cleaned_data["values"]), form.lines(form.cleaned_data["witnesses"])
                )
            except DomainError as exc:
                for field, errors in (getattr(exc, "fields", None) or {"values": [exc.message]}).items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
        status = 200 if preview is not None else 400
        return self.render_to_response(self.get_context_data(form=form, preview=preview), status=status)


class PlanCancelView(ScopedDetailView):
    """GET: what cancelling does (a committed seed is revealed) with the reason field; POST: cancel."""

    permission_required = "inspections.change_drawplan"
    selector = staticmethod(selectors.plan_get)
    context_object_name = "plan"
    template_name = "inspections/plan_cancel_confirm.html"

    def check_object(self):
        if not self.object.can_cancel:
            messages.error(self.request, "已抽取或已取消的计划不能取消")
            return redirect("inspections:plan_detail", pk=self.object.pk)
        return None

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        plan, form = self.object, form or ReasonForm()
        pending = selectors.pending_draw_of_plan(plan)
        consequences = ["计划状态变为“已取消”，不能恢复，也不能再承诺或抽取。"]
        if pending is not None:
            consequences.append(
                f"已承诺的种子（{pending.draw_uid}）及若抽取将得到的结果哈希随取消一并公开，公众可核对本次未被“偷看后取消”。"
            )
        consequences.append("取消原因记入审计日志。")
        context.update(
            form=form,
            pending_draw=pending,
            confirm=Confirm(
                title="确认取消计划",
                action=reverse("inspections:plan_cancel", args=[plan.pk]),
                button="确认取消计划",
                cancel_url=reverse("inspections:plan_detail", args=[plan.pk]),
                consequences=consequences,
                hidden={"version": plan.version},
                form=form,
                tone="danger",
            ),
        )
        return context

    def post(self, request, *args, **kwargs):
        pk = self.object.pk
        if not is_confirmed(request):
            return redirect("inspections:plan_cancel", pk=pk)
        if not _version_matches(request, self.object):
            messages.error(request, "计划在预览后已被修改，请重新核对")
            return redirect("inspections:plan_cancel", pk=pk)
        form = ReasonForm(request.POST)
        if form.is_valid():
            try:
                services.plan_cancel(actor=request.user, plan_id=pk, reason=form.cleaned_data["reason"])
            except DomainError as exc:
                _fail(request, exc)
            else:
                messages.success(request, "计划已取消；已承诺的种子随之公开，可在公开页面核对。")
                return redirect("inspections:plan_detail", pk=pk)
        return self.render_to_response(self.get_context_data(form=form))


class RedrawRequestView(ScopedObjectMixin, ScopedActionView):
    """Ask for a re-draw of a draw (another staff member decides); back to its plan."""

    permission_required = "inspections.add_draw"
    selector = staticmethod(selectors.draw_get)

    def act(self):
        form = ReasonForm(self.request.POST)
        if not form.is_valid():
            raise services.ValidationFailed("请写明重新抽取的理由")
        services.redraw_request(actor=self.request.user, draw_id=self.object.pk, reason=form.cleaned_data["reason"])
        messages.success(self.request, "重新抽取申请已提交，须由另一名工作人员批准。")

    def get_redirect_url(self):
        return reverse("inspections:plan_detail", args=[self.object.plan_id])


DECISIONS = {"approve": RedrawRequestStatus.APPROVED, "reject": RedrawRequestStatus.REJECTED}


class RedrawDecideView(ScopedDetailView):
    """GET ?decision=approve|reject: what the decision does (approval cancels the unstarted tasks and commits a new
    draw); POST: decide."""

    permission_required = "inspections.add_draw"
    selector = staticmethod(selectors.redraw_request_get)
    context_object_name = "req"
    template_name = "inspections/plan_redraw_decide.html"

    def check_object(self):
        req, request = self.object, self.request
        self.decision = (request.POST if request.method == "POST" else request.GET).get("decision", "")
        if self.decision not in DECISIONS:
            messages.error(request, "请选择批准或驳回")
            return redirect("inspections:plan_detail", pk=req.draw.plan_id)
        if not req.can_transition_to(DECISIONS[self.decision]):
            messages.error(request, "该申请已处理")
            return redirect("inspections:plan_detail", pk=req.draw.plan_id)
        self.approve = self.decision == "approve"
        return None

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        req, approve = self.object, self.approve
        to_cancel = selectors.redraw_cancellable_task_count(actor=self.request.user, draw=req.draw)
        if approve:
            consequences = [
                f"原抽取 {req.draw.draw_uid} 中尚未开始检查的 {to_cancel} 个任务将被取消（已开始或已完成的保留）。",
                "按现在的数据重新冻结对象库和检查人员库，生成新的种子并公布承诺值；之后须再“执行抽取”。",
                "原抽取记录、本申请的理由、申请人和批准人一并公开。",
            ]
        else:
            consequences = ["申请将被驳回，不能再次审批；原抽取结果继续有效。如仍需重抽，须重新提出申请。"]
        context.update(
            plan=req.draw.plan,
            approve=approve,
            tasks_to_cancel=to_cancel,
            confirm=Confirm(
                title="确认批准重新抽取" if approve else "确认驳回重新抽取申请",
                action=reverse("inspections:redraw_decide", args=[req.pk]),
                button="确认批准" if approve else "确认驳回",
                cancel_url=reverse("inspections:plan_detail", args=[req.draw.plan_id]),
                consequences=consequences,
                blockers=["重新抽取须由申请人以外的工作人员审批"]
                if req.requested_by_id == self.request.user.pk
                else [],
                hidden={"decision": self.decision},
                form=form or DecisionForm(),
                tone="danger" if approve else "primary",
            ),
        )
        return context

    def post(self, request, *args, **kwargs):
        req = self.object
        if not is_confirmed(request):
            return redirect(f"{reverse('inspections:redraw_decide', args=[req.pk])}?decision={self.decision}")
        form = DecisionForm(request.POST)
        if not form.is_valid():  # an invalid note re-renders the page with its message
            return self.render_to_response(self.get_context_data(form=form))
        try:
            decided = services.redraw_decide(
                actor=request.user, request_id=req.pk, approve=self.approve, note=form.cleaned_data.get("note", "")
            )
        except DomainError as exc:
            _fail(request, exc)
            return redirect("inspections:plan_detail", pk=req.draw.plan_id)
        if self.approve:
            messages.success(
                request, f"已批准重新抽取：新的种子承诺已公布（{decided.new_draw.draw_uid}），请执行抽取。"
            )
        else:
            messages.info(request, "已驳回重新抽取申请")
        return redirect("inspections:plan_detail", pk=decided.draw.plan_id)


class DrawDetailView(ScopedDetailView):
    """One draw: its strata and the tasks it produced (paginated)."""

    permission_required = "inspections.view_draw"
    selector = staticmethod(selectors.draw_get)
    context_object_name = "draw"
    template_name = "inspections/draw_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        draw = self.object
        tasks = selectors.tasks_of_draw(actor=self.request.user, draw=draw)
        context.update(
            page=Paginator(tasks, 50).get_page(self.request.GET.get("page")),
            plan=draw.plan,
            stratum_names=selectors.draw_strata_display(draw),
        )
        return context
