"""Forms of complaints. They shape and label the input; the services validate the domain rules (with Chinese
messages naming the field), so the API, the pages and the public form refuse the same things."""

from decimal import Decimal

from django import forms

from apps.accounts.models import Township

from .choices import ComplaintChannel, ComplaintKind, RewardLevel

TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}


def _townships():
    return Township.objects.filter(is_active=True).order_by("order", "id")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PublicComplaintForm(forms.Form):
    """PII-03: the content is the only required field; contact is optional (anonymous allowed); the ID number only
    when a reward is claimed."""

    token = forms.CharField(widget=forms.HiddenInput, required=False)
    kind = forms.ChoiceField(
        label="类别",
        choices=ComplaintKind.choices,
        initial=ComplaintKind.COMPLAINT,
        widget=forms.RadioSelect,
        help_text="投诉：自身权益受损；举报：发现食品安全违法行为",
    )
    content = forms.CharField(
        label="内容",
        max_length=5000,
        required=False,  # the service says "请填写…" in Chinese, with the field named
        widget=forms.Textarea(attrs={**TEXT, "rows": 5, "placeholder": "发生了什么、在什么时间、什么地点"}),
    )
    subject_name = forms.CharField(
        label="被投诉举报的单位或摊点",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={**TEXT, "placeholder": "店名、摊位号等，不知道可不填"}),
    )
    address = forms.CharField(label="地址", max_length=255, required=False, widget=forms.TextInput(attrs=TEXT))
    township = forms.ModelChoiceField(
        label="所在镇街",
        queryset=Township.objects.none(),
        required=False,
        empty_label="不清楚",
        widget=forms.Select(attrs=SELECT),
    )
    attachments = forms.FileField(
        label="照片或材料",
        required=False,
        widget=MultipleFileInput(attrs={"class": "form-control", "accept": "image/jpeg,image/png,application/pdf"}),
        help_text="最多 3 个，JPEG、PNG 或 PDF，每个不超过 5 MB",
    )
    name = forms.CharField(
        label="姓名", max_length=50, required=False, widget=forms.TextInput(attrs={**TEXT, "autocomplete": "name"})
    )
    phone = forms.CharField(
        label="联系电话",
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={**TEXT, "inputmode": "tel", "autocomplete": "tel"}),
    )
    contact = forms.CharField(label="其他联系方式", max_length=100, required=False, widget=forms.TextInput(attrs=TEXT))
    reward_claimed = forms.BooleanField(
        label="申请举报奖励（须实名）", required=False, widget=forms.CheckboxInput(attrs={"class": "form-check-input"})
    )
    id_number = forms.CharField(
        label="身份证号",
        max_length=18,
        required=False,
        widget=forms.TextInput(attrs={**TEXT, "autocomplete": "off"}),
        help_text="仅申请奖励时填写",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["township"].queryset = _townships()

    def clean_attachments(self):
        return None  # read from request.FILES by the view (several files)


class StaffComplaintForm(forms.Form):
    kind = forms.ChoiceField(label="类别", choices=ComplaintKind.choices, widget=forms.Select(attrs=SELECT))
    channel = forms.ChoiceField(
        label="来源渠道",
        choices=[c for c in ComplaintChannel.choices if c[0] != ComplaintChannel.PUBLIC_FORM],
        widget=forms.Select(attrs=SELECT),
    )
    received_at = forms.DateTimeField(
        label="收到时间",
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local", **TEXT}, format="%Y-%m-%dT%H:%M"),
        help_text="留空为现在；受理决定期限自此起算",
    )
    content = forms.CharField(
        label="内容", max_length=5000, required=False, widget=forms.Textarea(attrs={**TEXT, "rows": 5})
    )
    enterprise_ref = forms.CharField(
        label="检查对象（统一社会信用代码或名录编号）",
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs=TEXT),
        help_text="能对应到名录时填写，用于查重和靶向抽检",
    )
    subject_name = forms.CharField(label="对象名称", max_length=200, required=False, widget=forms.TextInput(attrs=TEXT))
    address = forms.CharField(label="地址", max_length=255, required=False, widget=forms.TextInput(attrs=TEXT))
    township = forms.ModelChoiceField(
        label="镇街", queryset=Township.objects.none(), required=False, widget=forms.Select(attrs=SELECT)
    )
    name = forms.CharField(label="反映人姓名", max_length=50, required=False, widget=forms.TextInput(attrs=TEXT))
    phone = forms.CharField(
        label="反映人电话", max_length=20, required=False, widget=forms.TextInput(attrs={**TEXT, "inputmode": "tel"})
    )
    contact = forms.CharField(label="其他联系方式", max_length=100, required=False, widget=forms.TextInput(attrs=TEXT))
    reward_claimed = forms.BooleanField(
        label="申请举报奖励", required=False, widget=forms.CheckboxInput(attrs={"class": "form-check-input"})
    )
    id_number = forms.CharField(
        label="身份证号",
        max_length=18,
        required=False,
        widget=forms.TextInput(attrs=TEXT),
        help_text="仅申请奖励时填写",
    )

    def __init__(self, *args, townships=None, enterprises=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["township"].queryset = townships if townships is not None else _townships()
        self.enterprises = enterprises

    def clean_enterprise_ref(self):
        ref = (self.cleaned_data.get("enterprise_ref") or "").strip()
        if not ref:
            return None
        qs = self.enterprises
        ent = qs.filter(uscc=ref.upper()).first() if len(ref) == 18 else None
        if ent is None and ref.isdigit():
            ent = qs.filter(pk=int(ref)).first()
        if ent is None:
            raise forms.ValidationError("名录中没有这个检查对象（或不在您的管辖范围内）")
        return ent


class NoteForm(forms.Form):
    note = forms.CharField(
        label="说明", max_length=2000, required=False, widget=forms.Textarea(attrs={**TEXT, "rows": 2})
    )


class RouteForm(forms.Form):
    township = forms.ModelChoiceField(
        label="承办镇街", queryset=Township.objects.none(), required=False, widget=forms.Select(attrs=SELECT)
    )
    note = forms.CharField(
        label="说明", max_length=2000, required=False, widget=forms.Textarea(attrs={**TEXT, "rows": 2})
    )

    def __init__(self, *args, townships=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["township"].queryset = townships if townships is not None else _townships()


class CloseForm(forms.Form):
    upheld = forms.TypedChoiceField(
        label="查证结果",
        choices=[("", "请选择"), ("1", "查证属实"), ("0", "查证不属实")],
        coerce=lambda v: v == "1",
        empty_value=None,
        required=False,
        widget=forms.Select(attrs=SELECT),
    )
    result_text = forms.CharField(
        label="办理结果", max_length=5000, required=False, widget=forms.Textarea(attrs={**TEXT, "rows": 3})
    )


class FeedbackForm(forms.Form):
    feedback_text = forms.CharField(
        label="反馈内容",
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={**TEXT, "rows": 3}),
        help_text="反映人凭查询码可在公开页面看到这段文字；不要写入检查人员或其他人员的个人信息",
    )


class DuplicateForm(forms.Form):
    original = forms.IntegerField(widget=forms.HiddenInput, required=False)


YUAN = {"max_digits": 14, "decimal_places": 2, "min_value": Decimal("0")}


class RewardAssessForm(forms.Form):
    level = forms.TypedChoiceField(
        label="奖励等级",
        choices=[("", "请选择"), *RewardLevel.choices],
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.Select(attrs=SELECT),
    )
    fines = forms.DecimalField(
        label="罚没款合计（元）",
        required=False,
        widget=forms.NumberInput(attrs={**TEXT, "inputmode": "decimal", "step": "0.01"}),
        help_text="罚款与没收违法所得之和；没有罚没款填 0（按最低额奖励）",
        **YUAN,
    )

    not_excluded = forms.BooleanField(
        label="已核实举报人不属于不予奖励的情形",
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
        help_text="监管部门工作人员或负有法定报告义务的人员；受害方及其代理人；违法行为人（内部人员除外）；受雇佣、委托举报的人员",
    )


class RewardPayForm(forms.Form):
    paid_on = forms.DateField(
        label="发放日期", required=False, widget=forms.DateInput(attrs={"type": "date", **TEXT}, format="%Y-%m-%d")
    )
    paid = forms.DecimalField(
        label="发放金额（元）",
        required=False,
        widget=forms.NumberInput(attrs={**TEXT, "inputmode": "decimal", "step": "0.01"}),
        **YUAN,
    )
    voucher_no = forms.CharField(label="凭证号", max_length=40, required=False, widget=forms.TextInput(attrs=TEXT))


class UnmaskForm(forms.Form):
    reason = forms.CharField(
        label="查看理由",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={**TEXT, "rows": 2, "placeholder": "例如：核实举报人身份以发放奖励"}),
        help_text="理由和查看人记入审计日志",
    )


def yuan_to_fen(value) -> int | None:
    if value is None:
        return None
    return int((Decimal(value) * 100).to_integral_value())
