"""Forms of the fieldwork pages (staff side). The phone form of a result is read by ``views_fieldwork`` directly,
because its check items differ per business type; its values are validated by the services."""

from django import forms
from django.utils import timezone

from apps.enterprises.models import Enterprise

from .choices import ObjectionDecision
from .selectors_fieldwork import inspectors_for_choice


class InspectorChoiceField(forms.ModelMultipleChoiceField):
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
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control", "placeholder": "统一社会信用代码，或名称中的关键字"}),
        help_text="输入统一社会信用代码或名称；名称须只匹配一家营业中的对象",
    )
    reason = forms.CharField(
        label="检查事由",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control", "placeholder": "如：群众举报后厨卫生问题"}),
    )
    due_date = forms.DateField(
        label="完成期限",
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
        help_text="留空：5 个工作日内",
    )
    field_order = ["enterprise", "reason", "due_date", "inspectors"]

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, actor=actor, **kwargs)
        self.actor = actor

    def clean_enterprise(self):
        text = self.cleaned_data["enterprise"].strip()
        qs = Enterprise.objects.visible_to(self.actor).operating()
        if text.startswith("#") and text[1:].isdigit():
            found = list(qs.filter(pk=int(text[1:]))[:2])
        else:
            found = list(qs.filter(uscc=text.upper())[:2]) or list(qs.filter(name=text)[:2])
            if not found:
                found = list(qs.filter(name__icontains=text).order_by("name")[:6])
        if not found:
            raise forms.ValidationError("未找到营业中的检查对象（或不在您的管辖范围内）")
        if len(found) > 1:
            names = "、".join(e.name for e in found[:5])
            raise forms.ValidationError(f"匹配到多家：{names}……请输入统一社会信用代码或完整名称")
        return found[0]

    def clean_due_date(self):
        value = self.cleaned_data.get("due_date")
        if value and value < timezone.localdate():
            raise forms.ValidationError("完成期限不能早于今天")
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
