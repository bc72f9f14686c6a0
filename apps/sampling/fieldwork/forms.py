"""Forms of the fieldwork pages: organisations, task creation (one, or N enterprises for a line), cancel reason and
the 抽样单 (the sampler's phone form, in collapsible sections).

The forms convert and bound the fields; the rules that make a 抽样单 valid (≥ 2 samplers, sealed backup, dates,
抽检分离) live in ``rules.py`` and are applied by the services, so the page and any other caller share them."""

from __future__ import annotations

from django import forms
from django.db.models import Q

from apps.standards.models import SamplingCategory

from ..choices import AttachmentKind, OrganisationKind, Packaging, SampleKind, Stage
from ..models import Organisation, Sample
from .rules import MAX_SAMPLERS, SAMPLER_NAME_MAX

# ---------------------------------------------------------------------------- the fixed lists of the 抽样单
SAMPLING_TYPES = ["常规抽样", "专项抽样", "应急抽样", "飞行抽样"]
ORIGIN_KINDS = ["外购", "自制", "委托生产", "其他"]
ATTRIBUTES = ["普通食品", "特殊膳食食品", "保健食品", "婴幼儿配方食品", "特殊医学用途配方食品", "其他"]
SAMPLING_METHODS = ["非无菌", "无菌"]
STORAGES = ["常温", "冷藏", "冷冻", "避光", "密闭", "其他"]
THIRD_PARTY = [("", "无"), ("委托", "委托生产"), ("受托", "受托生产"), ("其他", "其他")]
AREA_TYPES = ["城市", "乡村", "景区", "其他"]
LICENCE_KINDS = [
    "食品经营许可证",
    "食品生产许可证",
    "仅销售预包装食品备案",
    "小作坊/小餐饮/小食杂店登记证",
    "食品摊贩登记卡",
    "营业执照",
]
PLACE_TYPES = {
    # suggestions (a <datalist>, free text allowed), by stage
    "production": ["成品库", "生产线", "原料库"],
    "circulation": ["超市", "商场", "农贸市场", "批发市场", "便利店", "食杂店", "网店", "其他"],
    "catering": ["餐馆", "快餐店", "小吃店", "饮品店", "单位食堂", "学校食堂", "中央厨房", "集体用餐配送单位", "其他"],
}
UNITS = ["袋", "瓶", "盒", "罐", "包", "件", "个", "份", "kg", "g", "L", "mL"]


def _choices(values):
    return [(v, v) for v in values]


def _text(attrs=None, **kw):
    return forms.TextInput(attrs={"class": "form-control", **(attrs or {})}, **kw)


def _select():
    return forms.Select(attrs={"class": "form-select"})


def category_subtree(category) -> Q:
    """The category and everything under it (4 levels: 大类 / 亚类 / 次亚类 / 细类)."""
    return Q(pk=category.pk) | Q(parent=category) | Q(parent__parent=category) | Q(parent__parent__parent=category)


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{'　' * (obj.level - 1)}{obj.name}（{obj.get_level_display()}）"


# ---------------------------------------------------------------------------- the 抽样单
SAMPLE_SECTIONS = (
    # (anchor, title, fields) — the order of the national 抽样单; every field of DOMAIN.md §3.3 the model keeps
    ("basic", "基本信息", ["sampling_type", "stage", "place_type", "category"]),
    ("samplers", "抽样人员", ["sampler_1", "sampler_2", "sampler_3", "sampler_4"]),
    (
        "site",
        "被抽样单位",
        [
            "site_name",
            "site_address",
            "site_area_type",
            "site_uscc",
            "site_licence_kind",
            "site_licence_no",
            "site_legal_rep",
            "site_contact",
            "site_phone",
        ],
    ),
    (
        "producer",
        "标称生产者",
        [
            "producer_name",
            "producer_location",
            "producer_address",
            "producer_licence_no",
            "producer_phone",
            "third_party",
            "third_party_name",
            "third_party_address",
            "third_party_licence_no",
            "third_party_phone",
        ],
    ),
    (
        "sample",
        "样品信息",
        [
            "name",
            "sample_kind",
            "sample_origin_kind",
            "attribute",
            "packaging",
            "trademark",
            "barcode",
            "specification",
            "quality_grade",
            "batch_no",
            "production_date",
            "shelf_life",
            "exec_standard",
            "unit_price",
            "imported",
            "origin",
        ],
    ),
    (
        "taking",
        "抽样与数量",
        [
            "sampled_on",
            "sampling_method",
            "storage",
            "base_quantity",
            "quantity",
            "quantity_unit",
        ],
    ),
    ("backup", "备份样品封存", ["backup_quantity", "backup_seal_no", "backup_sealed_by_site"]),
    ("remarks", "备注", ["remarks"]),
)
SAMPLE_MODEL_FIELDS = [f for _, _, fields in SAMPLE_SECTIONS for f in fields if not f.startswith("sampler_")]
SAMPLER_FIELDS = [f"sampler_{i}" for i in range(1, MAX_SAMPLERS + 1)]


class SampleForm(forms.ModelForm):
    """The 抽样单 fields a sampler fills (the task gives the plan, purpose, source, organisations and the site)."""

    sampler_1 = forms.CharField(label="抽样人员 1", max_length=SAMPLER_NAME_MAX, required=False)
    sampler_2 = forms.CharField(label="抽样人员 2", max_length=SAMPLER_NAME_MAX, required=False)
    sampler_3 = forms.CharField(label="抽样人员 3（选填）", max_length=SAMPLER_NAME_MAX, required=False)
    sampler_4 = forms.CharField(label="抽样人员 4（选填）", max_length=SAMPLER_NAME_MAX, required=False)
    sampling_type = forms.ChoiceField(label="抽样类型", choices=_choices(SAMPLING_TYPES))
    site_area_type = forms.ChoiceField(label="区域类型", choices=[("", "—"), *_choices(AREA_TYPES)], required=False)
    site_licence_kind = forms.ChoiceField(
        label="许可证类型", choices=[("", "—"), *_choices(LICENCE_KINDS)], required=False
    )
    third_party = forms.ChoiceField(label="是否委托/受托生产", choices=THIRD_PARTY, required=False)
    sample_origin_kind = forms.ChoiceField(label="样品来源", choices=_choices(ORIGIN_KINDS))
    attribute = forms.ChoiceField(label="样品属性", choices=_choices(ATTRIBUTES))
    sampling_method = forms.ChoiceField(label="抽样方式", choices=_choices(SAMPLING_METHODS))
    storage = forms.ChoiceField(label="储存条件", choices=_choices(STORAGES))
    backup_sealed_by_site = forms.BooleanField(label="备份样品已封存，被抽样单位已在封条上签字确认", required=False)

    class Meta:
        model = Sample
        fields = SAMPLE_MODEL_FIELDS
        widgets = {
            "production_date": forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
            "sampled_on": forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
            "remarks": forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
            "quantity": forms.NumberInput(attrs={"class": "form-control", "inputmode": "numeric", "min": 1}),
            "backup_quantity": forms.NumberInput(attrs={"class": "form-control", "inputmode": "numeric", "min": 1}),
            "unit_price": forms.NumberInput(
                attrs={"class": "form-control", "inputmode": "decimal", "step": "0.01", "min": 0}
            ),
            "site_phone": _text({"inputmode": "tel", "autocomplete": "off"}),
            "producer_phone": _text({"inputmode": "tel", "autocomplete": "off"}),
            "third_party_phone": _text({"inputmode": "tel", "autocomplete": "off"}),
            "place_type": _text({"list": "place-types", "autocomplete": "off"}),
            "quantity_unit": _text({"list": "quantity-units", "autocomplete": "off"}),
            "barcode": _text({"inputmode": "numeric", "autocomplete": "off"}),
        }
        help_texts = {
            "production_date": "不能晚于抽样日期；食用农产品填购进日期",
            "backup_seal_no": "复检备份样品封条上的编号",
            "quantity": "含备样",
            "base_quantity": "如 50 袋",
        }

    def __init__(self, *args, task, **kwargs):
        super().__init__(*args, **kwargs)
        self.task = task
        self.fields["category"] = CategoryChoiceField(
            label="食品分类",
            queryset=SamplingCategory.objects.filter(category_subtree(task.category), is_active=True).order_by(
                "level", "order", "code"
            ),
            empty_label=None,
            help_text="计划明细的分类或其下更细的分类（亚类 / 次亚类 / 细类）",
        )
        self.fields["stage"].choices = Stage.choices
        self.fields["sample_kind"].choices = SampleKind.choices
        self.fields["packaging"].choices = Packaging.choices
        for name in ("sampler_1", "sampler_2"):
            self.fields[name].widget.attrs["autocomplete"] = "name"
        for name, field in self.fields.items():
            widget = field.widget
            label = str(field.label or name).split("（")[0]
            verb = "请选择" if isinstance(widget, forms.Select) else "请填写"
            field.error_messages["required"] = f"{verb}{label}"
            field.error_messages["invalid_choice"] = f"{label}：所选的值无效，请重新选择"
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")
            if name in ("sampler_1", "sampler_2", "backup_seal_no", "backup_sealed_by_site"):
                field.widget.attrs["aria-required"] = "true"
                field.show_required = True  # required by the 抽样单 rules (rules.py), not by the field itself
        self.fields["sampler_1"].label = "抽样人员 1"
        self.fields["sampler_2"].label = "抽样人员 2"

    def mark_invalid(self, names) -> None:
        """``is-invalid`` and ``aria-invalid`` on the controls of the fields in ``names`` (errors from the rules)."""
        for name in names:
            targets = [name]
            if name == "samplers":  # the empty one(s) of the first two; for a repeated name, the second
                empty = [f for f in SAMPLER_FIELDS[:2] if not str(self.data.get(f, "")).strip()]
                targets = empty or SAMPLER_FIELDS[1:2]
            for target in targets:
                field = self.fields.get(target)
                if field is None:
                    continue
                attrs = field.widget.attrs
                if "is-invalid" not in attrs.get("class", ""):
                    attrs["class"] = (attrs.get("class", "") + " is-invalid").strip()
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = "samplers-error" if name == "samplers" else f"id_{target}-error"

    def sections(self):
        """[(anchor, title, [bound fields])] for the template."""
        return [(anchor, title, [self[name] for name in names]) for anchor, title, names in SAMPLE_SECTIONS]

    def sampler_names(self) -> list[str]:
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return [data.get(name, "") for name in SAMPLER_FIELDS]


def section_of(field: str) -> str:
    if field == "samplers" or field.startswith("sampler_"):
        return "samplers"
    for anchor, _, names in SAMPLE_SECTIONS:
        if field in names:
            return anchor
    return ""


# ---------------------------------------------------------------------------- organisations
class OrganisationForm(forms.ModelForm):
    members = forms.ModelMultipleChoiceField(
        label="人员（平台账户）",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="抽样机构选抽样人员，检验机构选检验机构人员或其接口账户；同一人员不能同时属于抽样机构和检验机构",
    )

    class Meta:
        model = Organisation
        fields = [
            "name",
            "kind",
            "uscc",
            "province",
            "address",
            "contact_person",
            "phone",
            "fax",
            "email",
            "is_recheck_lab",
            "is_active",
        ]
        widgets = {
            "kind": forms.RadioSelect,
            "phone": forms.TextInput(attrs={"inputmode": "tel"}),
            "email": forms.EmailInput(),
            "fax": forms.TextInput(attrs={"inputmode": "tel"}),
        }

    def __init__(self, *args, member_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = member_choices
        self.fields["members"].label_from_instance = _member_label
        self.fields["kind"].choices = OrganisationKind.choices
        if self.instance.pk:
            self.fields["members"].initial = list(self.instance.members.values_list("pk", flat=True))
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            else:
                widget.attrs.setdefault("class", "form-control")

    def validate_unique(self):
        """Uniqueness (the name) is the service's check, with its own message."""


def _member_label(user) -> str:
    from apps.accounts.roles import role_label_for

    name = user.full_name or user.username
    role = role_label_for(user)
    return f"{name}（{user.username}{'，' + role if role else ''}）"


# ---------------------------------------------------------------------------- tasks
class OrganisationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}{'（复检机构）' if obj.is_recheck_lab else ''}"


class TaskCreateForm(forms.Form):
    """A task for a line: the enterprises (one, or N checked), the sampling organisation, the lab, the due date."""

    enterprises = forms.ModelMultipleChoiceField(
        label="被抽样单位", queryset=None, widget=forms.CheckboxSelectMultiple, required=False
    )
    sampling_org = OrganisationChoiceField(label="抽样机构", queryset=None, empty_label="请选择")
    lab = OrganisationChoiceField(label="检验机构", queryset=None, empty_label="请选择")
    due_on = forms.DateField(
        label="抽样期限",
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
        help_text="留空：计划明细所在月份的最后一天",
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        active = Organisation.objects.filter(is_active=True).order_by("name")
        self.fields["sampling_org"].queryset = active.filter(kind=OrganisationKind.SAMPLER)
        self.fields["lab"].queryset = active.filter(kind=OrganisationKind.LAB)
        self.fields["enterprises"].queryset = candidates
        self.fields["sampling_org"].widget.attrs["class"] = "form-select"
        self.fields["lab"].widget.attrs["class"] = "form-select"


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="取消原因",
        min_length=4,
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control", "placeholder": "如：企业已停业，无法抽样"}),
        error_messages={"required": "请写明取消原因", "min_length": "请写明取消原因（至少 4 个字）"},
    )


class AttachmentForm(forms.Form):
    """The attachment upload of the sample page (files come from ``request.FILES``; checked by the service)."""

    kind = forms.ChoiceField(
        label="附件类型",
        choices=AttachmentKind.choices,
        initial=AttachmentKind.PHOTO,
        error_messages={"required": "请选择附件类型", "invalid_choice": "附件类型无效"},
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    caption = forms.CharField(
        label="说明", required=False, max_length=200, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    reason = forms.CharField(
        label="补充/更正原因",
        required=False,
        max_length=200,
        help_text="样品送检后必填",
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    corrects = forms.ChoiceField(
        label="更正的附件", required=False, widget=forms.Select(attrs={"class": "form-select"})
    )

    def __init__(self, *args, attachments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["corrects"].choices = [("", "（不是更正）")] + [
            (str(a.pk), f"{a.get_kind_display()} {a.sha256[:12]}") for a in attachments
        ]
        self.fields["corrects"].error_messages["invalid_choice"] = "要更正的附件不属于此样品"
