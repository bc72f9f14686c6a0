"""Pages of the eight campaigns (八大攻坚行动, under /assessment/campaigns/, namespace ``assessment``): the list with
progress bars, a campaign with its targets and the figures per township, a target with its versions and manual
progress entries, the target edit form and the manual progress form (市局), and the evidence download.

Every page reads the year from ``?year=`` (default: this year); an invalid year is refused in Chinese (400) and the
page shows this year's figures. Input the service refuses re-renders the form with the message beside its field and
the service's 4xx; nothing is written."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from apps.common import uploads
from apps.common.exceptions import DomainError, OutOfScope
from apps.common.scoping import user_sees_all_townships
from apps.common.viewmixins import (
    RowFormView,
    ScopedDetailView,
    ScopedFormView,
    ScopedObjectMixin,
    ScopedPageView,
    filtered_or_errors,
    form_errors_from,
)

from . import selectors as sel
from . import services
from .forms import ProgressForm, TargetForm

VIEW_PERMS = ("assessment.view_campaign", "assessment.view_campaigntarget")


def _year(request) -> tuple[int, str]:
    """(year, error): ``?year=`` between 2000 and 2100, else this year and a Chinese message."""
    raw = (request.GET.get("year") or "").strip()
    this_year = timezone.localdate().year
    if not raw:
        return this_year, ""
    if raw.isdigit() and 2000 <= int(raw) <= 2100:
        return int(raw), ""
    return this_year, f"年度应为 2000 到 2100 之间的整数（收到“{raw[:20]}”），以下显示 {this_year} 年"


class _YearMixin:
    def render_to_response(self, context, **kwargs):
        if context.get("year_error"):
            kwargs.setdefault("status", 400)
        return super().render_to_response(context, **kwargs)

    def year_context(self) -> dict:
        year, error = _year(self.request)
        this_year = timezone.localdate().year
        return {
            "year": year,
            "year_error": error,
            "years": list(range(this_year + 1, this_year - 5, -1)),
            "wide": user_sees_all_townships(self.request.user),
        }


class CampaignListView(_YearMixin, ScopedPageView):
    permission_required = VIEW_PERMS
    template_name = "assessment/campaigns/campaign_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(self.year_context())
        campaigns = list(sel.campaign_list(actor=self.request.user))
        context["rows"] = sel.campaign_progress(self.request.user, year=context["year"], campaigns=campaigns)
        return context


class CampaignDetailView(_YearMixin, ScopedDetailView):
    permission_required = VIEW_PERMS
    selector = staticmethod(sel.campaign_get)
    context_object_name = "campaign"
    template_name = "assessment/campaigns/campaign_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(self.year_context())
        rows = sel.campaign_progress(self.request.user, year=context["year"], campaigns=[self.object])
        context["row"] = rows[0] if rows else None
        context["can_change"] = self.request.user.has_perm("assessment.change_campaigntarget") and context["wide"]
        return context


def target_context(request, target, *, progress_form=None) -> dict:
    user = request.user
    year, error = _year(request)
    wide = user_sees_all_townships(user)
    entries, filter_errors = filtered_or_errors(
        lambda *, actor, filters=None: sel.progress_list(actor=actor, target=target, filters=filters),
        actor=user,
        filters=request.GET if request.method == "GET" else {"year": str(year)},
    )
    can_record = target.is_manual and wide and user.has_perm("assessment.add_campaignprogress")
    rows = sel.campaign_progress(user, year=year, campaigns=[target.campaign])
    progress = next(
        (tp for row in rows for tp in row.targets if tp.target.code == target.code),
        None,
    )
    return {
        "target": target,
        "object": target,
        "campaign": target.campaign,
        "year": year,
        "year_error": error,
        "wide": wide,
        "versions": sel.target_versions(target),
        "entries": list(entries[:200]),
        "filter_errors": filter_errors,
        "progress": progress,
        "can_change": wide and user.has_perm("assessment.change_campaigntarget"),
        "can_record": can_record,
        "progress_form": progress_form
        or (ProgressForm(initial={"year": year, "as_of": timezone.localdate()}) if can_record else None),
    }


class TargetDetailView(ScopedDetailView):
    permission_required = VIEW_PERMS
    selector = staticmethod(sel.target_get)
    template_name = "assessment/campaigns/target_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(target_context(self.request, self.object))
        return context

    def render_to_response(self, context, **kwargs):
        if context.get("year_error") or context.get("filter_errors"):
            kwargs.setdefault("status", 400)
        return super().render_to_response(context, **kwargs)


class TargetEditView(ScopedObjectMixin, ScopedFormView):
    permission_required = (*VIEW_PERMS, "assessment.change_campaigntarget")
    selector = staticmethod(sel.target_get)
    context_object_name = "target"
    template_name = "assessment/campaigns/target_form.html"
    form_class = TargetForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["current_measure"] = self.object.measure_code
        return kwargs

    def get_initial(self):
        t = self.object
        return {
            "label": t.label,
            "measure_code": t.measure_code,
            "target_value": "" if t.target_value is None else t.target_value.normalize(),
            "unit": t.unit,
            "scope": t.scope,
            "higher_is_better": t.higher_is_better,
            "effective_from": max(t.effective_from, timezone.localdate().replace(month=1, day=1)),
            "note": t.note,
        }

    def form_valid(self, form):
        try:
            written = services.target_update(actor=self.request.user, target_id=self.object.pk, data=form.cleaned_data)
        except OutOfScope:
            raise Http404 from None
        except DomainError as exc:
            form_errors_from(form, exc)
            return self.render_to_response(self.get_context_data(form=form), status=exc.status_code)
        if written.pk == self.object.pk:
            messages.success(self.request, "已更正现行目标")
        else:
            messages.success(self.request, f"已保存新版本目标，自 {written.effective_from:%Y-%m-%d} 起生效")
        return redirect("assessment:campaign_target", pk=written.pk)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


class ProgressCreateView(RowFormView):
    """POST a manual progress entry with its evidence; errors: the target page again with the form and the 4xx."""

    permission_required = (*VIEW_PERMS, "assessment.add_campaignprogress")
    selector = staticmethod(sel.target_get)
    template_name = "assessment/campaigns/target_detail.html"
    form_class = ProgressForm
    detail_url_name = "assessment:campaign_target"

    def detail_context(self, row, form) -> dict:
        return target_context(self.request, row, progress_form=form)

    def run(self, data):
        return services.progress_record(
            actor=self.request.user, target_id=self.object.pk, data=data, evidence=self.request.FILES.get("evidence")
        )

    def success_message(self, result) -> str:
        return f"已录入 {result.year} 年进展 {result.value.normalize()}"

    def success_url(self, result) -> str:
        return reverse("assessment:campaign_target", args=[self.object.pk]) + f"?year={result.year}#progress"


class ProgressEvidenceView(ScopedDetailView):
    permission_required = ("assessment.view_campaignprogress",)
    selector = staticmethod(sel.progress_get)

    def get(self, request, *args, **kwargs):
        e = self.object
        return uploads.file_response(e.evidence, e.content_type, f"campaign-progress-{e.pk}.{e.extension}")
