"""Forms of sampling/plans. They check shape and bounds with Chinese messages; the services check again (they are
the rule) and a ``DomainError`` naming a field lands beside that field (``errors_onto``)."""

from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator

from apps.enterprises.models import BusinessType
from apps.standards.models import SamplingCategory

from ..choices import LineSource, SamplingPurpose
from . import quotas

YEAR_MIN, YEAR_MAX = 2000, 2100


def _year_field(**kwargs):
    return forms.IntegerField(
        label="年度",
        min_value=YEAR_MIN,
        max_value=YEAR_MAX,
        error_messages={
            "invalid": "年度应为整数",
            "min_value": f"年度应在 {YEAR_MIN}–{YEAR_MAX} 之间",
            "max_value": f"年度应在 {YEAR_MIN}–{YEAR_MAX} 之间",
            "required": "请填写年度",
        },
        widget=forms.NumberInput(attrs={"class": "form-control", "inputmode": "numeric"}),
        **kwargs,
    )


def errors_onto(form, exc) -> None:
    """A service's ``DomainError`` shown on the form: on its field when the form has it, else above the form."""
    placed = False
    for name, messages in (exc.fields or {}).items():
        if name in form.fields:
            for message in messages:
                form.add_error(name, message)
            placed = True
    if not placed:
        form.add_error(None, exc.message)


class BootstrapMixin:
    def full_clean(self):
        super().full_clean()
        for name in self.errors:  # the field with a message is marked (red border, read out by screen readers)
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = f"id_{self.add_prefix(name)}-error"

    def _style(self):
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")


# ------------------------------------------------------------------------------------------------ quota page
class _ListedTownshipField(forms.ModelChoiceField):
    """A township chosen from the list the form has already read (``listed``): the choice is checked against those
    rows instead of a second query for the chosen one. Anything else is the field's ``invalid_choice``."""

    listed: list = ()

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            key = int(str(value).strip())
        except (TypeError, ValueError):
            key = None
        for township in self.listed:
            if township.pk == key:
                return township
        raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")


class QuotaQueryForm(BootstrapMixin, forms.Form):
    """?year=&township= of the quota page; empty fields are "this year" and "the overview / my township".
    ``townships``: the townships the actor sees (read once; the page lists them too)."""

    year = _year_field(required=False)
    township = _ListedTownshipField(
        label="镇街",
        queryset=None,
        required=False,
        empty_label="全部镇街（概览）",
        error_messages={"invalid_choice": "镇街不存在或不在您的管辖范围内"},
    )
    fresh = forms.BooleanField(label="重新统计", required=False)  # ?fresh=1: compute the figures now

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["township"]
        field.queryset = quotas.visible_townships(actor)
        self.townships = field.listed = list(field.queryset)
        self._style()


# ------------------------------------------------------------------------------------------------ rates
class QuotaRateForm(BootstrapMixin, forms.Form):
    year = _year_field()
    food_rate = forms.DecimalField(
        label="食品抽检（批次/千人）",
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        error_messages={
            "invalid": "请填写数字",
            "max_decimal_places": "最多两位小数",
            "max_digits": "数字过大",
            "required": "请填写食品抽检标准",
        },
        help_text="默认 4.5（海宁实施意见：每千人每年不少于 4.5 批次）",
    )
    monitoring_rate = forms.DecimalField(
        label="风险监测（批次/千人）",
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        error_messages={
            "invalid": "请填写数字",
            "max_decimal_places": "最多两位小数",
            "max_digits": "数字过大",
            "required": "请填写风险监测标准",
        },
        help_text="默认 1（每千人每年不少于 1 个样品）",
    )
    routine_share = forms.IntegerField(label="自评抽检占比（%）", min_value=0, max_value=100)
    targeted_share = forms.IntegerField(label="靶向抽检占比（%）", min_value=0, max_value=100)
    vote_share = forms.IntegerField(label="你点我检占比（%）", min_value=0, max_value=100)
    effective_from = forms.DateField(
        label="生效日期",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="不填为该年 1 月 1 日",
        error_messages={"invalid": "日期格式应为 YYYY-MM-DD"},
    )
    note = forms.CharField(label="依据/说明", max_length=200, required=False)

    def __init__(self, *args, instance=None, **kwargs):
        self.instance = instance
        if instance is not None:
            kwargs.setdefault(
                "initial",
                {
                    "year": instance.year,
                    "food_rate": instance.food_rate,
                    "monitoring_rate": instance.monitoring_rate,
                    "routine_share": instance.routine_share,
                    "targeted_share": instance.targeted_share,
                    "vote_share": instance.vote_share,
                    "effective_from": instance.effective_from,
                    "note": instance.note,
                },
            )
        super().__init__(*args, **kwargs)
        for name in ("routine_share", "targeted_share", "vote_share"):
            label = self.fields[name].label.removesuffix("（%）")
            self.fields[name].error_messages.update(
                {
                    "invalid": f"{label}应为整数",
                    "min_value": f"{label}应在 0–100 之间",
                    "max_value": f"{label}应在 0–100 之间",
                    "required": f"请填写{label}",
                }
            )
        for name in ("food_rate", "monitoring_rate"):
            self.fields[name].validators = [
                MinValueValidator(Decimal("0"), message="应在 0–100 之间"),
                MaxValueValidator(Decimal("100"), message="应在 0–100 之间"),
            ]
        if instance is not None:
            self.fields["year"].disabled = True
        self._style()

    def clean(self):
        data = super().clean()
        shares = [data.get(n) for n in ("routine_share", "targeted_share", "vote_share")]
        if all(s is not None for s in shares) and sum(shares) != 100:
            self.add_error("routine_share", f"三项来源占比之和应为 100%（现为 {sum(shares)}%）")
        return data


# ------------------------------------------------------------------------------------------------ plans
class PlanCreateForm(BootstrapMixin, forms.Form):
    year = _year_field()
    purpose = forms.ChoiceField(label="任务类别", choices=SamplingPurpose.choices)
    name = forms.CharField(label="计划名称", max_length=120, required=False, help_text="不填按年度和任务类别命名")
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


GENERATE_PURPOSES = [
    (SamplingPurpose.SUPERVISORY, "监督抽检（食品抽检配额，按自评/靶向/你点我检分解）"),
    (SamplingPurpose.MONITORING, "风险监测（风险监测配额）"),
]


class PlanGenerateForm(BootstrapMixin, forms.Form):
    year = _year_field()
    purpose = forms.ChoiceField(label="计划类别", choices=GENERATE_PURPOSES)
    weighting = forms.ChoiceField(
        label="按品类分解方式", choices=list(quotas.WEIGHTINGS.items()), initial=quotas.DEFAULT_WEIGHTING
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["purpose"].error_messages["invalid_choice"] = "计划类别无效"
        self.fields["weighting"].error_messages["invalid_choice"] = "分解方式无效"
        self._style()


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{'　' * (obj.level - 1)}{obj.get_level_display()}：{obj.name}"


class PlanLineForm(BootstrapMixin, forms.Form):
    township = forms.ModelChoiceField(
        label="镇街",
        queryset=None,
        error_messages={"invalid_choice": "镇街不存在或不在您的管辖范围内", "required": "请选择镇街"},
    )
    category = CategoryChoiceField(
        label="抽检分类",
        queryset=SamplingCategory.objects.filter(is_active=True).order_by("order", "code"),
        error_messages={"invalid_choice": "抽检分类不存在或已停用", "required": "请选择抽检分类"},
    )
    month = forms.IntegerField(
        label="月份",
        min_value=1,
        max_value=12,
        error_messages={
            "invalid": "月份应为 1–12 的整数",
            "min_value": "月份应为 1–12",
            "max_value": "月份应为 1–12",
            "required": "请填写月份",
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    source = forms.ChoiceField(label="来源", choices=LineSource.choices, initial=LineSource.ROUTINE)
    batches = forms.IntegerField(
        label="批次",
        min_value=1,
        max_value=100_000,
        error_messages={
            "invalid": "批次应为整数",
            "min_value": "批次至少为 1",
            "max_value": "批次不能超过 100000",
            "required": "请填写批次",
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    business_type = forms.ModelChoiceField(
        label="业态（可选）",
        queryset=BusinessType.objects.filter(is_active=True).order_by("order", "id"),
        required=False,
        empty_label="不限",
        error_messages={"invalid_choice": "业态不存在"},
    )
    note = forms.CharField(label="备注", max_length=200, required=False)

    def __init__(self, *args, actor=None, instance=None, **kwargs):
        if instance is not None:
            kwargs.setdefault(
                "initial",
                {
                    "township": instance.township_id,
                    "category": instance.category_id,
                    "month": instance.month,
                    "source": instance.source,
                    "batches": instance.batches,
                    "business_type": instance.business_type_id,
                    "note": instance.note,
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["township"].queryset = quotas.visible_townships(actor)
        self.fields["source"].error_messages["invalid_choice"] = "来源无效"
        self._style()

    def service_data(self) -> dict:
        d = self.cleaned_data
        return {
            "township": d["township"].pk,
            "category": d["category"].pk,
            "month": d["month"],
            "source": d["source"],
            "batches": d["batches"],
            "business_type": d["business_type"].pk if d.get("business_type") else None,
            "note": d.get("note") or "",
        }


class ReportRequestForm(BootstrapMixin, forms.Form):
    year = _year_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()
