"""Forms of assessment/campaigns. They shape and label the input; the services validate the domain rules (Chinese
messages naming the field), so the pages refuse what the services refuse. The evidence file is read by the view from
``request.FILES`` and checked by the service (apps/common/uploads.py)."""

from django import forms

from apps.accounts.models import Township
from apps.common import measures as measure_registry

from ..models.campaigns import TargetScope

TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}
DATE = forms.DateInput(attrs={**TEXT, "type": "date"}, format="%Y-%m-%d")


def measure_choices(current: str = ""):
    rows = [("", "（人工录入进展）")]
    known = {m.code for m in measure_registry.measures()}
    rows += [(m.code, f"{m.label}（{m.code}）") for m in measure_registry.measures()]
    if current and current not in known:
        rows.append((current, f"{current}（尚未登记）"))
    return rows


class TargetForm(forms.Form):
    label = forms.CharField(label="目标名称", max_length=120, required=False, widget=forms.TextInput(attrs=TEXT))
    measure_code = forms.ChoiceField(label="计算指标", required=False, widget=forms.Select(attrs=SELECT))
    target_value = forms.CharField(
        label="目标值",
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={**TEXT, "inputmode": "decimal"}),
        help_text="留空表示不设数值（只显示进展）",
    )
    unit = forms.CharField(label="单位", max_length=20, required=False, widget=forms.TextInput(attrs=TEXT))
    scope = forms.ChoiceField(
        label="考核范围", choices=TargetScope.choices, required=False, widget=forms.Select(attrs=SELECT)
    )
    higher_is_better = forms.BooleanField(
        label="越高越好", required=False, widget=forms.CheckboxInput(attrs={"class": "form-check-input"})
    )
    effective_from = forms.DateField(
        label="生效日期",
        required=False,
        widget=DATE,
        help_text="与现行版本相同：更正现行版本；更晚的日期：从该日起生效新版本，现行版本到前一天为止",
    )
    note = forms.CharField(label="备注", max_length=300, required=False, widget=forms.TextInput(attrs=TEXT))

    def __init__(self, *args, current_measure: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measure_code"].choices = measure_choices(current_measure)


class ProgressForm(forms.Form):
    year = forms.IntegerField(
        label="年度", min_value=2000, max_value=2100, required=False, widget=forms.NumberInput(attrs=TEXT)
    )
    township = forms.ModelChoiceField(
        label="镇街",
        queryset=Township.objects.none(),
        required=False,
        empty_label="（全市）",
        widget=forms.Select(attrs=SELECT),
    )
    value = forms.CharField(
        label="进展值", max_length=20, required=False, widget=forms.TextInput(attrs={**TEXT, "inputmode": "decimal"})
    )
    as_of = forms.DateField(label="截至日期", required=False, widget=DATE)
    note = forms.CharField(
        label="说明", max_length=500, required=False, widget=forms.Textarea(attrs={**TEXT, "rows": 2})
    )
    evidence = forms.FileField(
        label="证据文件",
        required=False,
        widget=forms.ClearableFileInput(
            attrs={"class": "form-control", "accept": "image/jpeg,image/png,image/webp,application/pdf"}
        ),
        help_text="照片（JPEG、PNG、WebP）或 PDF，不超过 10 MB",
    )

    def __init__(self, *args, townships=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["township"].queryset = (
            townships if townships is not None else Township.objects.filter(is_active=True).order_by("order", "id")
        )
