"""Forms of 舆情 events. They shape and label the input; the services validate the domain rules (Chinese messages
naming the field), so the pages and any other caller refuse the same things. Every field is optional at the form
level (a browser submits empty fields) and the service says what is missing."""

import uuid

from django import forms

from apps.accounts.models import Township

from .choices import HEAT_CHOICES, OpinionRisk, OpinionSource

TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"]


def _datetime(label, help_text=""):
    return forms.DateTimeField(
        label=label,
        required=False,
        input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local", **TEXT}, format="%Y-%m-%dT%H:%M"),
        help_text=help_text,
    )


def _text(label, *, rows=3, max_length=5000, **kw):
    return forms.CharField(
        label=label, max_length=max_length, required=False, widget=forms.Textarea(attrs={**TEXT, "rows": rows}), **kw
    )


class SubmitTokenMixin(forms.Form):
    """A hidden one-time token: the same form posted twice (double click, resend) is refused by the service."""

    submit_token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("submit_token", uuid.uuid4())


class EventForm(SubmitTokenMixin):
    title = forms.CharField(label="标题", max_length=200, required=False, widget=forms.TextInput(attrs=TEXT))
    source = forms.ChoiceField(
        label="来源",
        choices=[("", "请选择")] + OpinionSource.choices,
        required=False,
        widget=forms.Select(attrs=SELECT),
    )
    source_detail = forms.CharField(
        label="来源详情（网址或媒体名称）",
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={**TEXT, "autocomplete": "off"}),
        help_text="只作文字记录，系统不会访问该网址",
    )
    discovered_at = _datetime("发现时间", "回应时限自此起算（默认 24 小时）")
    content = _text("舆情内容", rows=5)
    subject_name = forms.CharField(
        label="涉及对象（所述名称）", max_length=200, required=False, widget=forms.TextInput(attrs=TEXT)
    )
    address = forms.CharField(label="涉及地址", max_length=255, required=False, widget=forms.TextInput(attrs=TEXT))
    township = forms.ModelChoiceField(
        label="镇街",
        queryset=Township.objects.none(),
        required=False,
        empty_label="未指定（全市）",
        widget=forms.Select(attrs=SELECT),
    )

    def __init__(self, *args, townships=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["township"].queryset = (
            townships if townships is not None else Township.objects.filter(is_active=True).order_by("order", "id")
        )


class AssessForm(forms.Form):
    heat = forms.TypedChoiceField(
        label="热度",
        choices=[("", "请选择")] + HEAT_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.Select(attrs=SELECT),
    )
    risk = forms.ChoiceField(
        label="风险", choices=[("", "请选择")] + OpinionRisk.choices, required=False, widget=forms.Select(attrs=SELECT)
    )
    note = _text("研判意见", rows=2, max_length=2000)


class ActionForm(SubmitTokenMixin):
    at = _datetime("时间", "留空为现在")
    text = _text("处置措施", rows=2)


class RespondForm(forms.Form):
    responded_at = _datetime("回应时间", "留空为现在")
    response_text = _text("回应内容", rows=3)


class CloseForm(forms.Form):
    closing_summary = _text("处置总结", rows=3)


class EnterpriseForm(forms.Form):
    enterprise = forms.IntegerField(widget=forms.HiddenInput, required=False)
    reason = forms.CharField(widget=forms.HiddenInput, required=False, max_length=100)


class SpawnInspectionForm(forms.Form):
    enterprise = forms.TypedChoiceField(
        label="检查对象", choices=(), coerce=int, empty_value=None, required=False, widget=forms.Select(attrs=SELECT)
    )
    reason = forms.CharField(
        label="检查事由",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={**TEXT, "rows": 2}),
        help_text="留空为“舆情 编号：标题”",
    )

    def __init__(self, *args, enterprises=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].choices = [("", "请选择已关联的检查对象")] + [(e.pk, e.name) for e in enterprises]
