"""Plan form and stratum formset for the city staff pages (Chinese labels; choices limited to the actor's scope)."""

from decimal import Decimal

from django import forms
from django.core.validators import MaxLengthValidator
from django.forms import formset_factory
from django.utils import timezone

from apps.accounts.models import Township
from apps.enterprises.models import BusinessType
from apps.standards.models import CheckItem

from ..models import DrawPlan
from ..models.draws import MAX_STRATA, PLAN_YEAR_MAX, PLAN_YEAR_MIN, STRATUM_COUNT_MAX
from .services import PLAN_FIELDS, PLAN_M2M

GRADE_CHOICES = [(g, f"{g} 级") for g in "ABCD"]
CREDIT_CHOICES = [(c, f"{c} 类") for c in "ABCD"]
DESCRIPTION_MAX = 2000


class PlanForm(forms.ModelForm):
    scheduled_at = forms.DateTimeField(
        label="计划抽取时间",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M"],
        help_text="到时由系统自动抽取；留空则承诺后由工作人员点击“执行抽取”",
    )
    task_due_date = forms.DateField(
        label="检查完成期限", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    randomness_date = forms.DateField(
        label="公开随机数日期",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="开奖或公开抽取会的日期，不能早于抽取日；留空表示计划抽取日。此日之前不能录入公开随机数",
    )

    class Meta:
        model = DrawPlan
        fields = [*PLAN_FIELDS, *PLAN_M2M]  # what the plan services write (the template places each field)
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "townships": forms.CheckboxSelectMultiple,
            "business_types": forms.CheckboxSelectMultiple,
            "check_items": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["townships"].queryset = Township.objects.filter(is_active=True).order_by("order")
        self.fields["business_types"].queryset = BusinessType.objects.filter(is_active=True).order_by("order")
        self.fields["check_items"].queryset = CheckItem.objects.active().order_by("order", "code")
        self.fields["townships"].help_text = "不选表示全市"
        self.fields["business_types"].help_text = "不选表示全部业态；选上级业态包含其下级"
        # the browser gets the same bounds as the model validators (which give the Chinese messages)
        for name in ("year", "exclude_inspected_months", "inspectors_per_task", "load_cap"):
            for validator in self.fields[name].validators:
                kind = {"min_value": "min", "max_value": "max"}.get(getattr(validator, "code", ""))
                if kind and isinstance(validator.limit_value, int):
                    self.fields[name].widget.attrs[kind] = validator.limit_value
        # hrs-v2: a form posted without the source keeps the default (witnesses at the public draw session)
        self.fields["randomness_kind"].required = False
        self.fields["year"].error_messages["invalid"] = "年度请填写四位数字，如 2026"
        self.fields["description"].validators.append(
            MaxLengthValidator(DESCRIPTION_MAX, message=f"说明最多 {DESCRIPTION_MAX} 个字")
        )
        self.fields["description"].widget.attrs["maxlength"] = DESCRIPTION_MAX
        for field in self.fields.values():
            if isinstance(field.widget, (forms.CheckboxInput, forms.CheckboxSelectMultiple)):
                continue
            field.widget.attrs.setdefault("class", "form-control")

    def _in_year_range(self, name: str, value):
        if value is not None and not (PLAN_YEAR_MIN <= value.year <= PLAN_YEAR_MAX):
            raise forms.ValidationError(f"{self.fields[name].label}应在 {PLAN_YEAR_MIN}–{PLAN_YEAR_MAX} 年之间")
        return value

    def clean_task_due_date(self):
        value = self._in_year_range("task_due_date", self.cleaned_data.get("task_due_date"))
        if value is not None and value < timezone.localdate():
            raise forms.ValidationError("检查完成期限不能早于今天")
        return value

    def clean_randomness_kind(self):
        return self.cleaned_data.get("randomness_kind") or DrawPlan._meta.get_field("randomness_kind").default

    def clean_randomness_date(self):
        value = self._in_year_range("randomness_date", self.cleaned_data.get("randomness_date"))
        if value is not None and value < timezone.localdate():
            raise forms.ValidationError("公开随机数日期不能早于今天（承诺时必须还没有人知道这个数）")
        return value

    def clean_scheduled_at(self):
        return self._in_year_range("scheduled_at", self.cleaned_data.get("scheduled_at"))


def stratum_choices() -> dict[str, list[tuple[str, str]]]:
    """The township and business-type choices of a stratum form, read once per formset (not once per form)."""
    return {
        "townships": list(Township.objects.filter(is_active=True).order_by("order").values_list("code", "name")),
        "business_types": list(
            BusinessType.objects.filter(is_active=True).order_by("order").values_list("code", "name")
        ),
    }


class StratumForm(forms.Form):
    label = forms.CharField(label="分层名称", max_length=100, required=False)
    key = forms.CharField(
        label="分层代码", max_length=64, required=False, help_text="留空自动生成；公开校验时使用，不能含“|”"
    )
    grades = forms.MultipleChoiceField(
        label="风险等级", choices=GRADE_CHOICES, required=False, widget=forms.CheckboxSelectMultiple
    )
    credit_classes = forms.MultipleChoiceField(
        label="信用风险分类", choices=CREDIT_CHOICES, required=False, widget=forms.CheckboxSelectMultiple
    )
    townships = forms.MultipleChoiceField(label="镇街", required=False, widget=forms.CheckboxSelectMultiple)
    business_types = forms.MultipleChoiceField(label="业态", required=False, widget=forms.CheckboxSelectMultiple)
    percent = forms.DecimalField(
        label="抽取比例（%）", required=False, min_value=Decimal("0.01"), max_value=100, decimal_places=2
    )
    count = forms.IntegerField(
        label="或抽取户数",
        required=False,
        min_value=0,
        max_value=STRATUM_COUNT_MAX,
        error_messages={
            "min_value": f"抽取户数应在 0–{STRATUM_COUNT_MAX} 之间",
            "max_value": f"抽取户数应在 0–{STRATUM_COUNT_MAX} 之间",
            "invalid": "抽取户数请填写整数",
        },
    )

    def __init__(self, *args, choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = choices or stratum_choices()
        self.fields["townships"].choices = choices["townships"]
        self.fields["business_types"].choices = choices["business_types"]
        self.fields["percent"].error_messages.update(
            min_value="抽取比例应在 0.01%%–100%% 之间",  # %% : Django formats these messages with %
            max_value="抽取比例应在 0.01%%–100%% 之间",
            max_decimal_places="抽取比例最多两位小数",
            invalid="抽取比例请填写数字",
        )
        for name in ("label", "key", "percent", "count"):
            self.fields[name].widget.attrs.setdefault("class", "form-control")

    def clean(self):
        data = super().clean()
        used = any(data.get(f) for f in ("label", "key", "grades", "credit_classes", "townships", "business_types"))
        has_percent, has_count = data.get("percent") is not None, data.get("count") is not None
        if (used or has_percent or has_count) and has_percent == has_count:
            raise forms.ValidationError("每个分层请填写抽取比例或抽取户数中的一项")
        if "|" in (data.get("key") or ""):
            self.add_error("key", "分层代码不能包含“|”")
        return data

    def to_stratum(self, index: int) -> dict | None:
        data = self.cleaned_data
        if not data or (data.get("percent") is None and data.get("count") is None):
            return None
        return {
            "key": (data.get("key") or "").strip() or f"s{index + 1}",
            "label": (data.get("label") or "").strip(),
            "filter": {
                "grades": data.get("grades") or [],
                "credit_classes": data.get("credit_classes") or [],
                "townships": data.get("townships") or [],
                "business_types": data.get("business_types") or [],
            },
            "proportion": None if data.get("percent") is None else data["percent"] / 100,
            "count": data.get("count"),
        }


class BaseStratumFormSet(forms.BaseFormSet):
    default_error_messages = {
        "too_many_forms": f"最多 {MAX_STRATA} 个分层",
        "too_few_forms": "至少需要一个分层",
        "missing_management_form": "分层数据不完整，请刷新页面后重新填写",
    }

    def __init__(self, *args, **kwargs):
        kwargs["form_kwargs"] = {**(kwargs.get("form_kwargs") or {}), "choices": stratum_choices()}
        super().__init__(*args, **kwargs)


# absolute_max = max_num: a forged TOTAL_FORMS (100000) builds at most 12 forms and is refused (validate_max).
StratumFormSet = formset_factory(
    StratumForm,
    formset=BaseStratumFormSet,
    extra=0,
    min_num=1,
    max_num=MAX_STRATA,
    absolute_max=MAX_STRATA,
    validate_max=True,
    validate_min=True,
)


def strata_initial(plan) -> list[dict]:
    return [
        {
            "key": s.key,
            "label": s.label,
            "grades": (s.filter or {}).get("grades", []),
            "credit_classes": (s.filter or {}).get("credit_classes", []),
            "townships": (s.filter or {}).get("townships", []),
            "business_types": (s.filter or {}).get("business_types", []),
            "percent": None if s.proportion is None else (s.proportion * 100).normalize(),
            "count": s.count,
        }
        for s in plan.strata.all()
    ]


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="理由",
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        max_length=1000,
        error_messages={"max_length": "理由最多 1000 个字", "required": "请填写理由"},
    )


class DecisionForm(forms.Form):
    note = forms.CharField(
        label="审批意见",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control"}),
        error_messages={"max_length": "审批意见最多 200 个字"},
    )


class PublicValueForm(forms.Form):
    """hrs-v2: the public value(s) — one per line (a lottery result on one line; one line per witness)."""

    values = forms.CharField(
        label="公开随机数（每行一个）",
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control", "autocomplete": "off"}),
        max_length=5000,
        help_text="开奖号码照公告原样录入一行，如“03 07 12 19 25 31 + 09”；公开抽取会上每位见证人各录入一行",
        error_messages={"required": "请录入公开随机数", "max_length": "内容过长"},
    )
    witnesses = forms.CharField(
        label="见证人（每行一个，与上面的数值一一对应）",
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        required=False,
        max_length=2000,
        error_messages={"max_length": "内容过长"},
    )

    @staticmethod
    def lines(text: str) -> list[str]:
        return [line for line in (text or "").splitlines() if line.strip()]
