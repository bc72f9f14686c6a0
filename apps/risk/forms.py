import json

from django import forms
from django.utils import timezone

from .choices import GRADES, CreditGrade, EventType, Grade
from .filters import COVERAGE_REASON_CHOICES


def _today():
    return timezone.localdate()


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def apply_fields(form: forms.Form, fields: dict) -> None:
    """Put a DomainError's field messages on the form (unknown keys become non-field errors)."""
    for name, messages in (fields or {}).items():
        for message in messages if isinstance(messages, list) else [messages]:
            form.add_error(name if name in form.fields else None, str(message))


class RiskEventForm(forms.Form):
    event_type = forms.ChoiceField(label="事件类型", choices=EventType.choices)
    occurred_on = forms.DateField(label="发生日期", widget=DateInput(), initial=_today)
    description = forms.CharField(label="情况说明", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    source_ref = forms.CharField(label="来源编号（文书号、抽检编号等）", max_length=100, required=False)


class VoidEventForm(forms.Form):
    reason = forms.CharField(label="作废理由", max_length=200)


class CreditClassForm(forms.Form):
    credit_class = forms.ChoiceField(label="信用风险分类", choices=CreditGrade.choices)
    source = forms.CharField(label="来源", max_length=100, initial="国家企业信用信息公示系统")
    as_of = forms.DateField(label="分类日期", widget=DateInput(), initial=_today)
    note = forms.CharField(label="备注", max_length=200, required=False)


class OverrideProposeForm(forms.Form):
    to_grade = forms.ChoiceField(label="调整为", choices=[("", "请选择等级")] + list(Grade.choices))
    reason = forms.CharField(label="调整理由", min_length=5, widget=forms.Textarea(attrs={"rows": 3}))


class OverrideDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "批准"), ("reject", "驳回")], widget=forms.HiddenInput)
    note = forms.CharField(label="审批意见", max_length=500, required=False)

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not (data.get("note") or "").strip():
            self.add_error("note", "驳回须填写理由")
        return data


class OnsiteEvaluationForm(forms.Form):
    """One number field per dynamic item of the scheme in force for the enterprise's sector."""

    evaluated_on = forms.DateField(label="评定日期", widget=DateInput(), initial=_today)
    note = forms.CharField(label="备注", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.item_codes = []
        for item in items:
            name = f"item_{item.code}"
            self.item_codes.append((name, item.code))
            self.fields[name] = forms.DecimalField(
                label=item.name,
                min_value=0,
                max_value=item.max_points,
                decimal_places=1,
                initial=0,
                help_text=f"0–{item.max_points} 分，分值越高风险越高",
                widget=forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}),
            )
        self.order_fields(["evaluated_on", *[n for n, _ in self.item_codes], "note"])

    def clean_evaluated_on(self):
        day = self.cleaned_data["evaluated_on"]
        if day > _today():
            raise forms.ValidationError("评定日期不能晚于今天")
        return day

    def item_scores(self) -> dict:
        return {code: float(self.cleaned_data[name]) for name, code in self.item_codes}


class SchemeReviseForm(forms.Form):
    effective_from = forms.DateField(label="新版本生效日期", widget=DateInput())


class SchemeActivateForm(forms.Form):
    effective_from = forms.DateField(label="生效日期", widget=DateInput())


class SchemeJsonForm(forms.Form):
    data = forms.CharField(label="方案数据（JSON）", widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "false"}))

    def clean_data(self):
        try:
            value = json.loads(self.cleaned_data["data"])
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(f"不是有效的 JSON：第 {exc.lineno} 行第 {exc.colno} 列") from None
        if not isinstance(value, dict):
            raise forms.ValidationError("方案数据应为 JSON 对象")
        return value


class RegradeForm(forms.Form):
    year = forms.IntegerField(label="评定年度", min_value=2000)

    def clean_year(self):
        year = self.cleaned_data["year"]
        if year > _today().year:
            raise forms.ValidationError("评定年度不能晚于今年")
        return year


class CoverageFilterForm(forms.Form):
    """The coverage page's filter bar (the user's townships); ``CoverageDebtFilterSet`` does the filtering."""

    township = forms.TypedChoiceField(label="镇街", required=False, coerce=int, empty_value=None)
    reason = forms.ChoiceField(label="逾期原因", required=False, choices=[("", "全部"), *COVERAGE_REASON_CHOICES])

    def __init__(self, *args, townships=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["township"].choices = [("", "全部镇街")] + [(t.pk, t.name) for t in townships]


class AssessmentFilterForm(forms.Form):
    q = forms.CharField(label="名称或统一社会信用代码", required=False, max_length=100)
    township = forms.TypedChoiceField(label="镇街", required=False, coerce=int, empty_value=None)
    grade = forms.ChoiceField(
        label="风险等级", required=False, choices=[("", "全部等级")] + [(g, f"{g} 级") for g in GRADES]
    )

    def __init__(self, *args, townships=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["township"].choices = [("", "全部镇街")] + [(t.pk, t.name) for t in townships]
