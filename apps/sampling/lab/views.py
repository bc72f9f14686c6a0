"""Lab pages: the samples at the lab (work queue), receipt, the results entry form (preview → confirm), a sample's
results, and the list of result items. Thin: selectors in, services out."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from apps.common.confirm import Confirm, is_confirmed
from apps.common.exceptions import DomainError
from apps.common.viewmixins import ScopedDetailView, ScopedListView, ScopedObjectMixin

from ..choices import DisposalStatus, EntryChannel, SampleStatus, SamplingPurpose, Verdict
from . import selectors
from .filters import LabSampleFilterSet, ResultItemFilterSet
from .forms import ReceiveForm, ResultEntryForm
from .services import results as result_services
from .services._common import acts_city_wide


def _townships(user):
    from apps.accounts.models import Township

    return list(Township.objects.order_by("order")) if acts_city_wide(user) else []


class LabSampleListView(ScopedListView):
    """样品检验: the samples sent to the user's lab (lab staff), or to every lab (city), or of the township."""

    permission_required = "sampling.view_sample"
    selector = staticmethod(selectors.lab_sample_list)
    filterset_class = LabSampleFilterSet
    template_name = "sampling/lab/sample_list.html"

    def decorate_page(self, page) -> None:
        user = self.request.user
        my_labs = {o.pk for o in selectors.lab_organisations_of(user)}
        can_enter = user.has_perm("sampling.add_resultitem")
        can_receive = user.has_perm("sampling.change_sample")
        city = acts_city_wide(user)
        for sample in page:
            disposal = getattr(sample, "disposal", None)
            sample.can_receive = (
                can_receive and sample.status == SampleStatus.SAMPLED and (sample.lab_id in my_labs or city)
            )
            sample.can_enter = can_enter and sample.status != SampleStatus.REPORTED and sample.lab_id in my_labs
            sample.can_recheck = (
                can_enter
                and disposal is not None
                and disposal.status == DisposalStatus.RECHECKING
                and disposal.recheck_lab_id in my_labs
            )

    def get_queryset(self):
        return super().get_queryset().select_related("disposal")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        counts = selectors.sample_status_counts(actor=self.request.user)
        context.update(
            filters=self.request.GET,
            status_tabs=[(code, label, counts.get(code, 0)) for code, label in SampleStatus.choices],
            total=sum(counts.values()),
            statuses=SampleStatus.choices,
            conclusions=Verdict.choices,
            purposes=SamplingPurpose.choices,
            townships=_townships(self.request.user),
            can_import=self.request.user.has_perm("sampling.add_resultitem"),
            my_labs=selectors.lab_organisations_of(self.request.user),
        )
        return context


class _SampleMixin(ScopedObjectMixin):
    """A page about one sample at the lab: ``self.object`` (also ``sample`` in the template) through
    ``lab_sample_get``; outside the user's scope it is 404."""

    selector = staticmethod(selectors.lab_sample_get)
    context_object_name = "sample"

    def get_object(self):
        try:
            return super().get_object()
        except Http404:
            raise Http404("未找到该样品") from None


class SampleReceiveView(_SampleMixin, ScopedDetailView):
    """GET: the sample and the receipt date; POST (confirmed): 已抽样 → 检验机构已接收."""

    permission_required = "sampling.change_sample"
    template_name = "sampling/lab/receive.html"

    def get(self, request, *args, **kwargs):
        return self._page(ReceiveForm())

    def post(self, request, *args, **kwargs):
        sample, pk = self.object, self.object.pk
        form = ReceiveForm(request.POST or None)
        if not is_confirmed(request):
            return redirect("sampling:lab_receive", pk=pk)
        if form.is_valid():
            try:
                result_services.sample_receive(
                    actor=request.user, sample_id=sample.pk, received_on=form.cleaned_data["received_on"]
                )
            except DomainError as exc:
                if exc.fields.get("received_on"):
                    form.add_error("received_on", exc.message)
                else:
                    messages.error(request, exc.message)
                    return redirect("sampling:lab_sample", pk=pk)
            else:
                messages.success(request, f"已登记接收样品 {sample.number}，可以录入检验结果。")
                return redirect("sampling:lab_sample", pk=pk)
        return self._page(form)

    def _page(self, form):
        sample, pk = self.object, self.object.pk
        blockers = []
        if sample.status != SampleStatus.SAMPLED:
            blockers.append(f"该样品当前状态为“{sample.get_status_display()}”，不能再登记接收")
        confirm = Confirm(
            title="确认接收样品",
            action=reverse("sampling:lab_receive", args=[pk]),
            button="确认接收",
            cancel_url=reverse("sampling:lab_sample", args=[pk]),
            consequences=[
                f"样品 {sample.number}（{sample.name}）状态变为“检验机构已接收”，接收日期记入抽样单。",
                f"检验报告应在接收后 20 个工作日内出具（{sample.lab.name}）。",
            ],
            blockers=blockers,
            form=form,
        )
        return self.render_to_response(self.get_context_data(confirm=confirm))


def _entry_round(sample):
    """(is_recheck, disposal) for the results form: the 复检 round when the sample is reported and its 复检 runs."""
    disposal = selectors.sample_disposal(sample)
    recheck = (
        sample.status == SampleStatus.REPORTED and disposal is not None and disposal.status == DisposalStatus.RECHECKING
    )
    return recheck, disposal


class ResultsEntryView(_SampleMixin, ScopedDetailView):
    """GET: the form (one row per applicable test item); POST: the judgements as a preview with a confirm box;
    POST confirm=yes: ``results_submit`` (the page's channel), then the sample's results page."""

    permission_required = "sampling.add_resultitem"
    template_name = "sampling/lab/results_entry.html"

    def check_object(self):
        self.recheck, self.disposal = _entry_round(self.object)
        if self.object.status == SampleStatus.REPORTED and not self.recheck:
            messages.info(self.request, "该样品已出具检验结论，结果提交后不能修改；如有异议由被抽样单位申请复检。")
            return redirect("sampling:lab_sample", pk=self.object.pk)
        return None

    def _form(self, data=None):
        test_items = selectors.applicable_test_items(self.object)
        return ResultEntryForm(data, sample=self.object, test_items=test_items)

    def _page(self, form, **extra):
        context = self.get_context_data(form=form, recheck=self.recheck, disposal=self.disposal, **extra)
        return self.render_to_response(context)

    def get(self, request, *args, **kwargs):
        return self._page(self._form())

    def post(self, request, *args, **kwargs):
        sample, pk, recheck = self.object, self.object.pk, self.recheck
        form = self._form(request.POST or None)
        if not form.is_valid():
            return self._page(form)
        items = form.items()
        try:
            if is_confirmed(request):
                result_services.results_submit(
                    request.user,
                    sample,
                    items,
                    channel=EntryChannel.PAGE,
                    is_recheck=recheck,
                    report_no=form.cleaned_data.get("report_no", ""),
                )
                messages.success(
                    request, "复检结果已提交，复检结论为最终结论。" if recheck else "检验结果已提交，检验结论已生成。"
                )
                return redirect("sampling:lab_sample", pk=pk)
            checked = result_services.results_check(actor=request.user, sample=sample, items=items, is_recheck=recheck)
        except result_services.ResultsInvalid as exc:
            form.add_problems(exc.problems)
            return self._page(form)
        except DomainError as exc:
            if exc.fields.get("production_date"):
                form.add_error(None, exc.message)
                return self._page(form)
            messages.error(request, exc.message)
            return redirect("sampling:lab_sample", pk=pk)
        consequences = [
            f"写入 {len(checked.items)} 个检验项目的结果，{'复检' if recheck else '检验'}结论为“{checked.conclusion_label}”。",
            "结果提交后不能修改或覆盖；如有异议由被抽样单位在收到结果后 7 个工作日内申请复检（微生物项目不合格不予复检）。",
        ]
        if recheck:
            consequences.append("复检结论为最终结论：合格则撤销原不合格结论并办结核查处置；不合格则进入核查处置。")
        elif checked.conclusion == Verdict.UNQUALIFIED and sample.purpose != SamplingPurpose.MONITORING:
            consequences.append(
                "结论为不合格：将启动核查处置（送达 5 个工作日、复检申请 7 个工作日、核查处置 90 日）。"
            )
        elif checked.conclusion == Verdict.UNQUALIFIED:
            consequences.append("风险监测结果不作为执法依据：不启动核查处置，作为风险提示报送组织部门。")
        confirm = Confirm(
            title="确认提交复检结果" if recheck else "确认提交检验结果",
            action=reverse("sampling:lab_results_entry", args=[pk]),
            button="确认提交",
            cancel_url=reverse("sampling:lab_results_entry", args=[pk]),
            consequences=consequences,
            hidden=form.posted(),
            tone="danger" if checked.conclusion == Verdict.UNQUALIFIED else "success",
        )
        return self._page(form, checked=checked, confirm=confirm)


class SampleDetailView(_SampleMixin, ScopedDetailView):
    """A sample at the lab: its 抽样单 summary, its results (初检 and 复检) and the disposal."""

    permission_required = "sampling.view_resultitem"
    template_name = "sampling/lab/sample_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        sample, user = self.object, self.request.user
        results = selectors.results_of_sample(actor=user, sample=sample)
        disposal = selectors.sample_disposal(sample)
        my_labs = {o.pk for o in selectors.lab_organisations_of(user)}
        can_enter = user.has_perm("sampling.add_resultitem")
        recheck, _ = _entry_round(sample)
        context.update(
            first_results=[r for r in results if not r.is_recheck],
            recheck_results=[r for r in results if r.is_recheck],
            disposal=disposal,
            can_receive=user.has_perm("sampling.change_sample")
            and sample.status == SampleStatus.SAMPLED
            and (sample.lab_id in my_labs or acts_city_wide(user)),
            can_enter=can_enter and sample.status != SampleStatus.REPORTED and sample.lab_id in my_labs,
            can_recheck=can_enter and recheck and disposal.recheck_lab_id in my_labs,
            can_view_disposal=disposal is not None and user.has_perm("sampling.view_disposal"),
            today=timezone.localdate(),
        )
        return context


class ResultListView(ScopedListView):
    """检验结果 (result items), through the API's FilterSet."""

    permission_required = "sampling.view_resultitem"
    selector = staticmethod(selectors.result_list)
    filterset_class = ResultItemFilterSet
    template_name = "sampling/lab/result_list.html"
    paginate_by = 50

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(filters=self.request.GET, verdicts=Verdict.choices, purposes=SamplingPurpose.choices)
        return context
