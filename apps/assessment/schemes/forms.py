"""Forms of the assessment pages (the services check everything again, in Chinese)."""

from django import forms

from ..models.schemes import AppealStatus

NUM = {"class": "form-control", "inputmode": "decimal"}


class RoundCreateForm(forms.Form):
    year = forms.IntegerField(
        label="考核年度", min_value=2000, max_value=2100, widget=forms.NumberInput(attrs={"class": "form-control"})
    )


class ManualValueForm(forms.Form):
    township = forms.TypedChoiceField(label="镇街", coerce=int, widget=forms.Select(attrs={"class": "form-select"}))
    indicator = forms.TypedChoiceField(label="指标", coerce=int, widget=forms.Select(attrs={"class": "form-select"}))
    value = forms.DecimalField(
        label="填报值", min_value=0, max_value=1000000, decimal_places=4, widget=forms.TextInput(attrs=NUM)
    )
    note = forms.CharField(
        label="说明", required=False, max_length=500, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    evidence = forms.FileField(
        label="证据文件（PDF 或照片）", widget=forms.ClearableFileInput(attrs={"class": "form-control"})
    )

    def __init__(self, *args, townships=(), indicators=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["township"].choices = [(t.pk, t.name) for t in townships]
        self.fields["indicator"].choices = [(i.pk, i.label) for i in indicators]


class AppealForm(forms.Form):
    indicator = forms.TypedChoiceField(
        label="申诉的指标", coerce=int, widget=forms.Select(attrs={"class": "form-select"})
    )
    reason = forms.CharField(
        label="申诉理由", max_length=2000, widget=forms.Textarea(attrs={"class": "form-control", "rows": 3})
    )

    def __init__(self, *args, indicators=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = [(i.pk, i.label) for i in indicators]


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label="裁决",
        choices=[(AppealStatus.UPHELD, "采纳"), (AppealStatus.REJECTED, "不予采纳")],
        widget=forms.RadioSelect,
    )
    decision_reason = forms.CharField(
        label="裁决理由", max_length=2000, widget=forms.Textarea(attrs={"class": "form-control", "rows": 3})
    )
    corrected_value = forms.DecimalField(
        label="更正后的值（按计分档次计分）",
        required=False,
        min_value=0,
        max_value=1000000,
        decimal_places=4,
        widget=forms.TextInput(attrs=NUM),
    )
    granted_points = forms.DecimalField(
        label="或：裁定得分率（0–100%）",
        required=False,
        min_value=0,
        max_value=100,
        decimal_places=2,
        widget=forms.TextInput(attrs=NUM),
    )
