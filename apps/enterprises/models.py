"""检查对象名录库: food businesses, their licences and flags (PRODUCT.md §2, DOMAIN.md §S and §4)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from apps.common.models import TimeStampedModel
from apps.common.scoping import ScopedQuerySet

from .choices import AreaType, EnterpriseStatus, LicenceKind, Scale, Sector


class BusinessType(models.Model):
    """业态, as data (extensible): 食品生产, 餐饮服务, 单位食堂 › 学校食堂, 中央厨房, 农村家宴中心 ..."""

    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=50, unique=True)
    sector = models.CharField("监管环节", max_length=16, choices=Sector.choices)
    parent = models.ForeignKey(
        "self", verbose_name="上级业态", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    licence_kinds = models.JSONField("适用许可/登记类型", default=list, blank=True)
    is_key_supervision = models.BooleanField(
        "重点监管业态", default=False, help_text="中央厨房、集中用餐配送、学校食堂、保健食品等"
    )
    order = models.PositiveSmallIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "业态"
        verbose_name_plural = "业态"
        ordering = ["order", "id"]

    def __str__(self):
        return self.name


class FoodCategory(models.Model):
    """食品类别 held by a business (licence categories for producers; operating categories for others)."""

    code = models.CharField("代码", max_length=20, unique=True)
    name = models.CharField("名称", max_length=50)
    sector = models.CharField("监管环节", max_length=16, choices=Sector.choices)
    order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "食品类别"
        verbose_name_plural = "食品类别"
        ordering = ["sector", "order", "id"]

    def __str__(self):
        return self.name


class EnterpriseQuerySet(ScopedQuerySet):
    def operating(self):
        return self.filter(status=EnterpriseStatus.OPERATING)

    # The township rule (ScopedQuerySet). Inspectors also see the enterprises of their assigned tasks: that rule is
    # registered by the inspections app (apps.common.scoping.register_visibility_rule), this app does not name it.


class Enterprise(TimeStampedModel):
    SCOPE_PATH = "township"

    name = models.CharField("名称", max_length=200, db_index=True)
    # kept by the registry's cleaning (apps/enterprises/pinyin.py): search-as-you-type by initials (hnsx…)
    name_initials = models.CharField("名称拼音首字母", max_length=100, blank=True, default="", editable=False)
    uscc = models.CharField("统一社会信用代码", max_length=18, null=True, blank=True, unique=True)
    uscc_override_reason = models.CharField(
        "校验位例外说明", max_length=200, blank=True, help_text="统一社会信用代码校验位不符时必须说明理由"
    )
    uscc_warning = models.CharField(
        "代码校验提示", max_length=200, blank=True, help_text="校验位不符的具体情况（经说明理由后保存）"
    )
    legal_representative = models.CharField("法定代表人/负责人", max_length=50, blank=True)
    contact_person = models.CharField("联系人", max_length=50, blank=True)
    contact_phone = models.CharField("联系电话", max_length=30, blank=True)
    registered_address = models.CharField("注册地址", max_length=255, blank=True)
    business_address = models.CharField("经营地址", max_length=255, blank=True)
    township = models.ForeignKey(
        "accounts.Township", verbose_name="所属镇街", on_delete=models.PROTECT, related_name="enterprises"
    )
    latitude = models.DecimalField("纬度", max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField("经度", max_digits=9, decimal_places=6, null=True, blank=True)
    status = models.CharField(
        "经营状态", max_length=16, choices=EnterpriseStatus.choices, default=EnterpriseStatus.OPERATING, db_index=True
    )
    business_type = models.ForeignKey(
        BusinessType, verbose_name="业态", on_delete=models.PROTECT, related_name="enterprises"
    )
    food_categories = models.ManyToManyField(
        FoodCategory, verbose_name="食品类别", blank=True, related_name="enterprises"
    )
    scale = models.CharField("规模", max_length=16, choices=Scale.choices, default=Scale.SMALL)
    area_type = models.CharField("城乡", max_length=8, choices=AreaType.choices, default=AreaType.URBAN)

    # Flags asked for by the Haining opinion (DOMAIN.md §S)
    sunshine_kitchen = models.BooleanField("阳光厨房", default=False)
    sunshine_kitchen_online = models.BooleanField("阳光厨房已联网", default=False)
    online_catering = models.BooleanField("网络餐饮", default=False)
    responsibility_list = models.BooleanField("主体责任清单", default=False)
    responsibility_list_date = models.DateField("责任清单日期", null=True, blank=True)
    liability_insurance = models.BooleanField("食品安全责任保险", default=False)
    third_party_evaluator = models.CharField("第三方评估机构", max_length=100, blank=True)
    cold_chain = models.BooleanField("冷链", default=False)
    brand_tags = models.JSONField("品牌标识", default=list, blank=True, help_text="pinzibiao=品字标, gi=地理标志")

    health_cert_count = models.PositiveIntegerField("从业人员健康证数", default=0)
    health_cert_next_expiry = models.DateField("最近健康证到期日", null=True, blank=True)

    version = models.PositiveIntegerField("版本", default=1)
    deactivated_at = models.DateTimeField("停业/注销时间", null=True, blank=True)
    status_reason = models.CharField("停业/注销原因", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="创建人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="最后修改人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = EnterpriseQuerySet.as_manager()

    class Meta:
        verbose_name = "检查对象"
        verbose_name_plural = "检查对象"
        ordering = ["township__order", "name", "id"]
        indexes = [
            models.Index(fields=["township", "status"]),
            models.Index(fields=["updated_at", "id"]),
            models.Index(fields=["business_type", "status"]),
            models.Index(fields=["township", "name", "id"], name="enterprise_list_order"),
        ]
        permissions = [
            ("import_enterprise", "可从 Excel 导入检查对象"),
            ("export_enterprise", "可导出检查对象"),
            ("view_contact_phone", "可查看检查对象联系电话全号"),
        ]
        constraints = [
            # 停业/注销 always carry the time they happened; 营业 never does.
            models.CheckConstraint(
                condition=(models.Q(status=EnterpriseStatus.OPERATING) & models.Q(deactivated_at__isnull=True))
                | (~models.Q(status=EnterpriseStatus.OPERATING) & models.Q(deactivated_at__isnull=False)),
                name="enterprise_deactivated_at_matches_status",
            ),
            models.CheckConstraint(
                condition=models.Q(sunshine_kitchen_online=False) | models.Q(sunshine_kitchen=True),
                name="enterprise_sunshine_online_needs_sunshine",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def etag(self) -> str:
        return f'"{self.pk}-{self.version}"'


class Licence(TimeStampedModel):
    SCOPE_PATH = "enterprise__township"

    enterprise = models.ForeignKey(
        Enterprise, verbose_name="检查对象", on_delete=models.CASCADE, related_name="licences"
    )
    kind = models.CharField("类型", max_length=4, choices=LicenceKind.choices)
    number = models.CharField("编号", max_length=40)
    issued_on = models.DateField("发证日期", null=True, blank=True)
    expires_on = models.DateField("有效期至", null=True, blank=True, db_index=True)
    is_active = models.BooleanField("有效", default=True)
    check_warning = models.CharField("校验提示", max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "许可证/登记证"
        verbose_name_plural = "许可证/登记证"
        ordering = ["enterprise_id", "kind", "number"]
        constraints = [models.UniqueConstraint(fields=["kind", "number"], name="uniq_licence_kind_number")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.number}"


class ImportStatus(models.TextChoices):
    CHECKING = "checking", "预检中"
    CHECKED = "checked", "预检通过"
    INVALID = "invalid", "预检未通过"
    QUEUED = "queued", "导入中"
    COMMITTED = "committed", "已导入"
    FAILED = "failed", "导入失败"


class ImportRecord(models.Model):
    """One Excel upload of the registry: its dry-run report, its status and, once committed, its audit event.

    The uploaded workbook itself lives in ``MEDIA_ROOT/imports/<id hex>.xlsx`` only while it can still be imported
    (deleted after the commit or after the TTL). Committed records are kept: their rows are the enterprises'
    change history (变更记录).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("上传时间", default=timezone.now, db_index=True)
    filename = models.CharField("文件名", max_length=120)
    sha256 = models.CharField("SHA-256", max_length=64)
    size = models.PositiveIntegerField("大小（字节）", default=0)
    rows = models.PositiveIntegerField("数据行数", default=0)
    status = models.CharField("状态", max_length=12, choices=ImportStatus.choices, db_index=True)
    seconds = models.FloatField("预检用时（秒）", default=0)
    rejected = models.BooleanField("整个文件被拒绝", default=False)
    error_count = models.PositiveIntegerField("错误数", default=0)
    errors = models.JSONField("错误（前 20,000 条）", default=list, blank=True)
    warning_count = models.PositiveIntegerField("提示数", default=0)
    warnings = models.JSONField("提示（前 20,000 条）", default=list, blank=True)
    counts = models.JSONField("预检计数", default=dict, blank=True)
    result = models.JSONField("导入结果", default=dict, blank=True)
    check_job = models.ForeignKey(
        "common.Job", verbose_name="预检任务", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    job = models.ForeignKey(
        "common.Job", verbose_name="导入任务", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    audit_event = models.ForeignKey(
        "common.AuditEvent",
        verbose_name="审计事件",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    committed_at = models.DateTimeField("导入时间", null=True, blank=True)

    class Meta:
        verbose_name = "检查对象导入记录"
        verbose_name_plural = "检查对象导入记录"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.filename}（{self.get_status_display()}）"


class ImportOutcome(models.TextChoices):
    NEW = "new", "新增"
    CHANGED = "changed", "更新"
    UNCHANGED = "unchanged", "无变化"


class ImportRow(models.Model):
    """One data row of an import: what the dry run found it would do, then what the commit did (with the
    enterprise), and the fields it changed as ``{field: [before, after]}`` in the audit events' vocabulary."""

    # no single-column indexes on the two keys: the composite indexes below lead with each of them
    record = models.ForeignKey(
        ImportRecord, verbose_name="导入记录", on_delete=models.CASCADE, related_name="lines", db_index=False
    )
    row_number = models.PositiveIntegerField("行号")
    uscc = models.CharField("统一社会信用代码", max_length=18, blank=True)
    name = models.CharField("名称", max_length=200, blank=True)
    outcome = models.CharField("结果", max_length=10, choices=ImportOutcome.choices)
    changes = models.JSONField("变更字段", default=dict, blank=True)
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name="检查对象",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
    )

    class Meta:
        verbose_name = "导入行"
        verbose_name_plural = "导入行"
        ordering = ["record_id", "row_number"]
        indexes = [
            models.Index(fields=["record", "outcome", "row_number"], name="importrow_record_outcome"),
            models.Index(fields=["enterprise", "record"], name="importrow_enterprise"),
        ]

    def __str__(self):
        return f"第 {self.row_number} 行 {self.name}（{self.get_outcome_display()}）"
