"""Forms of the registry pages. They only collect input: the services validate identifiers and scope and write.

Township choices are limited to the actor's townships (the same rule as ``visible_to``), so a foreign township id
posted by hand is an invalid choice before the service even sees it.
"""

from django import forms

from apps.common.exceptions import DomainError

from .choices import AreaType, BrandTag, EnterpriseStatus, LicenceKind, Scale
from .models import FoodCategory
from .selectors import business_types_active, townships_for
from .services import FIELD_LABELS

DATE_INPUT = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")


def _bootstrap(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.HiddenInput):
            continue
        if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
            widget.attrs.setdefault("class", "form-check-input")
            continue
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")


class InvalidMarkMixin:
    """Adds Bootstrap's ``is-invalid`` to a widget that has an error."""

    def add_error(self, field, error):
        super().add_error(field, error)
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                css = widget.attrs.get("class", "")
                if "is-invalid" not in css:
                    widget.attrs["class"] = f"{css} is-invalid".strip()


def apply_domain_error(form: forms.Form, exc: DomainError) -> None:
    """Service errors → field errors where a field of that name exists, else a form-wide error."""
    placed = False
    for key, messages in (exc.fields or {}).items():
        target = key if key in form.fields else None
        for message in messages if isinstance(messages, list | tuple) else [messages]:
            label = "" if target else f"{FIELD_LABELS.get(key, key)}："
            form.add_error(target, f"{label}{message}")
            placed = True
    if not placed:
        form.add_error(None, exc.message)


class EnterpriseForm(InvalidMarkMixin, forms.Form):
    """Create (with township) and edit (township shown, not editable; hidden version for optimistic locking)."""

    name = forms.CharField(label="名称", max_length=200)
    uscc = forms.CharField(
        label="统一社会信用代码",
        max_length=40,
        required=False,
        help_text="18 位，不含 I、O、S、V、Z；可粘贴全角字符和空格，保存时自动规范。",
    )
    uscc_override_reason = forms.CharField(
        label="校验位例外说明",
        max_length=200,
        required=False,
        help_text="仅当代码校验位不符、但证照上确实如此时填写（会记入审计日志）。",
    )
    township = forms.ModelChoiceField(label="所属镇街", queryset=None, empty_label="请选择")
    business_type = forms.ModelChoiceField(label="业态", queryset=None, empty_label="请选择")
    legal_representative = forms.CharField(label="法定代表人/负责人", max_length=50, required=False)
    contact_person = forms.CharField(label="联系人", max_length=50, required=False)
    contact_phone = forms.CharField(label="联系电话", max_length=30, required=False)
    registered_address = forms.CharField(label="注册地址", max_length=255, required=False)
    business_address = forms.CharField(label="经营地址", max_length=255, required=False)
    scale = forms.ChoiceField(label="规模", choices=Scale.choices, initial=Scale.SMALL)
    area_type = forms.ChoiceField(label="城乡", choices=AreaType.choices, initial=AreaType.URBAN)
    food_categories = forms.ModelMultipleChoiceField(
        label="食品类别", queryset=FoodCategory.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    sunshine_kitchen = forms.BooleanField(label="阳光厨房", required=False)
    sunshine_kitchen_online = forms.BooleanField(label="阳光厨房已联网", required=False)
    online_catering = forms.BooleanField(label="网络餐饮", required=False)
    responsibility_list = forms.BooleanField(label="主体责任清单", required=False)
    responsibility_list_date = forms.DateField(label="责任清单日期", required=False, widget=DATE_INPUT)
    liability_insurance = forms.BooleanField(label="食品安全责任保险", required=False)
    cold_chain = forms.BooleanField(label="冷链", required=False)
    third_party_evaluator = forms.CharField(label="第三方评估机构", max_length=100, required=False)
    brand_tags = forms.MultipleChoiceField(
        label="品牌标识", choices=BrandTag.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    health_cert_count = forms.IntegerField(label="从业人员健康证数", min_value=0, initial=0)
    health_cert_next_expiry = forms.DateField(label="最近健康证到期日", required=False, widget=DATE_INPUT)
    latitude = forms.DecimalField(label="纬度", max_digits=9, decimal_places=6, required=False)
    longitude = forms.DecimalField(label="经度", max_digits=9, decimal_places=6, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    FLAG_FIELDS = (
        "sunshine_kitchen",
        "sunshine_kitchen_online",
        "online_catering",
        "responsibility_list",
        "liability_insurance",
        "cold_chain",
    )

    def __init__(self, *args, actor, instance=None, **kwargs):
        self.actor, self.instance = actor, instance
        data = args[0] if args else kwargs.get("data")
        if instance is not None and data is None:
            kwargs["initial"] = self.initial_from(instance)
        super().__init__(*args, **kwargs)
        self.fields["township"].queryset = townships_for(actor)
        self.fields["business_type"].queryset = business_types_active()
        if instance is not None:
            del self.fields["township"]  # fixed after creation (a privilege field, STYLE.md §3.6)
        else:
            del self.fields["version"]
            townships = list(self.fields["township"].queryset[:2])
            if len(townships) == 1:
                self.fields["township"].initial = townships[0].pk
        _bootstrap(self)

    @staticmethod
    def initial_from(ent) -> dict:
        data = {
            key: getattr(ent, key)
            for key in (
                "name",
                "uscc",
                "uscc_override_reason",
                "legal_representative",
                "contact_person",
                "contact_phone",
                "registered_address",
                "business_address",
                "scale",
                "area_type",
                "responsibility_list_date",
                "third_party_evaluator",
                "health_cert_count",
                "health_cert_next_expiry",
                "latitude",
                "longitude",
                "version",
                *EnterpriseForm.FLAG_FIELDS,
            )
        }
        data["business_type"] = ent.business_type_id
        data["food_categories"] = [c.pk for c in ent.food_categories.all()]
        data["brand_tags"] = list(ent.brand_tags or [])
        return data

    def service_data(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k != "version"}
        data["food_categories"] = list(data.get("food_categories") or [])
        if self.instance is not None:
            data.pop("township", None)
        return data

    @property
    def flag_fields(self):
        return [self[name] for name in self.FLAG_FIELDS]

    @property
    def category_groups(self):
        """Food-category checkboxes grouped by sector, the business type's sector first and open; a group is also
        open when one of its boxes is ticked (or on a new record, where the sector is not known yet)."""
        from .choices import Sector

        sector_of = dict(FoodCategory.objects.values_list("pk", "sector"))
        groups = {code: (label, []) for code, label in Sector.choices}
        for box in self["food_categories"]:
            groups[sector_of.get(int(str(box.data["value"])), Sector.PRODUCTION)][1].append(box)
        order = [Sector.CATERING, Sector.SALES, Sector.PRODUCTION]
        bt = self.instance.business_type if self.instance is not None else None
        if bt is not None:
            order.sort(key=lambda code: code != bt.sector)
        chosen = {str(v) for v in (self["food_categories"].value() or [])}
        out = []
        for i, code in enumerate(order):
            label, boxes = groups[code]
            if boxes:
                is_open = i == 0 or bt is None or any(str(b.data["value"]) in chosen for b in boxes)
                out.append((label, boxes, is_open))
        return out

    @property
    def expected_version(self):
        return self.cleaned_data.get("version") if self.instance is not None else None


class DeactivateForm(InvalidMarkMixin, forms.Form):
    status = forms.ChoiceField(
        label="变更为",
        choices=[
            (EnterpriseStatus.SUSPENDED, "停业（暂停经营，可恢复）"),
            (EnterpriseStatus.CANCELLED, "注销（不可恢复）"),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label="原因", max_length=200, widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].widget.attrs["class"] = "form-control"


class LicenceForm(InvalidMarkMixin, forms.Form):
    kind = forms.ChoiceField(label="证照类型", choices=LicenceKind.choices)
    number = forms.CharField(label="编号", max_length=40, help_text="SC/JY/YB 为 2 位字母 + 14 位数字")
    issued_on = forms.DateField(label="发证日期", required=False, widget=DATE_INPUT)
    expires_on = forms.DateField(label="有效期至", required=False, widget=DATE_INPUT)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self)

    def service_data(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class EnterpriseFilterForm(forms.Form):
    """Renders the list page's filter bar. The parameter names are those of ``EnterpriseFilterSet``, which does
    the filtering (page, API and export alike); this form only draws the controls and keeps their values."""

    TRI = (("", "不限"), ("true", "是"), ("false", "否"))
    q = forms.CharField(label="搜索", required=False)
    township = forms.ChoiceField(label="所属镇街", required=False)
    business_type__code = forms.ChoiceField(label="业态", required=False)
    status = forms.ChoiceField(label="经营状态", required=False, choices=[("", "全部"), *EnterpriseStatus.choices])
    licence_kind = forms.ChoiceField(label="证照类型", required=False, choices=[("", "不限"), *LicenceKind.choices])
    licence_expires_within = forms.ChoiceField(
        label="证照到期",
        required=False,
        choices=[
            ("", "不限"),
            ("30", "30 天内到期"),
            ("60", "60 天内到期"),
            ("90", "90 天内到期"),
            ("180", "180 天内到期"),
        ],
    )
    licence_expires_before = forms.DateField(label="证照到期早于", required=False, widget=DATE_INPUT)
    sunshine_kitchen = forms.ChoiceField(label="阳光厨房", required=False, choices=TRI)
    sunshine_kitchen_online = forms.ChoiceField(label="阳光厨房已联网", required=False, choices=TRI)
    online_catering = forms.ChoiceField(label="网络餐饮", required=False, choices=TRI)
    responsibility_list = forms.ChoiceField(label="主体责任清单", required=False, choices=TRI)
    liability_insurance = forms.ChoiceField(label="责任保险", required=False, choices=TRI)
    cold_chain = forms.ChoiceField(label="冷链", required=False, choices=TRI)
    has_third_party_evaluator = forms.ChoiceField(label="第三方评估", required=False, choices=TRI)
    area_type = forms.ChoiceField(label="城乡", required=False, choices=[("", "不限"), *AreaType.choices])

    FLAG_NAMES = (
        "sunshine_kitchen",
        "sunshine_kitchen_online",
        "online_catering",
        "responsibility_list",
        "liability_insurance",
        "cold_chain",
        "has_third_party_evaluator",
        "area_type",
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        townships = list(townships_for(actor))
        self.fields["township"].choices = [("", "全部镇街" if len(townships) > 1 else "本镇街")] + [
            (str(t.pk), t.name) for t in townships
        ]
        self.show_township = len(townships) > 1
        self.fields["business_type__code"].choices = [("", "全部业态")] + [
            (bt.code, f"└ {bt.name}" if bt.parent_id else bt.name) for bt in business_types_active()
        ]
        self.fields["q"].widget.attrs.update(
            {"placeholder": "名称、统一社会信用代码、地址或证照编号", "type": "search", "autocomplete": "off"}
        )
        _bootstrap(self)
        for name in self.fields:
            widget = self.fields[name].widget
            widget.attrs["class"] = widget.attrs.get("class", "") + (
                " form-select-sm" if isinstance(widget, forms.Select) else " form-control-sm"
            )

    @property
    def flag_fields(self):
        return [self[name] for name in (*self.FLAG_NAMES, "licence_kind", "licence_expires_before")]

    @property
    def flags_active(self) -> int:
        data = self.data or {}
        return sum(1 for name in (*self.FLAG_NAMES, "licence_kind", "licence_expires_before") if data.get(name))
