"""Yearly sampling plans (抽检计划), their lines (township × category × month × source) and the organisations of
抽检分离 (sampling organisations and labs)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from apps.common.models import StatusTransitions, TimeStampedModel
from apps.common.scoping import ScopedQuerySet

from ..choices import (
    PLAN_TRANSITIONS,
    LineOrigin,
    LineSource,
    OrganisationKind,
    PlanStatus,
    SamplingPurpose,
)


class Organisation(TimeStampedModel):
    """A sampling organisation (抽样机构) or a testing lab (检验机构). City-wide reference data.

    ``members`` are the platform accounts that act for it (samplers, lab staff, a lab's API client). Two
    organisations with the same USCC are one legal person: 抽检分离 compares USCCs, not only rows."""

    name = models.CharField("名称", max_length=100, unique=True)
    kind = models.CharField("类型", max_length=12, choices=OrganisationKind.choices)
    uscc = models.CharField("统一社会信用代码", max_length=18, blank=True)
    address = models.CharField("地址", max_length=200, blank=True)
    contact_person = models.CharField("联系人", max_length=50, blank=True)
    phone = models.CharField("电话", max_length=30, blank=True)
    email = models.CharField("电子邮箱", max_length=100, blank=True)
    fax = models.CharField("传真", max_length=30, blank=True)
    province = models.CharField("所在省份", max_length=20, blank=True, default="浙江省")
    is_recheck_lab = models.BooleanField("复检机构名录", default=False, help_text="可承担复检（检验机构）")
    is_active = models.BooleanField("启用", default=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name="人员", blank=True, related_name="sampling_organisations"
    )

    class Meta:
        verbose_name = "抽样/检验机构"
        verbose_name_plural = "抽样/检验机构"
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=OrganisationKind.values), name="organisation_kind_valid"
            ),
        ]

    def __str__(self):
        return self.name


class SamplingPlan(StatusTransitions, TimeStampedModel):
    """The city's plan of a year for one purpose (监督抽检 / 风险监测 / 评价性抽检). City-wide: every township sees it;
    its lines are township-scoped."""

    TRANSITIONS = PLAN_TRANSITIONS

    year = models.PositiveSmallIntegerField("年度", validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    name = models.CharField("计划名称", max_length=120)
    purpose = models.CharField("任务类别", max_length=12, choices=SamplingPurpose.choices)
    organiser = models.CharField("组织部门", max_length=100, default="海宁市市场监督管理局")
    status = models.CharField("状态", max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    approved_at = models.DateTimeField("下达时间", null=True, blank=True)
    note = models.TextField("说明", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="编制人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "抽检计划"
        verbose_name_plural = "抽检计划"
        permissions = [("approve_samplingplan", "下达抽检计划"), ("run_quota_report", "生成抽检配额报表")]
        ordering = ["-year", "purpose", "name"]
        constraints = [
            models.UniqueConstraint(fields=["year", "name"], name="uniq_samplingplan_year_name"),
            models.CheckConstraint(
                condition=models.Q(purpose__in=SamplingPurpose.values), name="samplingplan_purpose_valid"
            ),
            models.CheckConstraint(condition=models.Q(status__in=PlanStatus.values), name="samplingplan_status_valid"),
        ]

    def __str__(self):
        return f"{self.year} {self.name}"


class PlanLineQuerySet(ScopedQuerySet):
    pass


class PlanLine(TimeStampedModel):
    """One line of a plan: ``batches`` samples of a category in a township in a month, from a source (三位一体).

    A targeted line may name the enterprise; ``origin`` / ``origin_ref`` say where the line came from (a suggestion
    with its reasons, a vote topic, a consultation decision)."""

    SCOPE_PATH = "township"

    plan = models.ForeignKey(SamplingPlan, verbose_name="计划", on_delete=models.CASCADE, related_name="lines")
    township = models.ForeignKey("accounts.Township", verbose_name="镇街", on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey(
        "standards.SamplingCategory", verbose_name="抽检分类", on_delete=models.PROTECT, related_name="+"
    )
    month = models.PositiveSmallIntegerField("月份", validators=[MinValueValidator(1), MaxValueValidator(12)])
    source = models.CharField("来源", max_length=10, choices=LineSource.choices, default=LineSource.ROUTINE)
    batches = models.PositiveIntegerField("批次", validators=[MinValueValidator(1), MaxValueValidator(100000)])
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name="指定对象",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    business_type = models.ForeignKey(
        "enterprises.BusinessType",
        verbose_name="业态",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    origin = models.CharField("编制依据", max_length=14, choices=LineOrigin.choices, default=LineOrigin.MANUAL)
    origin_ref = models.CharField(
        "依据记录", max_length=40, blank=True, help_text="例如 vote-topic:3、consultation-decision:7"
    )
    reasons = models.JSONField("理由与权重", default=list, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)

    objects = PlanLineQuerySet.as_manager()

    class Meta:
        verbose_name = "抽检计划明细"
        verbose_name_plural = "抽检计划明细"
        ordering = ["plan", "township__order", "month", "category__order"]
        indexes = [models.Index(fields=["township", "month"], name="planline_township_month")]
        constraints = [
            models.CheckConstraint(condition=models.Q(month__gte=1, month__lte=12), name="planline_month_1_12"),
            models.CheckConstraint(condition=models.Q(batches__gte=1), name="planline_batches_ge_1"),
            models.CheckConstraint(condition=models.Q(source__in=LineSource.values), name="planline_source_valid"),
        ]

    def __str__(self):
        return f"{self.township} {self.month}月 {self.category} {self.batches}批"
