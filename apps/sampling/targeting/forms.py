"""Forms of sampling/targeting pages: accepting suggestions, a new weights row, a 风险会商 meeting and its decisions
(a capped formset). Chinese labels and messages; the bounds are the services' (which check them again)."""

from django import forms
from django.forms import formset_factory
from django.utils import timezone

from apps.accounts.models import Township
from apps.standards.models import SamplingCategory

from ..choices import LineSource, PlanStatus
from ..models import SamplingPlan
from . import services
from .ranking import REASON_LABELS

MONTH_CHOICES = [(m, f"{m} 月") for m in range(1, 13)]


def _int_field(label, low, high, *, required=True, initial=None, help_text=""):
    message = f"{label}应为 {low}–{high} 的整数"
    return forms.IntegerField(
        label=label,
        min_value=low,
        max_value=high,
        required=required,
        initial=initial,
        help_text=help_text,
        error_messages={
            "required": f"请填写{label}",
            "invalid": message,
            "min_value": message,
            "max_value": message,
        },
        widget=forms.NumberInput(attrs={"class": "form-control", "min": low, "max": high, "inputmode": "numeric"}),
    )


def _plan_label(plan) -> str:
    return f"{plan.year} 年 · {plan.name}（{plan.get_purpose_display()}，{plan.get_status_display()}）"


class PlanChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _plan_label(obj)


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{'　' * (obj.level - 1)}{obj.code} {obj.name}"


class AcceptForm(forms.Form):
    plan = PlanChoiceField(
        label="列入计划",
        queryset=SamplingPlan.objects.none(),
        empty_label=None,
        error_messages={"required": "请选择抽检计划", "invalid_choice": "所选计划不存在或已结束，请重新选择"},
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    month = forms.TypedChoiceField(
        label="抽样月份",
        choices=MONTH_CHOICES,
        coerce=int,
        error_messages={"required": "请选择月份", "invalid_choice": "月份应为 1–12"},
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    batches = _int_field("每条批次", 1, services.ACCEPT_BATCHES_MAX, initial=1)

    def __init__(self, *args, year: int, plans=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = plans if plans is not None else SamplingPlan.objects.none()
        today = timezone.localdate()
        self.fields["month"].initial = today.month if year == today.year else 1


class WeightsForm(forms.Form):
    effective_from = forms.DateField(
        label="生效日期",
        help_text="不早于今天；该日及以后的排名使用这组权重",
        error_messages={"required": "请填写生效日期", "invalid": "生效日期格式应为 年-月-日，如 2027-01-01"},
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
    )
    grade = _int_field("风险等级权重", 0, services.WEIGHT_MAX)
    unqualified = _int_field("既往不合格权重", 0, services.WEIGHT_MAX)
    complaints = _int_field("投诉举报权重", 0, services.WEIGHT_MAX)
    staleness = _int_field("距上次抽检时间权重", 0, services.WEIGHT_MAX)
    hazard = _int_field("品类风险权重", 0, services.WEIGHT_MAX)
    history_years = _int_field("回溯年数", *services.HISTORY_YEARS, help_text="既往不合格、投诉和抽检间隔看最近几年")
    note = forms.CharField(
        label="说明",
        required=False,
        max_length=services.NOTE_MAX,
        error_messages={"max_length": f"说明最多 {services.NOTE_MAX} 个字"},
        widget=forms.TextInput(attrs={"class": "form-control", "maxlength": services.NOTE_MAX}),
    )

    WEIGHT_FIELDS = tuple(REASON_LABELS)

    def clean(self):
        data = super().clean()
        if all(data.get(name) == 0 for name in self.WEIGHT_FIELDS):
            raise forms.ValidationError("权重不能全为 0")
        return data


class MeetingForm(forms.Form):
    held_on = forms.DateField(
        label="会商日期",
        error_messages={"required": "请填写会商日期", "invalid": "会商日期格式应为 年-月-日"},
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
    )
    title = forms.CharField(
        label="会商主题",
        max_length=services.TITLE_MAX,
        error_messages={"required": "请填写会商主题", "max_length": f"会商主题最多 {services.TITLE_MAX} 个字"},
        widget=forms.TextInput(attrs={"class": "form-control", "maxlength": services.TITLE_MAX}),
    )
    participants = forms.CharField(
        label="参会单位与人员",
        max_length=services.TEXT_MAX,
        error_messages={"required": "请填写参会单位与人员", "max_length": f"最多 {services.TEXT_MAX} 个字"},
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 2}),
    )
    summary = forms.CharField(
        label="会商纪要",
        max_length=services.TEXT_MAX,
        error_messages={"required": "请填写会商纪要", "max_length": f"最多 {services.TEXT_MAX} 个字"},
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 4}),
    )

    def clean_held_on(self):
        value = self.cleaned_data["held_on"]
        if value > timezone.localdate():
            raise forms.ValidationError("会商日期不能晚于今天")
        return value


def open_plan_queryset():
    return SamplingPlan.objects.filter(status__in=[PlanStatus.DRAFT, PlanStatus.APPROVED]).order_by(
        "-year", "purpose", "name"
    )


class DecisionForm(forms.Form):
    text = forms.CharField(
        label="决定事项",
        max_length=services.TEXT_MAX,
        required=False,
        error_messages={"max_length": f"决定事项最多 {services.TEXT_MAX} 个字"},
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 2}),
    )
    kind = forms.ChoiceField(
        label="对计划的影响",
        choices=list(services.DECISION_KINDS.items()),
        initial="none",
        error_messages={"invalid_choice": "请选择对计划的影响"},
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    plan = PlanChoiceField(
        label="新增到计划",
        queryset=SamplingPlan.objects.none(),
        required=False,
        empty_label="（新增时选择）",
        error_messages={"invalid_choice": "所选计划不存在或已结束"},
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    township = forms.ModelChoiceField(
        label="镇街",
        queryset=Township.objects.none(),
        required=False,
        empty_label="（新增时选择）",
        error_messages={"invalid_choice": "所选镇街不存在"},
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    line = _int_field("调整的计划明细编号", 1, 2**63 - 1, required=False, help_text="计划明细页上的编号（调整时填写）")
    category = CategoryChoiceField(
        label="抽检分类",
        queryset=SamplingCategory.objects.none(),
        required=False,
        empty_label="（不选）",
        error_messages={"invalid_choice": "所选抽检分类不存在或已停用"},
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    month = forms.TypedChoiceField(
        label="月份",
        choices=[("", "（不选）"), *MONTH_CHOICES],
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={"invalid_choice": "月份应为 1–12"},
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    batches = _int_field("批次", 1, 100000, required=False)
    source = forms.ChoiceField(
        label="来源",
        choices=LineSource.choices,
        initial=LineSource.TARGETED,
        required=False,
        error_messages={"invalid_choice": "来源无效"},
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args, choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = choices or decision_choices()
        self.fields["plan"].queryset = choices["plans"]
        self.fields["township"].queryset = choices["townships"]
        self.fields["category"].queryset = choices["categories"]

    def has_changed(self):
        # an untouched extra form (text empty, kind left at 仅记录) is no decision, whatever the selects default to
        data = {name: self[name].value() for name in ("text", "kind", "plan", "township", "line", "category")}
        data |= {name: self[name].value() for name in ("month", "batches")}
        return any(v not in (None, "", "none") for v in data.values())

    def clean(self):
        data = super().clean()
        if not self.has_changed():
            return data
        if not (data.get("text") or "").strip() and "text" not in self.errors:
            self.add_error("text", "请填写决定事项")
        kind = data.get("kind")
        if kind == "add":
            for name, message in (
                ("plan", "新增明细请选择计划"),
                ("township", "新增明细请选择镇街"),
                ("category", "新增明细请选择抽检分类"),
                ("month", "新增明细请选择月份"),
                ("batches", "新增明细请填写批次"),
            ):
                if data.get(name) in (None, "") and name not in self.errors:
                    self.add_error(name, message)
        elif kind == "change":
            if data.get("line") is None and "line" not in self.errors:
                self.add_error("line", "调整明细请填写计划明细编号")
            if all(data.get(n) in (None, "") for n in ("category", "month", "batches")) and not self.errors:
                self.add_error("batches", "请填写要调整的批次、月份或抽检分类")
        return data

    def to_decision(self) -> dict | None:
        if not self.has_changed():
            return None
        data = self.cleaned_data
        kind = data.get("kind") or "none"
        out = {"text": data.get("text") or "", "kind": kind}
        if kind == "add":
            out |= {
                "plan_id": data["plan"].pk,
                "township_id": data["township"].pk,
                "category_id": data["category"].pk,
                "month": data["month"],
                "batches": data["batches"],
                "source": data.get("source") or LineSource.TARGETED,
            }
        elif kind == "change":
            out |= {
                "line_id": data["line"],
                "category_id": data["category"].pk if data.get("category") else None,
                "month": data.get("month"),
                "batches": data.get("batches"),
            }
        return out


def decision_choices() -> dict:
    """The select choices of a decision form, built once per formset (the querysets are evaluated per form)."""
    return {
        "plans": open_plan_queryset(),
        "townships": Township.objects.filter(is_active=True).order_by("order"),
        "categories": SamplingCategory.objects.filter(is_active=True).order_by("order", "code"),
    }


class BaseDecisionFormSet(forms.BaseFormSet):
    default_error_messages = {
        "too_many_forms": f"一次会商最多记录 {services.DECISIONS_MAX} 项决定",
        "missing_management_form": "决定事项数据不完整，请刷新页面后重新填写",
    }

    def __init__(self, *args, **kwargs):
        kwargs["form_kwargs"] = {**(kwargs.get("form_kwargs") or {}), "choices": decision_choices()}
        super().__init__(*args, **kwargs)

    def decisions(self) -> list[dict]:
        return [d for d in (form.to_decision() for form in self.forms) if d is not None]


# absolute_max = max_num: a forged TOTAL_FORMS (100000) builds at most DECISIONS_MAX forms and is refused.
DecisionFormSet = formset_factory(
    DecisionForm,
    formset=BaseDecisionFormSet,
    extra=3,
    max_num=services.DECISIONS_MAX,
    absolute_max=services.DECISIONS_MAX,
    validate_max=True,
)
