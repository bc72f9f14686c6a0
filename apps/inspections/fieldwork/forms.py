"""Forms of the fieldwork pages (staff side). The phone form of a result is read by ``fieldwork.views`` directly,
because its check items differ per business type; its values are validated by the services."""

import datetime as dt

from django import forms
from django.urls import reverse_lazy
from django.utils import timezone

from ..choices import ObjectionDecision
from .selectors import ENTERPRISE_QUERY_MAX, enterprise_candidates, inspectors_for_choice

FLYING_DUE_MAX_DAYS = 366  # a flying inspection is due within a year at most


MAX_TASK_INSPECTORS = 10  # a task team is 2–4 people; the cap keeps a hostile POST from naming thousands of ids


class InspectorChoiceField(forms.ModelMultipleChoiceField):
    def clean(self, value):
        if value and len(value) > MAX_TASK_INSPECTORS:
            raise forms.ValidationError(f"每项任务最多选派 {MAX_TASK_INSPECTORS} 名检查人员")
        return super().clean(value)

    def label_from_instance(self, obj):
        township = obj.township.name if obj.township_id else "市局"
        return f"{obj.name}（{obj.badge_no}，{township}）"


class InspectorsForm(forms.Form):
    inspectors = InspectorChoiceField(
        label="检查人员（至少 2 人）",
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text="申报回避的人员和上次检查该对象的人员不能选派（《食品生产经营监督检查管理办法》第二十三条）",
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["inspectors"].queryset = inspectors_for_choice(actor=actor)


class FlyingTaskForm(InspectorsForm):
    enterprise = forms.CharField(
        label="检查对象",
        max_length=ENTERPRISE_QUERY_MAX,
        widget=forms.TextInput(
            attrs={
                "class": "form-control",
                "type": "search",
                "autocomplete": "off",
                "placeholder": "名称中的关键字，或统一社会信用代码",
                # htmx (vendored): suggestions below the field as the user types; without JS the form still works
                "hx-get": reverse_lazy("inspections:flying_enterprises"),
                "hx-trigger": "input changed delay:300ms, search",
                "hx-target": "#enterprise-suggestions",
                "hx-swap": "innerHTML",
                "aria-controls": "enterprise-suggestions",
            }
        ),
        help_text="输入名称关键字或统一社会信用代码，在下方列表中选择；名称匹配多家时请选择其中一家",
    )
    enterprise_pick = forms.IntegerField(required=False, min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput)
    reason = forms.CharField(
        label="检查事由",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control", "placeholder": "如：群众举报后厨卫生问题"}),
    )
    due_date = forms.DateField(
        label="完成期限",
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
        help_text="留空：5 个工作日内；最长一年",
    )
    field_order = ["enterprise", "reason", "due_date", "inspectors"]

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, actor=actor, **kwargs)
        self.actor = actor
        self.candidates: list = []  # shown for the user to pick from when the text matches several
        self.more_candidates = False

    def clean(self):
        cleaned = super().clean()
        text = cleaned.get("enterprise")
        if text is None:
            return cleaned
        found, more = enterprise_candidates(actor=self.actor, text=text, pick=cleaned.get("enterprise_pick"))
        if len(found) == 1 and not more:
            cleaned["enterprise"] = found[0]
            return cleaned
        cleaned.pop("enterprise", None)
        if not found:
            self.add_error("enterprise", "未找到营业中的检查对象（或不在您的管辖范围内）")
        else:
            self.candidates, self.more_candidates = found, more
            self.add_error(
                "enterprise",
                f"“{text}”匹配到 {'超过 20' if more else len(found)} 家检查对象，请在下方选择一家"
                + ("（或输入更完整的名称）" if more else ""),
            )
        return cleaned

    def clean_due_date(self):
        value = self.cleaned_data.get("due_date")
        today = timezone.localdate()
        if value and value < today:
            raise forms.ValidationError("完成期限不能早于今天")
        if value and value > today + dt.timedelta(days=FLYING_DUE_MAX_DAYS):
            raise forms.ValidationError("完成期限不能超过一年")
        return value


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="更正理由",
        min_length=4,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )


class ObjectionForm(forms.Form):
    text = forms.CharField(
        label="异议内容", max_length=5000, widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"})
    )
    submitter_name = forms.CharField(
        label="提出人", max_length=50, required=False, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    submitter_contact = forms.CharField(
        label="联系方式", max_length=50, required=False, widget=forms.TextInput(attrs={"class": "form-control"})
    )


class ObjectionDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="处理结果",
        choices=[
            (ObjectionDecision.REJECTED, "异议不成立（维持检查结果，公示）"),
            (ObjectionDecision.UPHELD, "异议成立（更正检查记录）"),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label="处理意见", max_length=2000, widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"})
    )


class RectificationSubmitForm(forms.Form):
    note = forms.CharField(
        label="整改情况说明", max_length=2000, widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"})
    )
