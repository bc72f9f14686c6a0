"""Pages of sampling/targeting: 靶向抽检建议 (list → choose → preview → confirm into plan lines), the weights
(list, new row with a preview), 风险会商 (list, detail, new meeting with decisions). Thin: selectors in, services out."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from apps.common.confirm import Confirm, is_confirmed
from apps.common.exceptions import DomainError
from apps.common.viewmixins import ScopedDetailView, ScopedListView, ScopedPageView
from apps.enterprises.models import Enterprise

from ..models import PlanLine
from . import selectors, services
from .filters import YEAR_MAX, YEAR_MIN, ConsultationMeetingFilterSet, SuggestionFilterSet
from .forms import AcceptForm, DecisionFormSet, MeetingForm, WeightsForm
from .mapping import mapping_gaps
from .ranking import REASON_CODES, REASON_LABELS


def _form_error(form, exc: DomainError) -> None:
    """A service error beside the field it names, else at the top of the form."""
    placed = False
    for key, msgs in (exc.fields or {}).items():
        if key in form.fields:
            for message in msgs if isinstance(msgs, list | tuple) else [msgs]:
                form.add_error(key, message)
                placed = True
    if not placed:
        form.add_error(None, exc.message)


def _year_of(raw, default: int) -> int:
    text = (raw or "").strip()
    if text.isascii() and text.isdigit() and YEAR_MIN <= int(text) <= YEAR_MAX:
        return int(text)
    return default


# ---------------------------------------------------------------------------------------------- suggestions
class SuggestionListView(ScopedListView):
    """The ranking through ``SuggestionFilterSet`` (the API's too): year, township, 大类; 25 a page, each with its
    reasons, weights and total. Staff who may add plan lines tick suggestions and preview them."""

    permission_required = "sampling.view_planline"
    selector = staticmethod(selectors.suggestion_list)
    filterset_class = SuggestionFilterSet
    paginate_by = 25
    template_name = "sampling/targeting/suggestion_list.html"

    def get_queryset(self):
        # the selector once (no unfiltered ranking computed just to show an error)
        try:
            rows, self.filter_errors = selectors.suggestion_list(actor=self.request.user, filters=self.request.GET), {}
        except ValidationError as exc:
            rows = selectors.SuggestionRanking()
            self.filter_errors = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        self.ranking = rows
        return rows

    def get_filter_form(self):
        return SuggestionFilterSet(self.request.GET, queryset=Enterprise.objects.none()).form

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        ranking = self.ranking
        year = ranking.year or _year_of(self.request.GET.get("year"), timezone.localdate().year)
        context.update(
            ranking=ranking,
            year=year,
            weights=ranking.weights,
            reason_labels=REASON_LABELS,
            can_accept=self.request.user.has_perm("sampling.add_planline"),
            can_weights=self.request.user.has_perm("sampling.view_suggestionweights"),
        )
        return context


class SuggestionAcceptView(ScopedPageView):
    """POST the ticked suggestions (``pick``): the preview (their reasons, the plan, month and batches to choose)
    with the confirm box; POST ``confirm=yes``: create the plan lines. A GET goes back to the list."""

    permission_required = "sampling.add_planline"
    template_name = "sampling/targeting/suggestion_accept.html"

    def get(self, request, *args, **kwargs):
        return redirect("sampling:suggestions")

    def post(self, request, *args, **kwargs):
        year = _year_of(request.POST.get("year"), timezone.localdate().year)
        keys = request.POST.getlist("pick") or [k for k in (request.POST.get("keys") or "").split(",") if k]
        keys = list(dict.fromkeys(k.strip() for k in keys if k.strip()))[: services.ACCEPT_MAX + 1]
        back = f"{reverse('sampling:suggestions')}?year={year}"
        if not keys:
            messages.warning(request, "请先勾选要采纳的建议")
            return redirect(back)
        plans = selectors.open_plans(year)
        form = AcceptForm(request.POST if is_confirmed(request) else None, year=year, plans=plans)
        failed = False
        if is_confirmed(request):
            if form.is_valid():
                try:
                    lines = services.suggestions_accept(
                        actor=request.user,
                        year=year,
                        keys=keys,
                        plan_id=form.cleaned_data["plan"].pk,
                        month=form.cleaned_data["month"],
                        batches=form.cleaned_data["batches"],
                    )
                except DomainError as exc:
                    _form_error(form, exc)
                else:
                    messages.success(
                        request,
                        f"已将 {len(lines)} 条靶向建议列入“{form.cleaned_data['plan'].name}”"
                        f"（{form.cleaned_data['month']} 月，每条 {form.cleaned_data['batches']} 批）。",
                    )
                    return redirect(back)
            failed = True
        ranking, bad = selectors.suggestions_for_keys(actor=request.user, year=year, keys=keys)
        blockers = []
        if bad:
            blockers.append(
                f"有 {len(bad)} 条所选建议已不存在、不在您的管辖范围内或已列入本年度计划，请返回列表重新选择。"
            )
        if len(keys) > services.ACCEPT_MAX:
            blockers.append(f"一次最多采纳 {services.ACCEPT_MAX} 条建议。")
        if not plans.exists():
            blockers.append(f"尚无 {year} 年编制中或已下达的抽检计划，请先新建计划。")
        confirm = Confirm(
            title=f"确认将 {len(ranking)} 条靶向建议列入 {year} 年抽检计划",
            action=reverse("sampling:suggestion_accept"),
            button="确认列入计划",
            cancel_url=back,
            consequences=[
                f"在所选计划中新增 {len(ranking)} 条计划明细：来源“靶向抽检”，编制依据“采纳靶向建议”，"
                "镇街、抽检大类和被抽样单位取自建议。",
                "每条明细保存建议的各项理由、原始值、得分和权重（按确认时的数据重新计算）。",
                "已列入计划的建议不再出现在本年度的建议列表中；如需撤回，请在计划中删除该明细。",
            ],
            blockers=blockers,
            hidden={"year": year, "keys": ",".join(keys)},
            form=form,
            tone="success",
        )
        return self.render_to_response(
            {"ranking": ranking, "bad": bad, "year": year, "confirm": confirm, "reason_labels": REASON_LABELS},
            status=400 if failed else 200,
        )


# ---------------------------------------------------------------------------------------------- weights
class WeightsListView(ScopedListView):
    permission_required = "sampling.view_suggestionweights"
    selector = staticmethod(selectors.weights_list)
    paginate_by = 20
    template_name = "sampling/targeting/weights_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        current = selectors.weights_in_force(today)
        for row in context["page"]:
            row.is_current = row.pk == current.row_id
            row.is_future = row.effective_from > today
            row.total = sum(getattr(row, code) for code in REASON_CODES)
        majors = selectors.Catalogue.load().major_ids_by_name
        context.update(
            current=current,
            reason_codes=REASON_CODES,
            reason_labels=REASON_LABELS,
            gaps=mapping_gaps(majors),
            major_count=len(majors),
            can_add=self.request.user.has_perm("sampling.add_suggestionweights"),
        )
        return context


class WeightsCreateView(ScopedPageView):
    """GET: the form (today's weights as the starting point); POST: the preview beside the weights in force, with
    the confirm box; POST ``confirm=yes``: save."""

    permission_required = "sampling.add_suggestionweights"
    template_name = "sampling/targeting/weights_form.html"

    def _initial(self) -> dict:
        today = timezone.localdate()
        current = selectors.weights_in_force(today)
        return {code: current.weight(code) for code in REASON_CODES} | {
            "history_years": current.history_years,
            "effective_from": today,
        }

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self._context(WeightsForm(initial=self._initial())))

    def post(self, request, *args, **kwargs):
        form = WeightsForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self._context(form), status=400)
        if is_confirmed(request):
            try:
                row = services.weights_create(actor=request.user, **form.cleaned_data)
            except DomainError as exc:
                _form_error(form, exc)
                return self.render_to_response(self._context(form), status=400)
            messages.success(request, f"已保存靶向抽检权重，自 {row.effective_from:%Y-%m-%d} 起生效。")
            return redirect("sampling:suggestion_weights")
        data = form.cleaned_data
        confirm = Confirm(
            title="确认保存新的靶向抽检权重",
            action=reverse("sampling:suggestion_weights_create"),
            button="确认保存",
            cancel_url=reverse("sampling:suggestion_weights"),
            consequences=[
                f"自 {data['effective_from']:%Y-%m-%d} 起，靶向抽检建议按这组权重排序（之前的排名保留当时的权重）。",
                "权重记录保存后不能修改或删除；如需调整，请再新增一条更晚生效的权重。",
            ],
            hidden={name: form.data.get(name, "") for name in form.fields},
        )
        return self.render_to_response(self._context(form, confirm=confirm))

    def _context(self, form, confirm=None) -> dict:
        today = timezone.localdate()
        current = selectors.weights_in_force(today)
        preview = None
        if confirm is not None:
            preview = [
                (REASON_LABELS[code], current.weight(code), form.cleaned_data[code]) for code in REASON_CODES
            ] + [("回溯年数", current.history_years, form.cleaned_data["history_years"])]
        return {
            "form": form,
            "confirm": confirm,
            "current": current,
            "preview": preview,
            "reason_codes": REASON_CODES,
        }


# ---------------------------------------------------------------------------------------------- 风险会商
class MeetingListView(ScopedListView):
    permission_required = "sampling.view_consultationmeeting"
    selector = staticmethod(selectors.meeting_list)
    filterset_class = ConsultationMeetingFilterSet
    paginate_by = 20
    template_name = "sampling/targeting/meeting_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_add"] = self.request.user.has_perm("sampling.add_consultationmeeting")
        return context


class MeetingDetailView(ScopedDetailView):
    permission_required = "sampling.view_consultationmeeting"
    selector = staticmethod(selectors.meeting_get)
    context_object_name = "meeting"
    template_name = "sampling/targeting/meeting_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["decisions"] = list(self.object.decisions.all())
        return context


class MeetingCreateView(ScopedPageView):
    """GET: the meeting form and three decision rows (up to 20); POST: the preview of what the decisions do to the
    plan (lines added, lines changed before → after) with the confirm box; POST ``confirm=yes``: record."""

    permission_required = "sampling.add_consultationmeeting"
    template_name = "sampling/targeting/meeting_form.html"

    def get(self, request, *args, **kwargs):
        form = MeetingForm(initial={"held_on": timezone.localdate()})
        formset = DecisionFormSet(prefix="decisions")
        rows = request.GET.get("rows", "")
        if rows.isascii() and rows.isdigit() and len(rows) < 4:
            formset.extra = max(1, min(int(rows), services.DECISIONS_MAX))
        return self.render_to_response(
            {"form": form, "formset": formset, "more_rows": min(formset.extra + 3, services.DECISIONS_MAX)}
        )

    def post(self, request, *args, **kwargs):
        form = MeetingForm(request.POST)
        formset = DecisionFormSet(request.POST, prefix="decisions")
        if not (form.is_valid() and formset.is_valid()):
            return self.render_to_response({"form": form, "formset": formset}, status=400)
        decisions = formset.decisions()
        if is_confirmed(request):
            try:
                meeting = services.meeting_create(actor=request.user, decisions=decisions, **form.cleaned_data)
            except DomainError as exc:
                self._place(exc, form, formset)
                return self.render_to_response({"form": form, "formset": formset}, status=400)
            messages.success(request, f"会商记录已保存（{len(decisions)} 项决定）。")
            return redirect("sampling:meeting_detail", pk=meeting.pk)
        preview, problems = self._preview(formset)
        confirm = Confirm(
            title="确认保存会商记录",
            action=reverse("sampling:meeting_create"),
            button="确认保存",
            cancel_url=reverse("sampling:meetings"),
            consequences=[
                f"保存会商记录和 {len(decisions)} 项决定；会商记录保存后不能修改。",
                "“新增计划明细”的决定在所选计划中新增明细（编制依据“风险会商决定”）；"
                "“调整计划明细”的决定按上表修改该明细。每项变化记入审计日志。",
            ],
            blockers=problems,
            hidden={k: v for k, v in request.POST.items() if k not in ("csrfmiddlewaretoken", "confirm")},
        )
        return self.render_to_response({"form": form, "formset": formset, "confirm": confirm, "preview": preview})

    def _preview(self, formset) -> tuple[list[dict], list[str]]:
        """What each decision will do, read (not written): the new line, or the line before and after."""
        filled = [f for f in formset.forms if f.has_changed()]
        ids = [f.cleaned_data["line"] for f in filled if f.cleaned_data.get("kind") == "change"]
        lines = {
            line.pk: line
            for line in PlanLine.objects.visible_to(self.request.user)
            .filter(pk__in=ids)
            .select_related("plan", "township", "category")
        }
        rows, problems = [], []
        for index, f in enumerate(filled, start=1):
            data = f.cleaned_data
            row = {"index": index, "data": data, "kind_label": services.DECISION_KINDS[data.get("kind") or "none"]}
            if data.get("kind") == "change":
                row["line"] = lines.get(data["line"])
                if row["line"] is None:
                    problems.append(f"第 {index} 项决定：计划明细 {data['line']} 不存在或不在您的管辖范围内")
            rows.append(row)
        return rows, problems

    @staticmethod
    def _place(exc: DomainError, form, formset) -> None:
        placed = False
        for key, msgs in (exc.fields or {}).items():
            parts = key.split("-")
            if len(parts) == 3 and parts[0] == "decisions" and parts[1].isdigit():
                index, name = int(parts[1]), parts[2]
                forms_ = [f for f in formset.forms if f.has_changed()]
                if index < len(forms_):
                    target = forms_[index]
                    for message in msgs:
                        target.add_error(name if name in target.fields else None, message)
                    placed = True
            elif key in form.fields:
                for message in msgs:
                    form.add_error(key, message)
                placed = True
        if not placed:
            form.add_error(None, exc.message)
