"""Configuration with an effective date (DOMAIN.md: every threshold, weight and deadline is data).

``QuotaRate``: the year's rates per 1,000 residents and the split by source. ``SuggestionWeights``: the weights of
targeted sampling. ``SamplingDeadlines``: the disposal and publication clocks. The row in force on a day is the one
with the latest ``effective_from`` on or before it (``in_force(on)``)."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from apps.common.models import TimeStampedModel


class InForceQuerySet(models.QuerySet):
    def in_force(self, on):
        """The row in force on ``on`` (latest ``effective_from`` ≤ on), or None."""
        return self.filter(effective_from__lte=on).order_by("-effective_from").first()


class QuotaRate(TimeStampedModel):
    """抽检配额标准 of a year: food sampling ≥ 4.5 and risk monitoring ≥ 1 batch per 1,000 residents (DOMAIN.md §3.5),
    and how the food-sampling quota splits by source (三位一体; the split is a local choice, shares in %)."""

    year = models.PositiveSmallIntegerField(
        "年度", unique=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    food_rate = models.DecimalField(
        "食品抽检（批次/千人）",
        max_digits=6,
        decimal_places=2,
        default=Decimal("4.50"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    monitoring_rate = models.DecimalField(
        "风险监测（批次/千人）",
        max_digits=6,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    routine_share = models.PositiveSmallIntegerField(
        "自评抽检占比（%）", default=60, validators=[MaxValueValidator(100)]
    )
    targeted_share = models.PositiveSmallIntegerField(
        "靶向抽检占比（%）", default=30, validators=[MaxValueValidator(100)]
    )
    vote_share = models.PositiveSmallIntegerField("你点我检占比（%）", default=10, validators=[MaxValueValidator(100)])
    effective_from = models.DateField("生效日期")
    note = models.CharField("依据/说明", max_length=200, blank=True)

    objects = InForceQuerySet.as_manager()

    class Meta:
        verbose_name = "抽检配额标准"
        verbose_name_plural = "抽检配额标准"
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(routine_share__lte=100, targeted_share__lte=100, vote_share__lte=100),
                name="quotarate_shares_le_100",
            ),
            models.CheckConstraint(
                condition=models.Q(food_rate__gte=0, monitoring_rate__gte=0), name="quotarate_rates_ge_0"
            ),
        ]

    def __str__(self):
        return f"{self.year} 年抽检配额标准"


class SuggestionWeights(TimeStampedModel):
    """靶向抽检 ranking weights (each 0–100): risk grade, past unqualified results, complaints, time since last
    sampled, category hazard. A suggestion shows every reason with its weight."""

    effective_from = models.DateField("生效日期", unique=True)
    grade = models.PositiveSmallIntegerField("风险等级权重", default=30, validators=[MaxValueValidator(100)])
    unqualified = models.PositiveSmallIntegerField("既往不合格权重", default=30, validators=[MaxValueValidator(100)])
    complaints = models.PositiveSmallIntegerField("投诉举报权重", default=10, validators=[MaxValueValidator(100)])
    staleness = models.PositiveSmallIntegerField("距上次抽检时间权重", default=15, validators=[MaxValueValidator(100)])
    hazard = models.PositiveSmallIntegerField("品类风险权重", default=15, validators=[MaxValueValidator(100)])
    history_years = models.PositiveSmallIntegerField(
        "回溯年数",
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text="既往不合格、投诉和距上次抽检时间只看最近几年（1–10）",
    )
    note = models.CharField("说明", max_length=200, blank=True)

    objects = InForceQuerySet.as_manager()

    class Meta:
        verbose_name = "靶向抽检权重"
        verbose_name_plural = "靶向抽检权重"
        ordering = ["-effective_from"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(history_years__gte=1, history_years__lte=10),
                name="suggestionweights_history_years_1_10",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    grade__lte=100, unqualified__lte=100, complaints__lte=100, staleness__lte=100, hazard__lte=100
                ),
                name="suggestionweights_weights_le_100",
            ),
        ]

    def __str__(self):
        return f"靶向抽检权重（{self.effective_from} 起）"


class SamplingDeadlines(TimeStampedModel):
    """The clocks of sampling (DOMAIN.md §3.2; defaults to confirm against the official text)."""

    effective_from = models.DateField("生效日期", unique=True)
    lab_report_workdays = models.PositiveSmallIntegerField(
        "检验报告（工作日）", default=20, validators=[MinValueValidator(1)]
    )
    notify_workdays = models.PositiveSmallIntegerField(
        "送达不合格结果（工作日）", default=5, validators=[MinValueValidator(1)]
    )
    recheck_workdays = models.PositiveSmallIntegerField(
        "复检申请期（工作日）", default=7, validators=[MinValueValidator(1)]
    )
    recheck_report_workdays = models.PositiveSmallIntegerField(
        "复检报告（工作日）", default=10, validators=[MinValueValidator(1)]
    )
    disposal_days = models.PositiveSmallIntegerField(
        "核查处置（自然日）", default=90, validators=[MinValueValidator(1)]
    )
    publish_workdays = models.PositiveSmallIntegerField(
        "结果公开（工作日）", default=20, validators=[MinValueValidator(1)]
    )
    quick_test_objection_hours = models.PositiveSmallIntegerField(
        "快检异议期（小时）", default=4, validators=[MinValueValidator(1)]
    )
    due_soon_workdays = models.PositiveSmallIntegerField(
        "核查处置“即将到期”提示（工作日）",
        default=3,
        validators=[MinValueValidator(1)],
        help_text="送达或核查处置期限在今后这么多个工作日内的，列为“即将到期”。",
    )
    note = models.CharField("依据/说明", max_length=200, blank=True)

    objects = InForceQuerySet.as_manager()

    class Meta:
        verbose_name = "抽检时限"
        verbose_name_plural = "抽检时限"
        ordering = ["-effective_from"]

    def __str__(self):
        return f"抽检时限（{self.effective_from} 起）"
