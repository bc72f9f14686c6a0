"""Forms of incidents. They shape and label the input (every field optional, so an empty field reaches the service,
which answers in Chinese naming the field); the services validate the domain rules."""

import re

from django import forms

from apps.accounts.models import Township

from ..models.emergencies import IncidentLevel, ReportKind

TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}
CHECK = {"class": "form-check-input"}
DT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]


def _dt(label, help_text=""):
    return forms.DateTimeField(
        label=label,
        required=False,
        input_formats=DT_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local", **TEXT}, format="%Y-%m-%dT%H:%M"),
        help_text=help_text,
    )


def _count(label, help_text=""):
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=None,
        max_value=10_000_000,
        widget=forms.NumberInput(attrs={**TEXT, "inputmode": "numeric"}),
        help_text=help_text,
    )


class IncidentForm(forms.Form):
    title = forms.CharField(label="事件名称", max_length=200, required=False, widget=forms.TextInput(attrs=TEXT))
    township = forms.ModelChoiceField(
        label="发生镇街",
        queryset=Township.objects.none(),
        required=False,
        empty_label="未定（市级）",
        widget=forms.Select(attrs=SELECT),
    )
    occurred_at = _dt("发生时间")
    learned_at = _dt("获知时间", "初报时限自获知时间起算")
    affected_count = _count("涉及人数", "发病、就诊等涉及的人数")
    dead_count = _count("死亡人数")
    townships_count = _count("涉及镇街数", "跨镇街扩散时填写；只涉及一个镇街填 1")
    schools_involved = forms.BooleanField(
        label="涉及学校（托幼机构）", required=False, widget=forms.CheckboxInput(attrs=CHECK)
    )
    major_event = forms.BooleanField(
        label="发生在重大活动或会议期间", required=False, widget=forms.CheckboxInput(attrs=CHECK)
    )
    places = forms.CharField(
        label="发生地点", max_length=2000, required=False, widget=forms.Textarea(attrs={**TEXT, "rows": 2})
    )
    description = forms.CharField(
        label="事件经过", max_length=10000, required=False, widget=forms.Textarea(attrs={**TEXT, "rows": 4})
    )
    enterprise_refs = forms.CharField(
        label="涉及检查对象（统一社会信用代码，每行一个）",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={**TEXT, "rows": 2}),
    )
    sample_numbers = forms.CharField(
        label="关联抽样单编号（每行一个）",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={**TEXT, "rows": 2}),
    )

    def __init__(self, *args, townships=None, enterprises=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["township"].queryset = townships if townships is not None else Township.objects.none()
        self.enterprises = enterprises

    def clean_enterprise_refs(self):
        codes = [c.upper() for c in re.split(r"[\s,，;；]+", self.cleaned_data.get("enterprise_refs") or "") if c]
        if not codes:
            return []
        found = {e.uscc: e for e in self.enterprises.filter(uscc__in=codes)}
        missing = [c for c in codes if c not in found]
        if missing:
            raise forms.ValidationError(f"名录中没有这些检查对象（或不在您的管辖范围内）：{'、'.join(missing[:5])}")
        return list(found.values())

    def clean_sample_numbers(self):
        return [c for c in re.split(r"[\s,，;；]+", self.cleaned_data.get("sample_numbers") or "") if c]


class ReportForm(forms.Form):
    kind = forms.ChoiceField(
        label="报告类型", choices=ReportKind.choices, required=False, widget=forms.Select(attrs=SELECT)
    )
    submitted_at = _dt("报送时间", "向上级报送的时间；留空为现在")
    content = forms.CharField(
        label="报告内容", max_length=10000, required=False, widget=forms.Textarea(attrs={**TEXT, "rows": 4})
    )

    def __init__(self, *args, kinds=None, **kwargs):
        super().__init__(*args, **kwargs)
        if kinds is not None:
            self.fields["kind"].choices = kinds


class ActionForm(forms.Form):
    at = _dt("处置时间", "留空为现在")
    text = forms.CharField(
        label="处置措施",
        max_length=10000,
        required=False,
        widget=forms.Textarea(
            attrs={**TEXT, "rows": 3, "placeholder": "例如：封存涉事食品和工具、组织救治、开展流行病学调查"}
        ),
    )


class LevelForm(forms.Form):
    level = forms.ChoiceField(
        label="确认级别",
        choices=[("", "请选择"), *IncidentLevel.choices],
        required=False,
        widget=forms.Select(attrs=SELECT),
    )
    note = forms.CharField(
        label="说明（与建议级别不同时必填）",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={**TEXT, "rows": 2}),
    )


class CloseForm(forms.Form):
    summary = forms.CharField(
        label="结案总结",
        max_length=10000,
        required=False,
        widget=forms.Textarea(attrs={**TEXT, "rows": 4, "placeholder": "原因、处置结果、责任追究、整改措施"}),
    )
