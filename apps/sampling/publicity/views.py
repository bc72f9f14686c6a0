"""Staff pages of sampling/publicity (under /sampling/, namespace ``sampling``):

* 你点我检 topics: list, new, edit, detail (votes, adoption, the line's results), end voting (preview → confirm),
  列入计划 (preview with the line's fields → confirm);
* quick tests (快检): list, and one sample's result entry with its objection clock and "转实验室检验";
* publications (一公开): list with the due / overdue / published / outcome-pending figures, publish one (preview →
  confirm), 批量公开 (preview → confirm), and the credit-file export (a job beyond ``FilteredExportView.sync_max_rows``).

Reads go through this subpackage's selectors, writes through its services; the irreversible steps use
``apps.common.confirm``.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView

from apps.common.confirm import Confirm, is_confirmed
from apps.common.exceptions import DomainError, OutOfScope
from apps.common.viewmixins import ScopedActionView, ScopedListView, ScopedObjectMixin, ScopedQuerysetMixin
from apps.common.views_export import ExportDownloadView, FilteredExportView
from apps.common.workdays import WorkdayCalendar

from ..choices import ObjectionOutcome, TopicStatus
from . import selectors as sel
from .exports import export_file_path
from .filters import (
    OUTCOME_PENDING,
    OVERDUE,
    PENDING,
    PUBLICATION_STATUS_CHOICES,
    PUBLISHED,
    PublicationFilterSet,
    QuickTestFilterSet,
    VoteTopicFilterSet,
)
from .forms import AdoptForm, QuickTestForm, TopicForm
from .job_handlers import EXPORT_JOB_KIND
from .services import publications as publication_services
from .services import quicktests as quick_test_services
from .services import votes as vote_services


def _fail(request, exc: DomainError):
    messages.error(request, exc.message)


def _apply_errors(form, exc: DomainError):
    """A service's field errors shown beside the form's fields (the rest at the top)."""
    placed = False
    for field, errors in (exc.fields or {}).items():
        if field in form.fields:
            for error in errors:
                form.add_error(field, error)
            placed = True
    if not placed or exc.message:
        form.add_error(None, exc.message)


class _ObjectPage(ScopedQuerysetMixin, TemplateView):
    """A page about one row read through the selector (404 outside scope)."""

    def get_object(self):
        try:
            return self.get_queryset().get(pk=self.kwargs["pk"])
        except (ObjectDoesNotExist, ValueError, TypeError):
            raise Http404 from None


# ---------------------------------------------------------------------------- 你点我检 topics
class TopicListView(ScopedListView):
    permission_required = "sampling.view_votetopic"
    selector = staticmethod(sel.topic_list)
    filterset_class = VoteTopicFilterSet
    paginate_by = 30
    template_name = "sampling/publicity/topic_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        for t in context["page"]:
            t.voting_open = sel.topic_voting_open(t, today=today)
        context.update(
            today=today,
            can_add=self.request.user.has_perm("sampling.add_votetopic"),
            statuses=TopicStatus.choices,
            filters={k: self.request.GET.get(k, "") for k in ("q", "status", "township")},
            townships=_townships(),
        )
        return context


def _townships():
    from apps.accounts.models import Township

    return Township.objects.filter(is_active=True).order_by("order", "id")


class TopicCreateView(ScopedQuerysetMixin, TemplateView):
    permission_required = "sampling.add_votetopic"
    selector = staticmethod(sel.topic_list)
    template_name = "sampling/publicity/topic_form.html"

    def get(self, request, *args, **kwargs):
        return self.render_to_response({"form": TopicForm(), "topic": None})

    def post(self, request, *args, **kwargs):
        form = TopicForm(request.POST)
        if form.is_valid():
            try:
                topic = vote_services.topic_create(actor=request.user, data=form.cleaned_data)
            except DomainError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, f"已发布题目“{topic.title}”，市民可在公开页面投票")
                return redirect("sampling:topic_detail", pk=topic.pk)
        return self.render_to_response({"form": form, "topic": None}, status=400)


class TopicEditView(_ObjectPage):
    permission_required = "sampling.change_votetopic"
    selector = staticmethod(sel.topic_list)
    template_name = "sampling/publicity/topic_form.html"

    def _guard(self, topic):
        if topic.status != TopicStatus.OPEN:
            messages.error(self.request, f"题目{topic.get_status_display()}，不能再修改")
            return redirect("sampling:topic_detail", pk=topic.pk)
        return None

    def get(self, request, *args, **kwargs):
        topic = self.get_object()
        blocked = self._guard(topic)
        if blocked:
            return blocked
        initial = {k: getattr(topic, k) for k in ("title", "description", "opens_on", "closes_on")}
        initial.update(category=topic.category_id, township=topic.township_id)
        return self.render_to_response({"form": TopicForm(initial=initial), "topic": topic})

    def post(self, request, *args, **kwargs):
        topic = self.get_object()
        blocked = self._guard(topic)
        if blocked:
            return blocked
        form = TopicForm(request.POST)
        if form.is_valid():
            try:
                vote_services.topic_update(actor=request.user, topic_id=topic.pk, data=form.cleaned_data)
            except DomainError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, "题目已保存")
                return redirect("sampling:topic_detail", pk=topic.pk)
        return self.render_to_response({"form": form, "topic": topic}, status=400)


class TopicDetailView(_ObjectPage):
    permission_required = "sampling.view_votetopic"
    selector = staticmethod(sel.topic_list)
    template_name = "sampling/publicity/topic_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        topic = self.get_object()
        user = self.request.user
        line_samples = sel.topic_line_samples(actor=user, topic=topic)
        context.update(
            topic=topic,
            voting_open=sel.topic_voting_open(topic),
            can_change=user.has_perm("sampling.change_votetopic"),
            can_adopt=user.has_perm("sampling.change_votetopic") and user.has_perm("sampling.add_planline"),
            line_samples=line_samples,
            period=sel.topic_period(topic),
        )
        return context


class TopicCloseView(_ObjectPage):
    """GET: what ending the voting does; POST (confirmed): end it."""

    permission_required = "sampling.change_votetopic"
    selector = staticmethod(sel.topic_list)
    template_name = "sampling/publicity/topic_confirm.html"

    def get(self, request, *args, **kwargs):
        topic = self.get_object()
        blockers = [] if topic.status == TopicStatus.OPEN else [f"题目{topic.get_status_display()}"]
        confirm = Confirm(
            title="确认结束投票",
            action=reverse("sampling:topic_close", args=[topic.pk]),
            button="确认结束投票",
            cancel_url=reverse("sampling:topic_detail", args=[topic.pk]),
            consequences=[
                f"投票立即结束，票数定为 {topic.vote_count} 票；公开页面不再接受投票。",
                "结束后可以把题目列入抽检计划（列入计划）。",
            ],
            blockers=blockers,
            tone="danger",
        )
        return self.render_to_response({"topic": topic, "confirm": confirm, "heading": "结束投票"})

    def post(self, request, *args, **kwargs):
        topic = self.get_object()
        if not is_confirmed(request):
            return redirect("sampling:topic_close", pk=topic.pk)
        try:
            vote_services.topic_close(actor=request.user, topic_id=topic.pk)
        except DomainError as exc:
            _fail(request, exc)
        else:
            messages.success(request, f"投票已结束，共 {topic.vote_count} 票")
        return redirect("sampling:topic_detail", pk=topic.pk)


class TopicAdoptView(_ObjectPage):
    """列入计划: GET the line that will be created (plan, township, category, month, batches) → POST (confirmed)."""

    permission_required = ("sampling.change_votetopic", "sampling.add_planline")
    selector = staticmethod(sel.topic_list)
    template_name = "sampling/publicity/topic_confirm.html"

    def _render(self, topic, form, status=200):
        blockers = []
        if topic.status == TopicStatus.OPEN:
            blockers.append("投票尚未结束：请先结束投票")
        elif topic.status == TopicStatus.ADOPTED:
            blockers.append("该题目已列入计划")
        if not form.fields["plan"].queryset.exists():
            blockers.append("没有可列入的监督抽检或评价性抽检计划：请先编制计划")
        confirm = Confirm(
            title="确认列入抽检计划",
            action=reverse("sampling:topic_adopt", args=[topic.pk]),
            button="确认列入计划",
            cancel_url=reverse("sampling:topic_detail", args=[topic.pk]),
            consequences=[
                "在所选计划中新增一条“你点我检”计划明细（来源：你点我检；依据：本题目），按所填批次抽检。",
                f"题目状态变为“已列入计划”，票数（{topic.vote_count} 票）记入明细的理由。",
                "该明细下样品的检验结果公开后，会显示在公众投票页面本题目下。",
            ],
            blockers=blockers,
            form=form,
            tone="success",
        )
        return self.render_to_response({"topic": topic, "confirm": confirm, "heading": "列入抽检计划"}, status=status)

    def get(self, request, *args, **kwargs):
        topic = self.get_object()
        return self._render(topic, AdoptForm(topic=topic))

    def post(self, request, *args, **kwargs):
        topic = self.get_object()
        form = AdoptForm(request.POST, topic=topic)
        if not is_confirmed(request):
            return redirect("sampling:topic_adopt", pk=topic.pk)
        if form.is_valid():
            data = form.cleaned_data
            try:
                topic = vote_services.topic_adopt(
                    actor=request.user,
                    topic_id=topic.pk,
                    plan_id=data["plan"].pk,
                    month=data["month"],
                    batches=data["batches"],
                    township_id=data["township"].pk if data.get("township") else None,
                    category_id=data["category"].pk if data.get("category") else None,
                )
            except DomainError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, f"已列入计划：{topic.plan_line}")
                return redirect("sampling:topic_detail", pk=topic.pk)
        return self._render(topic, form, status=400)


# ---------------------------------------------------------------------------- quick tests (快检)
class QuickTestListView(ScopedListView):
    permission_required = "sampling.view_sample"
    selector = staticmethod(sel.quick_test_list)
    filterset_class = QuickTestFilterSet
    paginate_by = 30
    template_name = "sampling/publicity/quick_test_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        book = sel.DeadlinesBook()
        for s in context["page"]:
            s.quick_items = list(s.results.all())
            s.quick_clock = sel.quick_test_clock(s, now=now, book=book)
            s.positive = any(r.verdict == "unqualified" for r in s.quick_items)
        context.update(
            filters={k: self.request.GET.get(k, "") for k in ("q", "township", "recorded")},
            townships=_townships(),
        )
        return context


def lab_task_link(sample) -> str | None:
    """ "转实验室检验": fieldwork's new-task page for the quick-tested sample's plan line, with the enterprise searched
    (``line`` and ``q`` are that page's parameters); None for a sample without a plan line."""
    if not sample.task.plan_line_id:
        return None
    query = {"line": sample.task.plan_line_id, "q": sample.site_name or sample.enterprise.name}
    return f"{reverse('sampling:task_create')}?{urlencode(query)}"


class QuickTestDetailView(_ObjectPage):
    permission_required = "sampling.view_sample"
    selector = staticmethod(sel.quick_test_list)
    template_name = "sampling/publicity/quick_test_detail.html"

    def _context(self, sample, form=None):
        items = sel.quick_test_items(sample)
        recorded = sample.quick_test_result_at is not None
        can_record = self.request.user.has_perm("sampling.add_sample") and not recorded
        quick_items = list(sample.results.all())
        positive = any(r.verdict == "unqualified" for r in quick_items)
        return {
            "sample": sample,
            "form": form if form is not None else (QuickTestForm(items=items) if can_record else None),
            "can_record": can_record,
            "recorded": recorded,
            "quick_items": quick_items,
            "positive": positive,
            "clock": sel.quick_test_clock(sample),
            "lab_link": lab_task_link(sample) if positive else None,
            "deadline_hours": sel.deadlines_in_force().quick_test_objection_hours,
            "objection": getattr(sample, "quick_objection", None),
            "can_object": self.request.user.has_perm("sampling.add_quicktestobjection"),
            "can_decide": self.request.user.has_perm("sampling.decide_quicktestobjection"),
            "outcomes": [c for c in ObjectionOutcome.choices if c[0] != ObjectionOutcome.PENDING],
        }

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self._context(self.get_object()))

    def post(self, request, *args, **kwargs):
        sample = self.get_object()
        if not request.user.has_perm("sampling.add_sample"):
            raise PermissionDenied
        form = QuickTestForm(request.POST, items=sel.quick_test_items(sample))
        if form.is_valid():
            try:
                quick_test_services.quick_test_record(
                    actor=request.user,
                    sample_id=sample.pk,
                    readings=form.readings(),
                    result_at=form.cleaned_data.get("result_at"),
                    method_basis=form.cleaned_data.get("method_basis") or "",
                )
            except DomainError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, "快检结果已录入")
                return redirect("sampling:quick_test_detail", pk=sample.pk)
        return self.render_to_response(self._context(sample, form), status=400)


class QuickTestObjectionView(ScopedObjectMixin, ScopedActionView):
    """The enterprise's objection, recorded on its behalf within the window (refused after it, naming the end)."""

    permission_required = "sampling.add_quicktestobjection"
    selector = staticmethod(sel.quick_test_get)

    def get_redirect_url(self) -> str:
        return reverse("sampling:quick_test_detail", args=[self.object.pk]) + "#objection"

    def act(self) -> None:
        post = self.request.POST
        quick_test_services.objection_record(
            actor=self.request.user,
            sample_id=self.object.pk,
            objector=post.get("objector", ""),
            reason=post.get("reason", ""),
        )
        messages.success(self.request, "异议已录入，待市局处理；处理前快检结果不作为最终结果公开")


class QuickTestObjectionDecideView(ScopedObjectMixin, ScopedActionView):
    permission_required = "sampling.decide_quicktestobjection"
    selector = staticmethod(sel.quick_test_get)

    def get_redirect_url(self) -> str:
        return reverse("sampling:quick_test_detail", args=[self.object.pk]) + "#objection"

    def act(self) -> None:
        post = self.request.POST
        objection = quick_test_services.objection_decide(
            actor=self.request.user,
            sample_id=self.object.pk,
            outcome=post.get("outcome", ""),
            note=post.get("note", ""),
        )
        messages.success(self.request, f"异议已处理：{objection.get_outcome_display()}")


# ---------------------------------------------------------------------------- publications (一公开)
class PublicationListView(ScopedListView):
    """Results to publish through ``PublicationFilterSet``, each with its working-day clock; the figures above the
    list count ``?status=pending|overdue|published|outcome_pending`` and link to those rows."""

    permission_required = "sampling.view_sample"
    selector = staticmethod(sel.publication_list)
    filterset_class = PublicationFilterSet
    paginate_by = 30
    template_name = "sampling/publicity/publication_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        request = self.request
        calendar = WorkdayCalendar()
        book = sel.DeadlinesBook()
        today = timezone.localdate()
        can_publish = request.user.has_perm("sampling.publish_sample")
        rows = []
        for s in context["page"]:
            disposal = sel._disposal_of(s)
            rows.append(
                {
                    "sample": s,
                    "clock": sel.publish_clock(s, today=today, calendar=calendar),
                    "hold": sel.publication_hold(s, today=today),
                    "disposal": disposal,
                    "outcome_due": sel.outcome_publish_due(disposal, calendar=calendar, book=book)
                    if disposal
                    else None,
                }
            )
        counts = sel.publication_counts(actor=request.user)
        params = request.GET.copy()
        params.pop("page", None)
        context.update(
            rows=rows,
            counts=[
                {"key": PENDING, "label": "待公开", "count": counts[PENDING], "tone": "primary"},
                {"key": OVERDUE, "label": "已超期未公开", "count": counts[OVERDUE], "tone": "danger"},
                {"key": PUBLISHED, "label": "已公开", "count": counts[PUBLISHED], "tone": "success"},
                {
                    "key": OUTCOME_PENDING,
                    "label": "处置结果待公开",
                    "count": counts[OUTCOME_PENDING],
                    "tone": "warning",
                },
            ],
            status=request.GET.get("status", ""),
            statuses=PUBLICATION_STATUS_CHOICES,
            filters={k: request.GET.get(k, "") for k in ("q", "township", "conclusion", "purpose")},
            townships=_townships(),
            can_publish=can_publish,
            can_export=request.user.has_perm("sampling.export_sample"),
            export_query=params.urlencode(),
            publish_days=book.in_force(today).publish_workdays,
            bulk_max=publication_services.BULK_PUBLISH_MAX,
        )
        return context


class PublicationPublishView(_ObjectPage):
    """GET: what publishing this result shows the public; POST (confirmed): publish."""

    permission_required = "sampling.publish_sample"
    selector = staticmethod(sel.publication_list)
    template_name = "sampling/publicity/publication_confirm.html"

    def get_object(self):
        try:
            return sel.publication_get(actor=self.request.user, pk=self.kwargs["pk"])
        except (ObjectDoesNotExist, ValueError, TypeError):
            raise Http404 from None

    def get(self, request, *args, **kwargs):
        sample = self.get_object()
        hold = sel.publication_hold(sample)
        disposal = sel._disposal_of(sample)
        outcome_only = sample.published_at is not None
        consequences = (
            ["公开该样品已办结的核查处置结果（处置措施与处置结果），显示在公众页面该结果下。"]
            if outcome_only
            else [
                f"在公示平台公开 {sample.site_name} 的“{sample.name}”检验结论（{sample.get_conclusion_display()}）"
                + ("及不合格项目的检验结果、标准值和判定依据。" if sample.conclusion == "unqualified" else "。"),
                "公开内容不含联系电话、抽样人员等内部信息；企业查询页面同步显示。",
            ]
        )
        if not outcome_only and disposal is not None and disposal.status == "closed":
            consequences.append("核查处置已办结：处置结果一并公开。")
        consequences.append("公开后不能撤回；操作记入审计日志。")
        confirm = Confirm(
            title="确认公开抽检结果" if not outcome_only else "确认公开处置结果",
            action=reverse("sampling:publication_publish", args=[sample.pk]),
            button="确认公开",
            cancel_url=reverse("sampling:publications"),
            consequences=consequences,
            blockers=[hold] if hold else [],
            tone="success",
        )
        return self.render_to_response(
            {"sample": sample, "confirm": confirm, "clock": sel.publish_clock(sample), "disposal": disposal}
        )

    def post(self, request, *args, **kwargs):
        sample = self.get_object()
        if not is_confirmed(request):
            return redirect("sampling:publication_publish", pk=sample.pk)
        try:
            publication_services.sample_publish(actor=request.user, sample_id=sample.pk)
        except OutOfScope:
            raise Http404 from None
        except DomainError as exc:
            _fail(request, exc)
            return redirect("sampling:publication_publish", pk=sample.pk)
        messages.success(request, "已公开，公众可在公示平台查看")
        return redirect(reverse("sampling:publications") + "?status=published")


class PublicationBulkView(ScopedQuerysetMixin, TemplateView):
    """批量公开: the chosen rows (or all publishable ones) → this preview, which says what will and will not be
    published and why → confirm → one audit event per published result."""

    permission_required = "sampling.publish_sample"
    selector = staticmethod(sel.publication_list)
    template_name = "sampling/publicity/publication_bulk_confirm.html"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        post = request.POST
        cap = publication_services.BULK_PUBLISH_MAX
        ids = [part for v in post.getlist("ids") for part in v.split(",") if part.strip().isdigit()][: cap + 1]
        if not ids:
            messages.error(request, "请先勾选要公开的记录")
            return redirect("sampling:publications")
        if len(ids) > cap:
            messages.error(request, f"一次最多公开 {cap} 条，请缩小范围后分批公开")
            return redirect("sampling:publications")
        if is_confirmed(request):
            try:
                outcome = publication_services.samples_publish_many(actor=request.user, sample_ids=ids)
            except DomainError as exc:
                _fail(request, exc)
                return redirect("sampling:publications")
            if outcome["published"]:
                messages.success(request, f"已公开 {len(outcome['published'])} 条，公众可在公示平台查看")
            if outcome["refused"]:
                messages.warning(
                    request, f"{len(outcome['refused'])} 条未公开（状态已变化或不在管辖范围内），请刷新后查看"
                )
            return redirect(reverse("sampling:publications") + "?status=published")
        rows = sel.publications_for_bulk(actor=request.user, ids=ids)
        ready = [r for r in rows if r["hold"] is None]
        confirm = Confirm(
            title=f"确认公开 {len(ready)} 条抽检结果",
            action=reverse("sampling:publications_bulk"),
            button=f"确认公开 {len(ready)} 条",
            cancel_url=reverse("sampling:publications"),
            consequences=[
                "所列“公开”的结果在公示平台公开（不合格的含不合格项目和判定依据；已办结的含处置结果）。",
                "每条分别记入审计日志；公开后不能撤回。",
            ],
            blockers=[] if ready else ["所选记录现在都不能公开"],
            hidden={"ids": ",".join(str(r["sample"].pk) for r in ready)},
            tone="success",
        )
        return self.render_to_response(
            {
                "rows": rows,
                "ready": ready,
                "held": [r for r in rows if r["hold"] is not None],
                "missing": len(ids) - len(rows),
                "confirm": confirm,
            }
        )


class PublicationExportView(FilteredExportView):
    """The credit-file export of published results: the list's filters, ``status=published`` forced."""

    permission_required = "sampling.export_sample"
    selector = staticmethod(sel.publication_list)
    export = staticmethod(publication_services.published_export)
    job_kind = EXPORT_JOB_KIND
    title = "抽检公开结果"
    file_title = "抽检公开结果_信用档案"
    ascii_name = "sampling-published"
    list_url_name = "sampling:publications"

    def count_rows(self) -> int:
        return sel.publication_list(actor=self.request.user, filters=self.request.GET, status=PUBLISHED).count()


class PublicationExportDownloadView(ExportDownloadView):
    permission_required = "sampling.export_sample"
    job_kind = EXPORT_JOB_KIND
    file_path = staticmethod(export_file_path)
    ascii_name = "sampling-published"
