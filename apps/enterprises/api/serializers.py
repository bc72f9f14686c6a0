"""Input and output serializers of /api/v1/enterprises/ (separate: an output serializer never takes input)."""

from django.core.validators import RegexValidator
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.accounts.models import Township
from apps.common.api.serializers import RoundedDecimalField, StrictInputSerializer
from apps.common.scoping import user_sees_all_townships, user_township_ids

from ..choices import AreaType, BrandTag, EnterpriseStatus, LicenceKind, Scale
from ..models import BusinessType, Enterprise, FoodCategory, Licence

# Written only by the services; sending one is a 400 naming the field (SECURITY.md API-01).
PROTECTED_FIELDS = {
    "id": "编号由系统生成",
    "status": "经营状态请通过 deactivate / reactivate 操作修改",
    "status_label": "只读字段",
    "status_reason": "经营状态请通过 deactivate / reactivate 操作修改",
    "deactivated_at": "经营状态请通过 deactivate / reactivate 操作修改",
    "version": "版本号由系统维护，请通过 If-Match 请求头提交",
    "etag": "只读字段",
    "created_by": "只读字段",
    "updated_by": "只读字段",
    "created_at": "只读字段",
    "updated_at": "只读字段",
    "uscc_warning": "校验提示由系统生成",
    "township_name": "只读字段",
    "business_type_name": "只读字段",
}


def mask_phone(value: str) -> str:
    """138****5678 for mobiles; other numbers keep their first 3 and last 2 characters (SECURITY.md PII-01)."""
    digits = "".join(ch for ch in value if ch.isdigit())
    if not digits:
        return value
    if len(digits) == 11 and digits.startswith("1"):
        return f"{digits[:3]}****{digits[-4:]}"
    if len(digits) <= 5:
        return "*" * len(digits)
    return f"{digits[:3]}{'*' * (len(digits) - 5)}{digits[-2:]}"


def can_see_phone(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.has_perm("enterprises.view_contact_phone"))


# ------------------------------------------------------------------------------------------------ output
class LicenceOutputSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Licence
        fields = ["id", "kind", "kind_label", "number", "issued_on", "expires_on", "is_active", "check_warning"]
        read_only_fields = fields


class EnterpriseOutputSerializer(serializers.ModelSerializer):
    township = serializers.CharField(source="township.code", read_only=True, help_text="镇街代码")
    township_name = serializers.CharField(source="township.name", read_only=True)
    business_type = serializers.CharField(source="business_type.code", read_only=True, help_text="业态代码")
    business_type_name = serializers.CharField(source="business_type.name", read_only=True)
    food_categories = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    contact_phone = serializers.SerializerMethodField(help_text="无“查看联系电话全号”权限时脱敏显示")
    licences = LicenceOutputSerializer(many=True, read_only=True)
    etag = serializers.CharField(read_only=True, help_text="用于 If-Match 的版本标记")

    class Meta:
        model = Enterprise
        fields = [
            "id",
            "name",
            "uscc",
            "uscc_warning",
            "uscc_override_reason",
            "legal_representative",
            "contact_person",
            "contact_phone",
            "registered_address",
            "business_address",
            "township",
            "township_name",
            "latitude",
            "longitude",
            "status",
            "status_label",
            "status_reason",
            "deactivated_at",
            "business_type",
            "business_type_name",
            "food_categories",
            "scale",
            "area_type",
            "sunshine_kitchen",
            "sunshine_kitchen_online",
            "online_catering",
            "responsibility_list",
            "responsibility_list_date",
            "liability_insurance",
            "third_party_evaluator",
            "cold_chain",
            "brand_tags",
            "health_cert_count",
            "health_cert_next_expiry",
            "licences",
            "version",
            "etag",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_contact_phone(self, obj) -> str:
        request = self.context.get("request")
        if not obj.contact_phone or can_see_phone(getattr(request, "user", None)):
            return obj.contact_phone
        return mask_phone(obj.contact_phone)


# ------------------------------------------------------------------------------------------------ input
class ScopedTownshipField(serializers.SlugRelatedField):
    """Township by code, limited to the request user's townships (a foreign code is 'not found', ACL-04)."""

    default_error_messages = {
        "does_not_exist": "镇街不存在或不在您的管辖范围内：{value}",
        "invalid": "镇街代码无效",
    }

    def __init__(self, **kwargs):
        super().__init__(slug_field="code", queryset=Township.objects.filter(is_active=True), **kwargs)

    def get_queryset(self):
        qs = super().get_queryset()
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return qs.none()
        if user_sees_all_townships(user):
            return qs
        return qs.filter(pk__in=user_township_ids(user))


@extend_schema_field(
    {
        "type": "string",
        "anyOf": [
            {"maxLength": 0},
            {"minLength": 5, "maxLength": 30, "pattern": r"^[0-9+()\-]+(?: [0-9+()\-]+)*$"},
        ],
        "description": "联系电话：数字、空格和 + - ( )，5–30 位；空字符串表示没有",
    }
)
class PhoneField(serializers.CharField):
    """A phone number as the services take it (apps.enterprises.services.PHONE_RE), declared as such."""


class LicenceInputSerializer(StrictInputSerializer):
    kind = serializers.ChoiceField(choices=LicenceKind.choices, help_text="SC / JY / YB / DJ / DK")
    number = serializers.CharField(max_length=40)
    issued_on = serializers.DateField(required=False, allow_null=True)
    expires_on = serializers.DateField(required=False, allow_null=True)


class EnterpriseUpdateInputSerializer(StrictInputSerializer):
    """PUT / PATCH body. ``township`` cannot change; status changes go through deactivate / reactivate."""

    name = serializers.CharField(max_length=200)
    uscc = serializers.CharField(
        max_length=40,
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text="统一社会信用代码（18 位，不含 I、O、S、V、Z；全角字符与空格会被规范）",
    )
    uscc_override_reason = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text="校验位不符时必填：例外说明"
    )
    legal_representative = serializers.CharField(max_length=50, required=False, allow_blank=True)
    contact_person = serializers.CharField(max_length=50, required=False, allow_blank=True)
    contact_phone = PhoneField(
        max_length=30,
        required=False,
        allow_blank=True,
        validators=[RegexValidator(r"^(?:[0-9 +()\-]{5,30})?$", "联系电话只能包含数字、空格和 + - ( )（5–30 位）")],
    )
    registered_address = serializers.CharField(max_length=255, required=False, allow_blank=True)
    business_address = serializers.CharField(max_length=255, required=False, allow_blank=True)
    latitude = RoundedDecimalField(decimal_places=6, min_value=-90, max_value=90, required=False, allow_null=True)
    longitude = RoundedDecimalField(decimal_places=6, min_value=-180, max_value=180, required=False, allow_null=True)
    business_type = serializers.SlugRelatedField(
        slug_field="code", queryset=BusinessType.objects.filter(is_active=True), help_text="业态代码"
    )
    food_categories = serializers.SlugRelatedField(
        slug_field="code", queryset=FoodCategory.objects.all(), many=True, required=False, help_text="食品类别代码"
    )
    scale = serializers.ChoiceField(choices=Scale.choices, required=False)
    area_type = serializers.ChoiceField(choices=AreaType.choices, required=False)
    sunshine_kitchen = serializers.BooleanField(required=False)
    sunshine_kitchen_online = serializers.BooleanField(required=False)
    online_catering = serializers.BooleanField(required=False)
    responsibility_list = serializers.BooleanField(required=False)
    responsibility_list_date = serializers.DateField(required=False, allow_null=True)
    liability_insurance = serializers.BooleanField(required=False)
    third_party_evaluator = serializers.CharField(max_length=100, required=False, allow_blank=True)
    cold_chain = serializers.BooleanField(required=False)
    brand_tags = serializers.ListField(child=serializers.ChoiceField(choices=BrandTag.choices), required=False)
    health_cert_count = serializers.IntegerField(min_value=0, max_value=100000, required=False)
    health_cert_next_expiry = serializers.DateField(required=False, allow_null=True)
    licences = LicenceInputSerializer(
        many=True, required=False, help_text="完整证照清单：新增或更新列出的证照，未列出的证照置为无效"
    )

    protected_fields = dict(PROTECTED_FIELDS, township="所属镇街只能在新建时设定，不能修改")


class EnterpriseCreateInputSerializer(EnterpriseUpdateInputSerializer):
    """POST body: like PUT plus ``township`` (code, within the caller's scope)."""

    township = ScopedTownshipField(help_text="镇街代码（只能是您管辖范围内的镇街）")
    protected_fields = PROTECTED_FIELDS


class DeactivateInputSerializer(StrictInputSerializer):
    status = serializers.ChoiceField(
        choices=[(EnterpriseStatus.SUSPENDED, "停业"), (EnterpriseStatus.CANCELLED, "注销")]
    )
    reason = serializers.CharField(max_length=200)


class ReactivateInputSerializer(StrictInputSerializer):
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True)
