"""核查处置 pages: the list with its clocks (每个数字都链接到同条件的列表), one disposal with its steps, and each step
as a preview with its form and a confirm box (the steps cannot be undone)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from apps.common.confirm import Confirm, is_confirmed
from apps.common.exceptions import DomainError
from apps.common.viewmixins import ScopedDetailView, ScopedListView, ScopedObjectMixin
from apps.common.workdays import calendar_warnings

from ..choices import DisposalStatus, SamplingPurpose
from . import selectors
from .filters import CLOCK_DUE_SOON, CLOCK_OVERDUE, OPEN_DISPOSAL, DisposalFilterSet, due_soon_label, due_soon_until
from .forms import STEP_FORMS
from .services import disposals as disposal_services
from .views import _townships


def clock_state(disposal, today, soon) -> tuple[str, str]:
    """(tone, label) of the clock that matters now: overdue, due soon or running."""
    if disposal.status == DisposalStatus.CLOSED:
        late = disposal.closed_on and disposal.closed_on > disposal.verify_due
        return ("secondary", f"已办结{'（逾期办结）' if late else ''}")
    if disposal.status == DisposalStatus.OPEN:
        due, what = disposal.notify_due, "送达"
        if disposal.verify_due < due:
            due, what = disposal.verify_due, "核查处置"
    else:
        due, what = disposal.verify_due, "核查处置"
    if due < today or disposal.verify_due < today:
        return ("danger", f"已逾期（{what}期限 {due:%Y-%m-%d}）")
    if due <= soon:
        return ("warning", f"即将到期（{what}期限 {due:%Y-%m-%d}）")
    return ("success", f"{what}期限 {due:%Y-%m-%d}")


class DisposalListView(ScopedListView):
    permission_required = "sampling.view_disposal"
    selector = staticmethod(selectors.disposal_list)
    filterset_class = DisposalFilterSet
    template_name = "sampling/lab/disposal_list.html"

    def decorate_page(self, page) -> None:
        today = timezone.localdate()
        soon = due_soon_until(today)
        for disposal in page:
            disposal.clock_tone, disposal.clock_label = clock_state(disposal, today, soon)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        counts = selectors.disposal_counts(actor=self.request.user)
        base = reverse("sampling:disposals")
        figures = [
            ("未办结", counts["open_all"], f"{base}?status={OPEN_DISPOSAL}", "primary"),
            (
                due_soon_label(),
                counts["due_soon"],
                f"{base}?clock={CLOCK_DUE_SOON}",
                "warning",
            ),
            ("已逾期", counts["overdue"], f"{base}?clock={CLOCK_OVERDUE}", "danger"),
        ] + [
            (label, counts["status"][code], f"{base}?status={code}", "secondary")
            for code, label in DisposalStatus.choices
        ]
        context.update(
            disposal_figures=figures,
            filters=self.request.GET,
            statuses=[(OPEN_DISPOSAL, "未办结（全部）"), *DisposalStatus.choices],
            clocks=[(CLOCK_DUE_SOON, "即将到期"), (CLOCK_OVERDUE, "已逾期")],
            purposes=[
                (SamplingPurpose.SUPERVISORY.value, SamplingPurpose.SUPERVISORY.label),
                (SamplingPurpose.EVALUATIVE.value, SamplingPurpose.EVALUATIVE.label),
            ],
            townships=_townships(self.request.user),
        )
        return context


class _DisposalMixin(ScopedObjectMixin):
    """A page about one disposal: ``self.object`` (also ``disposal`` in the template) through ``disposal_get``;
    outside the user's scope it is 404."""

    selector = staticmethod(selectors.disposal_get)
    context_object_name = "disposal"

    def get_object(self):
        try:
            return super().get_object()
        except Http404:
            raise Http404("未找到该核查处置记录") from None

    def get_context_data(self, **kwargs):
        kwargs.setdefault("sample", self.object.sample)
        return super().get_context_data(**kwargs)


def available_steps(disposal, today) -> list[tuple[str, str]]:
    """The steps that can be taken now: (step, button label)."""
    status = disposal.status
    steps = []
    if status == DisposalStatus.OPEN:
        steps.append(("notify", "登记送达"))
    if status == DisposalStatus.NOTIFIED:
        if disposal.recheck_allowed:
            steps.append(("recheck", "登记复检申请"))
        steps.append(("proceed", "进入核查处置"))
    if status != DisposalStatus.CLOSED:
        steps.append(("measures", "登记处置措施"))
    if status == DisposalStatus.VERIFYING:
        steps.append(("close", "办结"))
    return steps


class DisposalDetailView(_DisposalMixin, ScopedDetailView):
    """One disposal: its clock, its steps, its measures and the steps that can be taken now."""

    permission_required = "sampling.view_disposal"
    template_name = "sampling/lab/disposal_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        disposal = self.object
        today = timezone.localdate()
        tone, label = clock_state(disposal, today, due_soon_until(today))
        steps = [(s, disposal_services.STEP_LABELS.get(s.kind, s.kind)) for s in selectors.disposal_steps(disposal)]
        dates = [d for d in (disposal.notify_due, disposal.recheck_due) if d]
        can_change = self.request.user.has_perm("sampling.change_disposal")
        context.update(
            steps=steps,
            clock_tone=tone,
            clock_label=label,
            measures=disposal_services.measure_labels(disposal.measures),
            actions=available_steps(disposal, today) if can_change else [],
            calendar_warnings=calendar_warnings(dates) if dates else [],
            today=today,
        )
        return context


STEP_TITLES = {
    "notify": "登记送达检验结果通知书",
    "recheck": "登记复检申请并随机确定复检机构",
    "proceed": "进入核查处置（不复检）",
    "measures": "登记处置措施",
    "close": "核查处置办结",
}


def _consequences(step: str, disposal) -> list[str]:
    sample = disposal.sample
    if step == "notify":
        lines = ["送达日期记入核查处置记录，不能修改。"]
        lines.append(
            "被抽样单位自送达之日起 7 个工作日内可申请复检（按节假日与调休计算截止日）。"
            if disposal.recheck_allowed
            else "微生物项目不合格，不予复检：送达后即可进入核查处置。"
        )
        return lines
    if step == "recheck":
        candidates = disposal_services.recheck_candidates(sample.lab)
        names = "、".join(o.name for o in candidates) or "（无）"
        return [
            f"系统从复检机构名录中（不含初检机构“{sample.lab.name}”）随机确定复检机构。候选：{names}。",
            "随机种子、候选名单和排序值记入处置记录与审计日志，任何人可据此复核；确定后不能更换。",
            "复检机构提交的复检结论为最终结论。",
        ]
    if step == "proceed":
        return ["不再受理复检申请，进入核查处置（90 日内办结）。"]
    if step == "measures":
        return ["所选措施及日期记入处置记录（可多次登记，逐次累计）。"]
    return ["核查处置办结，处置结果记入记录；办结后不能再登记措施。", "监督抽检的处置结果按规定公开。"]


class DisposalStepView(_DisposalMixin, ScopedDetailView):
    """One step of a disposal: GET the preview with its form and a confirm box; a confirmed POST takes the step
    (it cannot be undone), then back to the disposal. An unknown step is 404; a step not open now, a message."""

    permission_required = "sampling.change_disposal"
    template_name = "sampling/lab/disposal_step.html"

    def get_object(self):
        if self.kwargs["step"] not in STEP_FORMS:
            raise Http404("未知的处置环节")
        return super().get_object()

    def check_object(self):
        disposal = self.object
        if self.kwargs["step"] not in dict(available_steps(disposal, timezone.localdate())):
            messages.error(self.request, f"核查处置当前为“{disposal.get_status_display()}”，不能进行此环节")
            return redirect(self._detail_url())
        return None

    def _detail_url(self):
        return reverse("sampling:disposal_detail", args=[self.object.pk])

    def _form(self, data=None):
        step = self.kwargs["step"]
        date_field = {"notify": "notified_on", "recheck": "requested_on", "close": "closed_on"}.get(step, "on")
        return STEP_FORMS[step](data, initial={date_field: timezone.localdate()})

    def get(self, request, *args, **kwargs):
        return self._page(self._form())

    def post(self, request, *args, **kwargs):
        pk, step = self.object.pk, self.kwargs["step"]
        if not is_confirmed(request):
            return redirect("sampling:disposal_step", pk=pk, step=step)
        form = self._form(request.POST or None)
        if form.is_valid():
            try:
                self._take(step, form.cleaned_data)
            except DomainError as exc:
                field = next((f for f in exc.fields if f in form.fields), None)
                if not field:
                    messages.error(request, exc.message)
                    return redirect(self._detail_url())
                form.add_error(field, exc.message)
            else:
                messages.success(request, f"已{STEP_TITLES[step]}。")
                return redirect(self._detail_url())
        return self._page(form)

    def _take(self, step, data) -> None:
        actor, pk = self.request.user, self.object.pk
        if step == "notify":
            disposal_services.disposal_notify(
                actor=actor, disposal_id=pk, notified_on=data["notified_on"], note=data["note"]
            )
        elif step == "recheck":
            disposal_services.disposal_recheck_request(
                actor=actor, disposal_id=pk, requested_on=data["requested_on"], note=data["note"]
            )
        elif step == "proceed":
            disposal_services.disposal_proceed(
                actor=actor, disposal_id=pk, reason=data["reason"], on=data["on"], note=data["note"]
            )
        elif step == "measures":
            disposal_services.disposal_measures(
                actor=actor, disposal_id=pk, measures=data["measures"], on=data["on"], note=data["note"]
            )
        else:
            disposal_services.disposal_close(
                actor=actor, disposal_id=pk, outcome=data["outcome"], closed_on=data["closed_on"]
            )

    def _page(self, form):
        step = self.kwargs["step"]
        confirm = Confirm(
            title=STEP_TITLES[step],
            action=reverse("sampling:disposal_step", args=[self.object.pk, step]),
            button="确认",
            cancel_url=self._detail_url(),
            consequences=_consequences(step, self.object),
            form=form,
            tone="danger" if step in ("close", "recheck") else "primary",
        )
        return self.render_to_response(self.get_context_data(confirm=confirm, title=STEP_TITLES[step]))
