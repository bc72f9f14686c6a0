"""Models of assessment/campaigns (owned by that subpackage, docs/campaigns.md): the eight campaigns (八大攻坚行动,
《实施意见》三(四)), their targets as dated configuration, and the manual progress entries of the targets the
platform's data cannot compute.

* ``Campaign`` — one campaign (code, name, description, order, seed section). City-wide configuration: every role
  with the view permission reads all of them.
* ``CampaignTarget`` — one target of a campaign in force from ``effective_from`` to ``effective_to`` (inclusive;
  empty: open). Targets of the same ``code`` within a campaign are the versions of one target; the version in force
  for a year is the one with the latest ``effective_from`` on or before 31 December of that year whose
  ``effective_to`` is empty or not before 1 January. ``measure_code`` names a measure of ``apps.common.measures``
  (computed); empty means a manual target (progress entered by 市局). ``target_value`` empty: no number ("keep
  widening", the value is shown without a share).
* ``CampaignProgress`` — a manual progress value of a target for a year, for a township or (township empty) the
  city, with a note and an evidence file (checked by ``apps.common.uploads``). The latest entry (by ``as_of``, then
  id) is the current value; earlier ones stay as the history.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from apps.common.models import TimeStampedModel
from apps.common.scoping import ScopedQuerySet, user_sees_all_townships, user_township_ids


class TargetScope(models.TextChoices):
    CITY = "city", "全市"
    TOWNSHIP = "township", "各镇街"


class CityConfigQuerySet(ScopedQuerySet):
    """City-wide configuration: every signed-in, active user (with the page's view permission) reads all rows;
    ``visible_to`` still gives an anonymous or inactive caller nothing."""

    def scope_for_user(self, user):
        return self


class Campaign(TimeStampedModel):
    """One of the eight campaigns (八大专项攻坚行动)."""

    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=100)
    description = models.TextField("说明", blank=True)
    order = models.PositiveSmallIntegerField("排序", default=0)
    seed_section = models.CharField("依据条款", max_length=40, blank=True, help_text="如“三(四)”")
    is_default = models.BooleanField("默认数据", default=True, help_text="随系统提供的默认数据，待市局确认")

    objects = CityConfigQuerySet.as_manager()

    class Meta:
        verbose_name = "攻坚行动"
        verbose_name_plural = "攻坚行动"
        ordering = ["order", "id"]
        constraints = [models.CheckConstraint(condition=~Q(name=""), name="campaign_name_required")]

    def __str__(self):
        return self.name


class CampaignTarget(TimeStampedModel):
    """One version of one target of a campaign (dated configuration)."""

    campaign = models.ForeignKey(Campaign, verbose_name="攻坚行动", on_delete=models.PROTECT, related_name="targets")
    code = models.SlugField("目标代码", max_length=60, help_text="同一目标的各版本代码相同")
    label = models.CharField("目标", max_length=120)
    measure_code = models.CharField(
        "计算指标", max_length=80, blank=True, help_text="apps.common.measures 的代码；空为人工录入进展的目标"
    )
    target_value = models.DecimalField(
        "目标值",
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(10_000_000)],
        help_text="空：不设数值（持续扩大）",
    )
    unit = models.CharField("单位", max_length=20, blank=True)
    scope = models.CharField("考核范围", max_length=10, choices=TargetScope.choices, default=TargetScope.TOWNSHIP)
    higher_is_better = models.BooleanField("越高越好", default=True)
    effective_from = models.DateField("生效日期")
    effective_to = models.DateField("失效日期", null=True, blank=True)
    order = models.PositiveSmallIntegerField("排序", default=0)
    source = models.CharField("依据", max_length=80, blank=True, help_text="如“三(三) 农村家宴”")
    note = models.CharField("备注", max_length=300, blank=True)
    is_default = models.BooleanField("默认数据", default=True, help_text="随系统提供的默认目标，待市局确认")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="修改人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = CityConfigQuerySet.as_manager()

    class Meta:
        verbose_name = "攻坚行动目标"
        verbose_name_plural = "攻坚行动目标"
        ordering = ["campaign__order", "order", "code", "-effective_from", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "code", "effective_from"], name="campaigntarget_version_unique"
            ),
            models.CheckConstraint(condition=Q(scope__in=TargetScope.values), name="campaigntarget_scope_valid"),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=models.F("effective_from")),
                name="campaigntarget_period_valid",
            ),
            models.CheckConstraint(
                condition=Q(target_value__isnull=True) | Q(target_value__gte=0), name="campaigntarget_value_nonneg"
            ),
            models.CheckConstraint(condition=~Q(label=""), name="campaigntarget_label_required"),
        ]

    def __str__(self):
        return f"{self.campaign.name}：{self.label}"

    @property
    def is_manual(self) -> bool:
        return not self.measure_code

    @property
    def target_text(self) -> str:
        """The target value without trailing zeros ("4.5", "150"), "" when there is no number."""
        if self.target_value is None:
            return ""
        return f"{self.target_value.normalize():f}"


class CampaignProgressQuerySet(ScopedQuerySet):
    def scope_for_user(self, user):
        """Township staff see their township's entries and the city's (township empty: a figure of the whole city,
        as they see the city's campaigns); city roles see all."""
        if user_sees_all_townships(user):
            return self
        ids = user_township_ids(user)
        if not ids:
            return self.filter(township__isnull=True)
        return self.filter(Q(township__in=ids) | Q(township__isnull=True))


def _evidence_path(instance, filename):
    return f"campaigns/{instance.target_id}/{filename}"


class CampaignProgress(models.Model):
    """A manual progress value of a target (entered by 市局) with its evidence file."""

    SCOPE_PATH = "township"

    target = models.ForeignKey(
        CampaignTarget, verbose_name="目标", on_delete=models.PROTECT, related_name="progress_entries"
    )
    year = models.PositiveSmallIntegerField("年度", validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    township = models.ForeignKey(
        "accounts.Township", verbose_name="镇街", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    value = models.DecimalField(
        "进展值", max_digits=12, decimal_places=2, validators=[MinValueValidator(0), MaxValueValidator(10_000_000)]
    )
    as_of = models.DateField("截至日期")
    note = models.CharField("说明", max_length=500)
    evidence = models.FileField("证据文件", upload_to=_evidence_path, max_length=200)
    original_name = models.CharField("原文件名", max_length=120, blank=True)
    content_type = models.CharField("文件类型", max_length=50)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64)
    recorded_at = models.DateTimeField("录入时间", auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = CampaignProgressQuerySet.as_manager()

    class Meta:
        verbose_name = "攻坚行动进展"
        verbose_name_plural = "攻坚行动进展"
        ordering = ["-year", "-as_of", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(value__gte=0), name="campaignprogress_value_nonneg"),
            models.CheckConstraint(condition=Q(year__gte=2000) & Q(year__lte=2100), name="campaignprogress_year_range"),
        ]
        indexes = [models.Index(fields=["target", "year"], name="campaignprogress_target_year")]

    def __str__(self):
        return f"{self.target.label} {self.year} 进展"

    @property
    def extension(self) -> str:
        return self.evidence.name.rsplit(".", 1)[-1] if "." in self.evidence.name else "bin"


__all__ = ["Campaign", "CampaignTarget", "CampaignProgress", "TargetScope"]
