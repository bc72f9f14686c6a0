"""Staff pages of complaints (under /incidents/complaints/, namespace ``incidents``): the list (FilterSet, Excel
export), staff entry, the detail page (history, clocks, duplicate suggestions, the next step's form, reward), each
step as a POST, and the complaint officer's audited unmasking of the reporter (served ``Cache-Control: no-store``).

A step refused by its service (a reward for a report not upheld, an empty required field, a status that does not
allow it) re-renders the detail page with the Chinese message and the service's 4xx status; nothing is written."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.utils import timezone

from apps.common.exceptions import DomainError, OutOfScope
from apps.common.viewmixins import (
    RowStepView,
    ScopedDetailView,
    ScopedFormView,
    ScopedListView,
    ScopedObjectMixin,
    ScopedPageView,
)
from apps.common.views_export import ExportDownloadView, FilteredExportView

from . import selectors as sel
from . import services
from .choices import ComplaintStatus, RewardStatus
from .exports import complaint_export, export_file_path
from .filters import ComplaintFilterSet
from .forms import (
    CloseForm,
    FeedbackForm,
    NoteForm,
    RewardAssessForm,
    RewardPayForm,
    RouteForm,
    StaffComplaintForm,
    UnmaskForm,
    yuan_to_fen,
)
from .job_handlers import EXPORT_JOB_KIND
from .rules import rules_in_force, yuan

S = ComplaintStatus


def _townships_for(user):
    from apps.accounts.models import Township
    from apps.common.scoping import user_sees_all_townships, user_township_ids

    qs = Township.objects.filter(is_active=True).order_by("order", "id")
    return qs if user_sees_all_townships(user) else qs.filter(pk__in=user_township_ids(user))


def _reward_of(c):
    try:
        return c.reward
    except Exception:  # noqa: BLE001 — RelatedObjectDoesNotExist
        return None


class ComplaintListView(ScopedListView):
    permission_required = "incidents.view_complaint"
    selector = staticmethod(sel.complaint_list)
    filterset_class = ComplaintFilterSet
    paginate_by = 30
    template_name = "incidents/complaints/complaint_list.html"

    def decorate_page(self, page):
        today = timezone.localdate()
        for c in page:
            c.clock = sel.complaint_clocks(c, today=today)
            c.current_clock = next((k for k in c.clock if k.state in ("running", "overdue")), None)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            can_add=user.has_perm("incidents.add_complaint"),
            can_export=user.has_perm("incidents.export_complaint"),
        )
        return context


class ComplaintExportView(FilteredExportView):
    permission_required = ("incidents.view_complaint", "incidents.export_complaint")
    selector = staticmethod(sel.complaint_list)
    export = staticmethod(complaint_export)
    job_kind = EXPORT_JOB_KIND
    title = "投诉举报"
    ascii_name = "complaints"
    list_url_name = "incidents:complaints"


class ComplaintExportDownloadView(ExportDownloadView):
    permission_required = ("incidents.view_complaint", "incidents.export_complaint")
    job_kind = EXPORT_JOB_KIND
    file_path = staticmethod(export_file_path)
    ascii_name = "complaints"


class ComplaintCreateView(ScopedFormView):
    permission_required = ("incidents.view_complaint", "incidents.add_complaint")
    template_name = "incidents/complaints/complaint_form.html"
    form_class = StaffComplaintForm

    def get_form_kwargs(self):
        from apps.enterprises.models import Enterprise

        kwargs = super().get_form_kwargs()
        kwargs.update(
            townships=_townships_for(self.request.user), enterprises=Enterprise.objects.visible_to(self.request.user)
        )
        return kwargs

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        data["enterprise"] = data.pop("enterprise_ref", None)
        try:
            complaint = services.complaint_create(
                actor=self.request.user, data=data, received_at=data.get("received_at")
            )
        except DomainError as exc:
            for field, errors in (exc.fields or {}).items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
            if not exc.fields:
                form.add_error(None, exc.message)
            return self.form_invalid(form)
        messages.success(self.request, f"已登记 {complaint.number}，受理决定期限 {complaint.acceptance_due:%Y-%m-%d}")
        return redirect("incidents:complaint_detail", pk=complaint.pk)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


def detail_context(request, c, *, forms: dict | None = None, error: str = "") -> dict:
    user = request.user
    can_change = user.has_perm("incidents.change_complaint")
    can_reward = user.has_perm("incidents.manage_reward")
    reward = _reward_of(c)
    forms = forms or {}
    steps = {}
    if can_change:
        if c.can_transition_to(S.ACCEPTED):
            steps["accept"] = forms.get("accept") or NoteForm(prefix="accept")
            steps["reject"] = forms.get("reject") or NoteForm(prefix="reject")
        if c.can_transition_to(S.ROUTED):
            steps["route"] = forms.get("route") or RouteForm(
                prefix="route", townships=_townships_for(user), initial={"township": c.township_id}
            )
        if c.can_transition_to(S.HANDLING):
            steps["start"] = forms.get("start") or NoteForm(prefix="start")
        if c.can_transition_to(S.CLOSED):
            steps["close"] = forms.get("close") or CloseForm(prefix="close")
        if c.can_transition_to(S.FED_BACK):
            steps["feedback"] = forms.get("feedback") or FeedbackForm(prefix="feedback")
    rewardable = c.kind == "report" and c.upheld is True and c.status in (S.CLOSED, S.FED_BACK)
    return {
        "object": c,
        "complaint": c,
        "events": sel.complaint_events(c),
        "attachments": sel.complaint_attachments(c),
        "clocks": sel.complaint_clocks(c),
        "duplicates": sel.duplicate_suggestions(c, actor=user),
        "duplicate_window": rules_in_force(timezone.localtime(c.received_at).date()).duplicate_window_days,
        "can_change": can_change,
        "can_unmask": user.has_perm("incidents.unmask_reporter"),
        "can_reward": can_reward,
        "steps": steps,
        "reward": reward,
        "reward_amount": yuan(reward.amount_fen) if reward else "",
        "reward_paid": yuan(reward.paid_fen) if reward and reward.paid_fen is not None else "",
        "rewardable": rewardable,
        "assess_form": forms.get("assess")
        or (
            RewardAssessForm(prefix="reward")
            if can_reward and rewardable and not (reward and reward.status == RewardStatus.PAID)
            else None
        ),
        "pay_form": forms.get("pay")
        or (
            RewardPayForm(prefix="pay", initial={"paid_on": timezone.localdate()})
            if can_reward and reward and reward.status != RewardStatus.PAID
            else None
        ),
        "step_error": error,
    }


class ComplaintDetailView(ScopedDetailView):
    permission_required = "incidents.view_complaint"
    selector = staticmethod(sel.complaint_get)
    template_name = "incidents/complaints/complaint_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(detail_context(self.request, self.object))
        return context


class _StepView(RowStepView):
    """One step on a complaint: the form (prefixed) → the service; refused → the detail page again, with the
    message, the form's errors and the service's 4xx."""

    permission_required = ("incidents.view_complaint", "incidents.change_complaint")
    selector = staticmethod(sel.complaint_get)
    form_class = NoteForm

    detail_url_name = "incidents:complaint_detail"
    detail_template = "incidents/complaints/complaint_detail.html"

    def detail_context(self, row, *, forms, error):
        return detail_context(self.request, row, forms=forms, error=error)


class ComplaintAcceptView(_StepView):
    form_key, success = "accept", "已受理"

    def run(self, d):
        services.complaint_accept(actor=self.request.user, complaint_id=self.object.pk, note=d.get("note") or "")


class ComplaintRejectView(_StepView):
    form_key, success = "reject", "已决定不予受理"

    def run(self, d):
        services.complaint_reject(actor=self.request.user, complaint_id=self.object.pk, reason=d.get("note") or "")


class ComplaintRouteView(_StepView):
    form_key, form_class, success = "route", RouteForm, "已分派镇街"

    def make_form(self, data):
        return RouteForm(data, prefix="route", townships=_townships_for(self.request.user))

    def run(self, d):
        services.complaint_route(
            actor=self.request.user, complaint_id=self.object.pk, township=d.get("township"), note=d.get("note") or ""
        )


class ComplaintStartView(_StepView):
    form_key, success = "start", "已开始办理"

    def run(self, d):
        services.complaint_start(actor=self.request.user, complaint_id=self.object.pk, note=d.get("note") or "")


class ComplaintCloseView(_StepView):
    form_key, form_class, success = "close", CloseForm, "已办结"

    def run(self, d):
        services.complaint_close(
            actor=self.request.user,
            complaint_id=self.object.pk,
            upheld=d.get("upheld"),
            result_text=d.get("result_text") or "",
        )


class ComplaintFeedbackView(_StepView):
    form_key, form_class, success = "feedback", FeedbackForm, "已反馈反映人；反映人凭查询码可查看"

    def run(self, d):
        services.complaint_feedback(
            actor=self.request.user, complaint_id=self.object.pk, feedback_text=d.get("feedback_text") or ""
        )


class ComplaintDuplicateView(_StepView):
    form_key, success = "duplicate", "已标记为重复"

    def make_form(self, data):
        from .forms import DuplicateForm

        return DuplicateForm(data)

    def run(self, d):
        services.complaint_link_duplicate(
            actor=self.request.user, complaint_id=self.object.pk, original_id=d.get("original")
        )


class RewardAssessView(_StepView):
    permission_required = ("incidents.view_complaint", "incidents.manage_reward")
    form_key, form_class, success = "assess", RewardAssessForm, "奖励已核定"

    def make_form(self, data):
        return RewardAssessForm(data, prefix="reward")

    def run(self, d):
        fines = yuan_to_fen(d.get("fines"))
        services.reward_assess(
            actor=self.request.user,
            complaint_id=self.object.pk,
            level=d.get("level"),
            fines_fen=fines if fines is not None else -1,
            not_excluded=bool(d.get("not_excluded")),
        )


class RewardPayView(_StepView):
    permission_required = ("incidents.view_complaint", "incidents.manage_reward")
    form_key, form_class, success = "pay", RewardPayForm, "奖励发放已登记"

    def make_form(self, data):
        return RewardPayForm(data, prefix="pay")

    def run(self, d):
        services.reward_pay(
            actor=self.request.user,
            complaint_id=self.object.pk,
            paid_on=d.get("paid_on"),
            paid_fen=yuan_to_fen(d.get("paid")),
            voucher_no=d.get("voucher_no") or "",
        )


class ComplaintAttachmentView(ScopedDetailView):
    permission_required = "incidents.view_complaint"
    selector = staticmethod(sel.complaint_get)

    def get(self, request, *args, **kwargs):
        att = self.object.attachments.filter(pk=kwargs["att"]).first()
        if att is None:
            raise Http404
        is_pdf = att.content_type == "application/pdf"  # a PDF is downloaded, never rendered inline
        response = FileResponse(
            att.file.open("rb"),
            content_type=att.content_type,
            as_attachment=is_pdf,
            filename=f"complaint-{self.object.pk}-{att.pk}.{'pdf' if is_pdf else att.content_type.split('/')[-1]}",
        )
        response["Cache-Control"] = "no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response


class ReporterUnmaskView(ScopedObjectMixin, ScopedFormView):
    """查看举报人身份: a reason (form) → the identity, audited (who and why, not the identity), ``no-store``."""

    permission_required = ("incidents.view_complaint", "incidents.unmask_reporter")
    selector = staticmethod(sel.complaint_get)
    template_name = "incidents/complaints/reporter_unmask.html"
    form_class = UnmaskForm

    def form_valid(self, form):
        try:
            identity = sel.reporter_identity_unmask(
                actor=self.request.user, complaint_id=self.object.pk, reason=form.cleaned_data.get("reason") or ""
            )
        except OutOfScope:
            raise Http404 from None
        except DomainError as exc:
            form.add_error("reason", exc.message)
            return self.form_invalid(form)
        response = self.render_to_response(self.get_context_data(form=None, identity=identity, unmasked=True))
        response["Cache-Control"] = "no-store"
        return response

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


class IdentityRetentionView(ScopedPageView):
    """PII-05 for the security admin: GET previews what the daily purge deletes today (counts and dates only, never a
    case or an identity); a confirmed POST deletes it now (the same service as the daily job)."""

    permission_required = "incidents.purge_reporter_identity"
    template_name = "incidents/complaints/identity_retention.html"

    def get_context_data(self, **kwargs):
        from django.urls import reverse

        from apps.common.confirm import Confirm

        context = super().get_context_data(**kwargs)
        plan = sel.identity_purge_plan()
        context.update(
            plan=plan,
            confirm=Confirm(
                title="确认立即删除到期的举报人身份",
                action=reverse("incidents:complaint_identity_retention"),
                button=f"删除 {plan.count:,} 件的举报人身份",
                cancel_url=reverse("home"),
                consequences=[
                    f"删除 {plan.count:,} 件投诉举报的举报人身份（姓名、电话、身份证号、其他联系方式），不可恢复；投诉举报本身保留。",
                    "每件的办理记录写明按保存期限删除；审计日志记一条，只含件数和日期。",
                    "不点此按钮，每天 03:40 的定时任务也会做同样的删除。",
                ],
                blockers=[] if plan.count else ["今天没有到期的举报人身份"],
                hidden={"count": plan.count},
                tone="danger",
            ),
        )
        return context

    def post(self, request, *args, **kwargs):
        from apps.common.confirm import is_confirmed

        if not is_confirmed(request):
            messages.warning(request, "请先核对到期件数，再确认删除")
            return redirect("incidents:complaint_identity_retention")
        if request.POST.get("count") != str(sel.identity_purge_plan().count):
            messages.error(request, "到期件数在预览后已变化，请重新核对")
            return redirect("incidents:complaint_identity_retention")
        try:
            result = services.reporter_identities_purge(actor=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"已删除 {result['purged']:,} 件投诉举报的举报人身份。")
        return redirect("incidents:complaint_identity_retention")
