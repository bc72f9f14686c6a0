"""Forms of emergency plans and drills. They shape and label the input; the services validate the domain rules
(Chinese messages naming the field), so the pages and any later API refuse the same things. Files are read by the
views from ``request.FILES.getlist(...)`` and checked by the services (apps/common/uploads.py)."""

from django import forms

from apps.accounts.models import Township

from ..models.drills import DrillKind, PlanLevel

TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}
DATE = forms.DateInput(attrs={**TEXT, "type": "date"}, format="%Y-%m-%d")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; the service checks each one (type by content, size)."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return super().clean(data, initial)


class PlanForm(forms.Form):
    title = forms.CharField(label="预案名称", max_length=200, required=False, widget=forms.TextInput(attrs=TEXT))
    level = forms.ChoiceField(
        label="层级", choices=[("", "请选择"), *PlanLevel.choices], required=False, widget=forms.Select(attrs=SELECT)
    )
    township = forms.ModelChoiceField(
        label="镇街",
        queryset=Township.objects.none(),
        required=False,
        empty_label="（市级预案不选）",
        widget=forms.Select(attrs=SELECT),
    )
    owner_department = forms.CharField(
        label="编制部门", max_length=100, required=False, widget=forms.TextInput(attrs=TEXT)
    )

    def __init__(self, *args, townships, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["township"].queryset = townships


class VersionForm(forms.Form):
    issued_on = forms.DateField(label="印发日期", required=False, widget=DATE)
    summary = forms.CharField(
        label="修订说明",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={**TEXT, "rows": 3, "placeholder": "本版修订了什么（首版写“首次印发”）"}),
    )
    document = forms.FileField(
        label="预案文本",
        required=False,
        widget=forms.ClearableFileInput(
            attrs={
                "class": "form-control",
                "accept": "application/pdf,application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            }
        ),
        help_text="PDF 或 Word（.docx，不含宏），不超过 20 MB",
    )


class DrillForm(forms.Form):
    date = forms.DateField(label="演练日期", required=False, widget=DATE)
    township = forms.ModelChoiceField(
        label="镇街", queryset=Township.objects.none(), required=False, widget=forms.Select(attrs=SELECT)
    )
    plan = forms.ModelChoiceField(
        label="依据预案",
        queryset=Township.objects.none(),
        required=False,
        empty_label="（未依据特定预案）",
        widget=forms.Select(attrs=SELECT),
    )
    scenario = forms.CharField(
        label="演练情景",
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={**TEXT, "placeholder": "如：学校食堂发生疑似集体食物中毒"}),
    )
    kind = forms.ChoiceField(
        label="演练形式",
        choices=[("", "请选择"), *DrillKind.choices],
        required=False,
        widget=forms.Select(attrs=SELECT),
    )
    participant_count = forms.IntegerField(
        label="参演人数", required=False, widget=forms.NumberInput(attrs={**TEXT, "inputmode": "numeric"})
    )
    participant_orgs = forms.CharField(
        label="参演单位",
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={**TEXT, "rows": 2, "placeholder": "如：市市场监管局、镇卫生院、派出所、学校"}),
    )
    findings = forms.CharField(
        label="发现的问题", max_length=5000, required=False, widget=forms.Textarea(attrs={**TEXT, "rows": 3})
    )
    improvements = forms.CharField(
        label="改进措施", max_length=5000, required=False, widget=forms.Textarea(attrs={**TEXT, "rows": 3})
    )
    files = MultipleFileField(
        label="照片或 PDF",
        required=False,
        widget=MultipleFileInput(
            attrs={"class": "form-control", "accept": "image/jpeg,image/png,image/webp,application/pdf"}
        ),
        help_text="可多选；JPEG、PNG、WebP 或 PDF，每个不超过 10 MB",
    )

    def __init__(self, *args, townships, plans, city_allowed: bool, with_files: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["township"].queryset = townships
        self.fields["township"].empty_label = "市级（不属任何镇街）" if city_allowed else "请选择"
        self.fields["plan"].queryset = plans
        self.fields["plan"].label_from_instance = (
            lambda p: f"{p.title}（{p.township.name if p.township_id else '市级'}）"
        )
        if not with_files:
            del self.fields["files"]


class AttachmentForm(forms.Form):
    files = MultipleFileField(
        label="照片或 PDF",
        required=False,
        widget=MultipleFileInput(
            attrs={"class": "form-control", "accept": "image/jpeg,image/png,image/webp,application/pdf"}
        ),
        help_text="可多选；JPEG、PNG、WebP 或 PDF，每个不超过 10 MB",
    )
    caption = forms.CharField(label="说明", max_length=200, required=False, widget=forms.TextInput(attrs=TEXT))
