"""One FilterSet for the registry, shared by the list page, the API and the Excel export (STYLE.md §3.7).

Parameters (all optional, combinable):
    township (id, repeatable) · township__code (repeatable) · business_type (id) · business_type__code (repeatable;
    a parent type includes its children, e.g. 单位食堂 includes 学校食堂) · status · scale · area_type ·
    sunshine_kitchen · sunshine_kitchen_online · online_catering · responsibility_list · liability_insurance ·
    cold_chain · has_third_party_evaluator · brand_tag · licence_kind · licence_expires_before=<date> (an active
    licence expiring before that day, i.e. also already expired ones) · licence_expires_within=<days> (an active
    licence expiring from today up to that many days ahead) · uscc_warning (rows saved with a check override) ·
    q (name, USCC, addresses, licence number) · import_record=<uuid> (the rows of one Excel import) · ordering.

An empty value is no filter (``BaseFilterSet``: a browser submits the untouched fields as ``?status=``).
A township outside the caller's scope filters to nothing (the queryset is already scoped); it is not an error.
"""

import datetime as dt

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from apps.accounts.models import Township
from apps.common.filters import BaseFilterSet, StableOrderingFilter

from .choices import AreaType, BrandTag, EnterpriseStatus, LicenceKind, Scale, Sector
from .identifiers import normalize_code
from .models import BusinessType, Enterprise, Licence

BOOLEAN_CHOICES = (("true", "是"), ("false", "否"))
FLAG_FIELDS = (
    ("sunshine_kitchen", "阳光厨房"),
    ("sunshine_kitchen_online", "阳光厨房已联网"),
    ("online_catering", "网络餐饮"),
    ("responsibility_list", "主体责任清单"),
    ("liability_insurance", "食品安全责任保险"),
    ("cold_chain", "冷链"),
)
MAX_EXPIRY_DAYS = 3650


def _active_licences():
    return Licence.objects.filter(enterprise=OuterRef("pk"), is_active=True)


class EnterpriseFilterSet(BaseFilterSet):
    township = django_filters.ModelMultipleChoiceFilter(
        queryset=Township.objects.all(), label="所属镇街", distinct=False
    )
    township__code = django_filters.MultipleChoiceFilter(
        field_name="township__code",
        label="镇街代码",
        choices=lambda: list(Township.objects.values_list("code", "name")),
    )
    business_type = django_filters.ModelMultipleChoiceFilter(
        queryset=BusinessType.objects.all(), label="业态", distinct=False, method="filter_business_type"
    )
    business_type__code = django_filters.MultipleChoiceFilter(
        label="业态代码",
        choices=lambda: list(BusinessType.objects.values_list("code", "name")),
        method="filter_business_type_code",
    )
    status = django_filters.MultipleChoiceFilter(choices=EnterpriseStatus.choices, label="经营状态")
    scale = django_filters.MultipleChoiceFilter(choices=Scale.choices, label="规模")
    area_type = django_filters.ChoiceFilter(choices=AreaType.choices, label="城乡")
    sector = django_filters.ChoiceFilter(choices=Sector.choices, label="监管环节", field_name="business_type__sector")
    responsibility_list_required = django_filters.BooleanFilter(
        label="应建主体责任清单", method="filter_responsibility_required"
    )
    has_health_certs = django_filters.BooleanFilter(label="登记了健康证", method="filter_has_health_certs")
    health_cert_valid_on = django_filters.DateFilter(label="健康证在该日全部有效", method="filter_health_valid_on")
    sunshine_kitchen = django_filters.BooleanFilter(label="阳光厨房")
    sunshine_kitchen_online = django_filters.BooleanFilter(label="阳光厨房已联网")
    online_catering = django_filters.BooleanFilter(label="网络餐饮")
    responsibility_list = django_filters.BooleanFilter(label="主体责任清单")
    liability_insurance = django_filters.BooleanFilter(label="食品安全责任保险")
    cold_chain = django_filters.BooleanFilter(label="冷链")
    has_third_party_evaluator = django_filters.BooleanFilter(label="有第三方评估", method="filter_evaluator")
    brand_tag = django_filters.ChoiceFilter(choices=BrandTag.choices, label="品牌标识", method="filter_brand_tag")
    uscc_warning = django_filters.BooleanFilter(label="代码校验有例外", method="filter_uscc_warning")
    licence_kind = django_filters.MultipleChoiceFilter(
        choices=LicenceKind.choices, label="证照类型", method="filter_licence_kind"
    )
    licence_expires_before = django_filters.DateFilter(label="证照到期早于", method="filter_expires_before")
    licence_expires_within = django_filters.NumberFilter(
        label="证照在 N 天内到期",
        method="filter_expires_within",
        min_value=0,
        max_value=MAX_EXPIRY_DAYS,
        decimal_places=0,
    )
    q = django_filters.CharFilter(label="搜索", method="filter_q")
    import_record = django_filters.UUIDFilter(label="导入批次", method="filter_import_record")
    ordering = StableOrderingFilter(
        fields=(("name", "name"), ("updated_at", "updated_at"), ("uscc", "uscc"), ("id", "id")),
        field_labels={"name": "名称", "updated_at": "更新时间", "uscc": "统一社会信用代码", "id": "编号"},
        label="排序",
    )

    class Meta:
        model = Enterprise
        fields: list[str] = []

    # ---------------------------------------------------------------------------------------- methods
    def filter_business_type(self, queryset, name, value):
        if not value:
            return queryset
        ids = {bt.pk for bt in value}
        ids |= set(BusinessType.objects.filter(parent_id__in=ids).values_list("pk", flat=True))
        return queryset.filter(business_type_id__in=ids)

    def filter_business_type_code(self, queryset, name, value):
        if not value:
            return queryset
        types = BusinessType.objects.filter(Q(code__in=value) | Q(parent__code__in=value))
        return queryset.filter(business_type__in=types)

    def filter_responsibility_required(self, queryset, name, value):
        from .measures import responsibility_list_q

        if value is None:
            return queryset
        return queryset.filter(responsibility_list_q()) if value else queryset.exclude(responsibility_list_q())

    def filter_has_health_certs(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(health_cert_count__gt=0) if value else queryset.filter(health_cert_count=0)

    def filter_health_valid_on(self, queryset, name, value):
        from .measures import health_certs_valid_q

        if not value:
            return queryset
        return queryset.filter(health_certs_valid_q(value))

    def filter_evaluator(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.exclude(third_party_evaluator="") if value else queryset.filter(third_party_evaluator="")

    def filter_brand_tag(self, queryset, name, value):
        if not value:
            return queryset
        # brand_tags holds at most one of each tag; index lookups work on SQLite and PostgreSQL alike.
        return queryset.filter(Q(brand_tags__0=value) | Q(brand_tags__1=value))

    def filter_import_record(self, queryset, name, value):
        """The rows of one committed Excel import (its 查看结果 link); the queryset is already scoped."""
        from .models import ImportRow

        if not value:
            return queryset
        return queryset.filter(Exists(ImportRow.objects.filter(record_id=value, enterprise=OuterRef("pk"))))

    def filter_uscc_warning(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.exclude(uscc_warning="") if value else queryset.filter(uscc_warning="")

    def filter_licence_kind(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(Exists(_active_licences().filter(kind__in=value)))

    def filter_expires_before(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(Exists(_active_licences().filter(expires_on__lt=value)))

    def filter_expires_within(self, queryset, name, value):
        if value is None:
            return queryset
        days = int(value)
        today = timezone.localdate()
        return queryset.filter(
            Exists(_active_licences().filter(expires_on__gte=today, expires_on__lte=today + dt.timedelta(days=days)))
        )

    def filter_q(self, queryset, name, value):
        text = (value or "").strip()
        if not text:
            return queryset
        cond = Q(name__icontains=text) | Q(business_address__icontains=text) | Q(registered_address__icontains=text)
        code = normalize_code(text)
        if code and code.isalnum():
            cond |= Q(uscc__contains=code)
            cond |= Exists(Licence.objects.filter(enterprise=OuterRef("pk"), number=code))
        return queryset.filter(cond)
