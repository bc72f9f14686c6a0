"""Pages of assessment schemes, rounds, scores, appeals and star ratings (under /assessment/, namespace
``assessment``; docs/assessment.md). Refused input re-renders the page with the Chinese message and the service's
4xx; a row outside the caller's scope is 404."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from apps.common import uploads
from apps.common.confirm import Confirm, is_confirmed
from apps.common.exceptions import DomainError
from apps.common.scoping import user_sees_all_townships, user_township_ids
from apps.common.viewmixins import (
    RowFormView,
    ScopedActionView,
    ScopedDetailView,
    ScopedFormView,
    ScopedListView,
    ScopedObjectMixin,
    form_errors_from,
)

from ..models.schemes import AppealStatus, ScoreItem
from . import scoring, services
from . import selectors as sel
from .exports import ranking_pdf, ranking_xlsx
from .filters import AppealFilterSet, RoundFilterSet, StarFilterSet
from .forms import AppealForm, DecideForm, ManualValueForm, RoundCreateForm

VIEW_ROUND = "assessment.view_assessmentround"


def _own_townships(user):
    from apps.accounts.models import Township

    return list(Township.objects.filter(is_active=True, pk__in=user_township_ids(user)).order_by("order", "id"))


# ------------------------------------------------------------------------------------------------ schemes
class SchemeListView(ScopedListView):
    permission_required = "assessment.view_assessmentscheme"
    selector = staticmethod(sel.scheme_list)
    template_name = "assessment/schemes/scheme_list.html"


class SchemeDetailView(ScopedDetailView):
    permission_required = "assessment.view_assessmentscheme"
    selector = staticmethod(sel.scheme_get)
    context_object_name = "scheme"
    template_name = "assessment/schemes/scheme_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        indicators = services.indicators_of(self.object)
        for ind in indicators:
            ind.bands_text = scoring.bands_text(ind.bands, ind.direction, ind.unit)
        context.update(indicators=indicators, weight_total=sum(i.weight for i in indicators))
        return context


# ------------------------------------------------------------------------------------------------ rounds
class RoundListView(ScopedListView):
    permission_required = VIEW_ROUND
    selector = staticmethod(sel.round_list)
    filterset_class = RoundFilterSet
    template_name = "assessment/schemes/round_list.html"

    def decorate_page(self, page) -> None:
        counts = sel.visible_score_counts(actor=self.request.user, round_ids=[r.pk for r in page])
        for r in page:
            r.township_count = counts.get(r.pk, 0)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.request.user.has_perm("assessment.add_assessmentround"):
            context.setdefault("create_form", RoundCreateForm())
        return context


class RoundCreateView(ScopedFormView):
    permission_required = (VIEW_ROUND, "assessment.add_assessmentround")
    form_class = RoundCreateForm
    template_name = "assessment/schemes/round_create.html"

    def form_valid(self, form):
        try:
            rnd = services.round_create(actor=self.request.user, year=form.cleaned_data["year"])
        except DomainError as exc:
            form_errors_from(form, exc)
            return self.render_to_response(self.get_context_data(form=form), status=exc.status_code)
        messages.success(self.request, f"已建立{rnd}，请计算得分")
        return redirect("assessment:round_detail", pk=rnd.pk)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


def round_context(request, rnd, *, manual_form=None) -> dict:
    user = request.user
    scores = sel.round_scores(actor=user, rnd=rnd)
    indicators = services.indicators_of(rnd.scheme)
    manual_indicators = [i for i in indicators if i.is_manual]
    own = _own_townships(user)
    can_manual = user.has_perm("assessment.add_manualvalue") and bool(own) and not rnd.is_closed
    from ..models.schemes import ScoreAppeal

    pending = ScoreAppeal.objects.visible_to(user).filter(round=rnd, status=AppealStatus.PENDING).count()
    return {
        "round": rnd,
        "object": rnd,
        "scores": scores,
        "indicators": indicators,
        "manual_values": sel.manual_values_of(actor=user, rnd=rnd),
        "manual_form": manual_form
        or (ManualValueForm(townships=own, indicators=manual_indicators) if can_manual else None),
        "pending_appeals": pending,
        "can_compute": user.has_perm("assessment.change_assessmentround") and not rnd.is_closed,
        "can_close": user.has_perm("assessment.close_assessmentround") and not rnd.is_closed,
        "can_export": user.has_perm("assessment.export_assessmentround") and rnd.computed_at is not None,
        "sees_all": user_sees_all_townships(user),
    }


class RoundDetailView(ScopedDetailView):
    permission_required = VIEW_ROUND
    selector = staticmethod(sel.round_get)
    template_name = "assessment/schemes/round_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(round_context(self.request, self.object))
        return context


class RoundComputeView(ScopedObjectMixin, ScopedActionView):
    permission_required = (VIEW_ROUND, "assessment.change_assessmentround")
    selector = staticmethod(sel.round_get)

    def act(self):
        job = services.round_compute_start(actor=self.request.user, round_id=self.object.pk)
        self.job = job
        messages.success(self.request, "已开始计算得分，进度见后台任务")

    def get_redirect_url(self):
        job = getattr(self, "job", None)
        if job is not None:
            return reverse("jobs:detail", args=[job.pk])
        return reverse("assessment:round_detail", args=[self.object.pk])


class RoundVerifyView(ScopedObjectMixin, ScopedActionView):
    """复核: recompute from the frozen inputs and the scheme version; says whether the result is identical."""

    permission_required = (VIEW_ROUND, "assessment.change_assessmentround")
    selector = staticmethod(sel.round_get)

    def act(self):
        diffs = services.round_verify(actor=self.request.user, round_id=self.object.pk)
        if diffs:
            messages.error(self.request, "复核结果一致：否。" + "；".join(diffs[:5]))
        else:
            messages.success(self.request, "复核结果一致：是（由存储的输入与方案版本重算，得分、排名与星级完全相同）")

    def get_redirect_url(self):
        return reverse("assessment:round_detail", args=[self.object.pk])


class RoundCloseView(ScopedDetailView):
    """Preview of closing a round (final ranking, star ratings), and the confirming POST. Irreversible."""

    permission_required = (VIEW_ROUND, "assessment.close_assessmentround")
    selector = staticmethod(sel.round_get)
    template_name = "assessment/schemes/round_close.html"

    def check_object(self):
        if self.object.is_closed:
            messages.info(self.request, f"{self.object}已关闭")
            return redirect("assessment:round_detail", pk=self.object.pk)
        return None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rnd = self.object
        scores = sel.round_scores(actor=self.request.user, rnd=rnd)
        context.update(
            round=rnd,
            scores=scores,
            confirm=Confirm(
                title=f"确认关闭{rnd}",
                action=reverse("assessment:round_close", args=[rnd.pk]),
                button="确认关闭，结果确定",
                cancel_url=reverse("assessment:round_detail", args=[rnd.pk]),
                consequences=[
                    f"{len(scores)} 个镇街的得分与排名成为最终结果，不能再计算、填报或申诉。",
                    "计算输入（各指标的分子、分母与值）随之冻结，复核时由冻结的输入与方案版本重算。",
                    f"按方案的星级分档，为每个镇街记入 {rnd.year} 年度食安办星级。",
                ],
                blockers=services.close_blockers(rnd),
                tone="danger",
            ),
        )
        return context

    def post(self, request, *args, **kwargs):
        rnd = self.object
        if not is_confirmed(request):
            messages.warning(request, "请先核对排名，再确认关闭")
            return redirect("assessment:round_close", pk=rnd.pk)
        try:
            services.round_close(actor=request.user, round_id=rnd.pk)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("assessment:round_detail", pk=rnd.pk)
        messages.success(request, f"{rnd}已关闭，星级已评定")
        return redirect("assessment:round_detail", pk=rnd.pk)


def _items_by_score(scores) -> dict:
    out: dict = {}
    for it in ScoreItem.objects.filter(score__in=[s.pk for s in scores]).order_by("indicator__order"):
        out.setdefault(it.score_id, []).append(it)
    return out


class RoundExcelView(ScopedDetailView):
    permission_required = (VIEW_ROUND, "assessment.export_assessmentround")
    selector = staticmethod(sel.round_get)

    def get(self, request, *args, **kwargs):
        rnd = self.object
        scores = sel.round_scores(actor=request.user, rnd=rnd)
        content = ranking_xlsx(
            actor=request.user,
            rnd=rnd,
            scores=scores,
            indicators=services.indicators_of(rnd.scheme),
            items=_items_by_score(scores),
        )
        response = HttpResponse(
            content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = f'attachment; filename="assessment-{rnd.year}.xlsx"'
        return response


class RoundPdfView(ScopedDetailView):
    permission_required = (VIEW_ROUND, "assessment.export_assessmentround")
    selector = staticmethod(sel.round_get)

    def get(self, request, *args, **kwargs):
        rnd = self.object
        try:
            content = ranking_pdf(rnd=rnd, scores=sel.round_scores(actor=request.user, rnd=rnd))
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("assessment:round_detail", pk=rnd.pk)
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="assessment-{rnd.year}.pdf"'
        return response


class ManualValueSubmitView(RowFormView):
    permission_required = (VIEW_ROUND, "assessment.add_manualvalue")
    selector = staticmethod(sel.round_get)
    form_class = ManualValueForm
    template_name = "assessment/schemes/round_detail.html"
    detail_url_name = "assessment:round_detail"
    anchor = "manual"
    success = "已保存填报值与证据，重新计算得分后计入"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(
            townships=_own_townships(self.request.user),
            indicators=[i for i in services.indicators_of(self.object.scheme) if i.is_manual],
        )
        return kwargs

    def detail_context(self, row, form) -> dict:
        return round_context(self.request, row, manual_form=form)

    def run(self, data):
        data = dict(data)
        data.pop("evidence", None)
        return services.manual_value_submit(
            actor=self.request.user, round_id=self.object.pk, data=data, evidence=self.request.FILES.get("evidence")
        )


class ManualValueFileView(ScopedDetailView):
    permission_required = ("assessment.view_manualvalue",)
    selector = staticmethod(sel.manual_value_get)

    def get(self, request, *args, **kwargs):
        m = self.object
        return uploads.file_response(m.evidence, m.content_type, f"evidence-{m.round_id}-{m.pk}.{m.extension}")


# ------------------------------------------------------------------------------------------------ scores
def score_context(request, score, *, appeal_form=None) -> dict:
    user = request.user
    items = sel.score_items(score)
    for it in items:
        it.bands_text = scoring.bands_text(it.indicator.bands, it.indicator.direction, it.indicator.unit)
    rnd = score.round
    can_appeal = (
        user.has_perm("assessment.add_scoreappeal")
        and score.township_id in user_township_ids(user)
        and not rnd.is_closed
    )
    return {
        "score": score,
        "object": score,
        "round": rnd,
        "items": items,
        "appeals": sel.appeals_of(actor=user, rnd=rnd, township_id=score.township_id),
        "appeal_form": appeal_form or (AppealForm(indicators=[i.indicator for i in items]) if can_appeal else None),
    }


class ScoreDetailView(ScopedDetailView):
    """The drill-down of one township's score: per indicator the numerator, denominator and value (each linked to
    its rows), the band points and the weighted score."""

    permission_required = ("assessment.view_townshipscore",)
    selector = staticmethod(sel.score_get)
    template_name = "assessment/schemes/score_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(score_context(self.request, self.object))
        return context


class AppealFileView(RowFormView):
    permission_required = ("assessment.view_townshipscore", "assessment.add_scoreappeal")
    selector = staticmethod(sel.score_get)
    form_class = AppealForm
    template_name = "assessment/schemes/score_detail.html"
    detail_url_name = "assessment:score_detail"
    anchor = "appeals"
    success = "已提出申诉，待市局裁决"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["indicators"] = services.indicators_of(self.object.round.scheme)
        return kwargs

    def detail_context(self, row, form) -> dict:
        return score_context(self.request, row, appeal_form=form)

    def run(self, data):
        return services.appeal_file(
            actor=self.request.user,
            round_id=self.object.round_id,
            township_id=self.object.township_id,
            indicator_id=data["indicator"],
            reason=data["reason"],
        )


# ------------------------------------------------------------------------------------------------ appeals
class AppealListView(ScopedListView):
    permission_required = "assessment.view_scoreappeal"
    selector = staticmethod(sel.appeal_list)
    filterset_class = AppealFilterSet
    template_name = "assessment/schemes/appeal_list.html"


def appeal_context(request, appeal, *, form=None) -> dict:
    user = request.user
    can_decide = (
        user.has_perm("assessment.decide_scoreappeal")
        and user_sees_all_townships(user)
        and appeal.status == AppealStatus.PENDING
        and not appeal.round.is_closed
    )
    score = sel.score_list(actor=user).filter(round=appeal.round, township=appeal.township_id).first()
    return {
        "appeal": appeal,
        "object": appeal,
        "score": score,
        "item": score.items.select_related("indicator").filter(indicator=appeal.indicator_id).first()
        if score
        else None,
        "decide_form": form or (DecideForm() if can_decide else None),
    }


class AppealDetailView(ScopedDetailView):
    permission_required = "assessment.view_scoreappeal"
    selector = staticmethod(sel.appeal_get)
    template_name = "assessment/schemes/appeal_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(appeal_context(self.request, self.object))
        return context


class AppealDecideView(RowFormView):
    permission_required = ("assessment.view_scoreappeal", "assessment.decide_scoreappeal")
    selector = staticmethod(sel.appeal_get)
    form_class = DecideForm
    template_name = "assessment/schemes/appeal_detail.html"
    detail_url_name = "assessment:appeal_detail"

    def detail_context(self, row, form) -> dict:
        return appeal_context(self.request, row, form=form)

    def run(self, data):
        return services.appeal_decide(
            actor=self.request.user,
            appeal_id=self.object.pk,
            decision=data["decision"],
            reason=data["decision_reason"],
            corrected_value=data.get("corrected_value"),
            granted_points=data.get("granted_points"),
        )

    def success_message(self, result) -> str:
        return f"已裁决：{result.get_status_display()}"


# ------------------------------------------------------------------------------------------------ stars
class StarListView(ScopedListView):
    """食安办星级 history: one row per township per closed round; filtered by township it is that township's stars
    over the years."""

    permission_required = "assessment.view_starrating"
    selector = staticmethod(sel.star_list)
    filterset_class = StarFilterSet
    template_name = "assessment/schemes/star_list.html"
    paginate_by = 50
