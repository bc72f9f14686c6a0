"""Models of assessment/schemes (owned by that subpackage, docs/assessment.md).

* ``AssessmentScheme`` — one version of the township assessment scheme (考核方案): an effective date, the star
  thresholds (total score → 1–5 stars), and its ``SchemeIndicator`` rows (weight, scoring bands, and either a measure
  code of ``apps.common.measures`` or "manual with evidence"). Dated configuration: a version in force is read-only,
  a change is a new version (``apps.common.admin.DatedConfigAdmin``).
* ``AssessmentRound`` — the assessment of one year under one scheme version: open (manual values, compute, appeals)
  → closed (irreversible; its inputs are frozen in ``inputs`` and 复核 recomputes from them).
* ``TownshipScore`` / ``ScoreItem`` — a township's total and rank, and per indicator the measure's numerator,
  denominator, value and list url, the points from the bands and the weighted score.
* ``ManualValue`` — a township's value of a manual indicator in a round, with its evidence file.
* ``ScoreAppeal`` — a township's appeal of one item; the city upholds (a corrected value or points) or rejects it.
* ``StarRating`` — 食安办星级: one entry per township per closed round.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from apps.common.models import InForceQuerySet, TimeStampedModel
from apps.common.scoping import ScopedQuerySet

__all__ = [
    "AssessmentScheme",
    "SchemeIndicator",
    "IndicatorSource",
    "Direction",
    "AssessmentRound",
    "RoundStatus",
    "TownshipScore",
    "ScoreItem",
    "ManualValue",
    "ScoreAppeal",
    "AppealStatus",
    "StarRating",
]

WEIGHT = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]
SCORE = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]
VALUE = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1000000"))]


class IndicatorSource(models.TextChoices):
    MEASURE = "measure", "平台数据计算"
    MANUAL = "manual", "镇街填报（附证据）"


class Direction(models.TextChoices):
    HIGHER = "higher", "越高越好（达到下限得分）"
    LOWER = "lower", "越低越好（不超过上限得分）"


class AssessmentScheme(TimeStampedModel):
    """One version of the assessment scheme. ``is_default`` marks the shipped default (页面写明“默认方案，待市局确认”)."""

    name = models.CharField("方案名称", max_length=100)
    version = models.PositiveSmallIntegerField("版本号", unique=True, validators=[MinValueValidator(1)])
    effective_from = models.DateField("生效日期", unique=True)
    is_default = models.BooleanField("默认方案（待市局确认）", default=False)
    star5_min = models.DecimalField("五星：总分不低于", max_digits=5, decimal_places=2, validators=SCORE)
    star4_min = models.DecimalField("四星：总分不低于", max_digits=5, decimal_places=2, validators=SCORE)
    star3_min = models.DecimalField("三星：总分不低于", max_digits=5, decimal_places=2, validators=SCORE)
    star2_min = models.DecimalField("二星：总分不低于", max_digits=5, decimal_places=2, validators=SCORE)
    note = models.CharField("依据/说明", max_length=300, blank=True)

    objects = InForceQuerySet.as_manager()

    class Meta:
        verbose_name = "考核方案"
        verbose_name_plural = "考核方案"
        ordering = ["-effective_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(star5_min__gte=models.F("star4_min"))
                & Q(star4_min__gte=models.F("star3_min"))
                & Q(star3_min__gte=models.F("star2_min"))
                & Q(star2_min__gte=0)
                & Q(star5_min__lte=100),
                name="assessmentscheme_star_thresholds_ordered",
            ),
        ]

    def __str__(self):
        return f"{self.name}（第 {self.version} 版，{self.effective_from:%Y-%m-%d} 起）"

    def stars_for(self, total: Decimal) -> int:
        for stars, low in ((5, self.star5_min), (4, self.star4_min), (3, self.star3_min), (2, self.star2_min)):
            if total >= low:
                return stars
        return 1


class SchemeIndicator(models.Model):
    """An indicator of a scheme version. ``bands``: ``[{"at": "4.5", "points": 100}, ...]`` in order; the first
    band the value reaches (``at`` or more for HIGHER, ``at`` or less for LOWER) gives its points (0–100, the share
    of the weight); none reached: 0. ``weighted = weight × points / 100``."""

    scheme = models.ForeignKey(
        AssessmentScheme, verbose_name="方案", on_delete=models.CASCADE, related_name="indicators"
    )
    code = models.CharField("指标代码", max_length=80)
    label = models.CharField("指标名称", max_length=100)
    order = models.PositiveSmallIntegerField("排序", default=0)
    weight = models.DecimalField("权重（分）", max_digits=5, decimal_places=2, validators=WEIGHT)
    source = models.CharField("数据来源", max_length=10, choices=IndicatorSource.choices)
    measure_code = models.CharField("度量代码", max_length=80, blank=True)
    direction = models.CharField("方向", max_length=10, choices=Direction.choices, default=Direction.HIGHER)
    bands = models.JSONField("计分档次", default=list)
    unit = models.CharField("单位", max_length=20, blank=True)
    description = models.CharField("计分说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "考核指标"
        verbose_name_plural = "考核指标"
        ordering = ["scheme", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "code"], name="schemeindicator_code_unique"),
            models.CheckConstraint(
                condition=Q(source=IndicatorSource.MEASURE, measure_code__gt="")
                | Q(source=IndicatorSource.MANUAL, measure_code=""),
                name="schemeindicator_measure_iff_computed",
            ),
            models.CheckConstraint(condition=Q(weight__gte=0, weight__lte=100), name="schemeindicator_weight_0_100"),
        ]

    def __str__(self):
        return self.label

    @property
    def is_manual(self) -> bool:
        return self.source == IndicatorSource.MANUAL


class RoundStatus(models.TextChoices):
    OPEN = "open", "进行中"
    CLOSED = "closed", "已关闭（结果确定）"


class AssessmentRound(TimeStampedModel):
    """The assessment of ``year`` under ``scheme``. ``inputs`` holds what the last computation read (per indicator
    code, per township id: the measure value as ``MeasureValue.as_dict()``, or the manual value); once closed they
    are frozen and 复核 recomputes from them. Not scoped: every role that may view assessments sees the rounds; the
    scores in them are scoped."""

    year = models.PositiveSmallIntegerField(
        "考核年度", unique=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    scheme = models.ForeignKey(AssessmentScheme, verbose_name="考核方案", on_delete=models.PROTECT, related_name="+")
    status = models.CharField("状态", max_length=10, choices=RoundStatus.choices, default=RoundStatus.OPEN)
    as_of = models.DateField("数据截至", null=True, blank=True)
    inputs = models.JSONField("计算输入", default=dict, blank=True)
    computed_at = models.DateTimeField("计算时间", null=True, blank=True)
    compute_job = models.UUIDField("计算任务", null=True, blank=True)
    closed_at = models.DateTimeField("关闭时间", null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="关闭人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    verified_at = models.DateTimeField("最近复核时间", null=True, blank=True)
    verified_identical = models.BooleanField("复核结果一致", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="创建人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "考核轮次"
        verbose_name_plural = "考核轮次"
        ordering = ["-year"]
        permissions = [
            ("close_assessmentround", "关闭考核轮次（结果确定）"),
            ("export_assessmentround", "导出考核排名"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=RoundStatus.values), name="assessmentround_status_valid"),
            models.CheckConstraint(
                condition=Q(status=RoundStatus.OPEN, closed_at__isnull=True)
                | Q(status=RoundStatus.CLOSED, closed_at__isnull=False),
                name="assessmentround_closed_iff_closed_at",
            ),
        ]

    def __str__(self):
        return f"{self.year} 年度镇街考核"

    @property
    def is_closed(self) -> bool:
        return self.status == RoundStatus.CLOSED


class TownshipScoreQuerySet(ScopedQuerySet):
    pass


class TownshipScore(models.Model):
    SCOPE_PATH = "township"

    round = models.ForeignKey(AssessmentRound, verbose_name="考核轮次", on_delete=models.CASCADE, related_name="scores")
    township = models.ForeignKey("accounts.Township", verbose_name="镇街", on_delete=models.PROTECT, related_name="+")
    total = models.DecimalField("总分", max_digits=6, decimal_places=2, validators=SCORE)
    rank = models.PositiveSmallIntegerField("排名", validators=[MinValueValidator(1)])
    stars = models.PositiveSmallIntegerField("星级", validators=[MinValueValidator(1), MaxValueValidator(5)])
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = TownshipScoreQuerySet.as_manager()

    class Meta:
        verbose_name = "镇街考核得分"
        verbose_name_plural = "镇街考核得分"
        ordering = ["round", "rank", "township__order"]
        constraints = [
            models.UniqueConstraint(fields=["round", "township"], name="townshipscore_one_per_round"),
            models.CheckConstraint(condition=Q(stars__gte=1, stars__lte=5), name="townshipscore_stars_1_5"),
        ]

    def __str__(self):
        return f"{self.round.year} 年 {self.township}：{self.total} 分"


class ScoreItemQuerySet(ScopedQuerySet):
    pass


class ScoreItem(models.Model):
    """One indicator of a township's score. ``value``/``points`` are what counts (after an upheld appeal);
    ``computed_value``/``computed_points`` what the data gave."""

    SCOPE_PATH = "score__township"

    score = models.ForeignKey(TownshipScore, verbose_name="得分", on_delete=models.CASCADE, related_name="items")
    indicator = models.ForeignKey(SchemeIndicator, verbose_name="指标", on_delete=models.PROTECT, related_name="+")
    numerator = models.DecimalField("分子", max_digits=14, decimal_places=4, null=True, blank=True)
    denominator = models.DecimalField("分母", max_digits=14, decimal_places=4, null=True, blank=True)
    computed_value = models.DecimalField("计算值", max_digits=14, decimal_places=4, null=True, blank=True)
    computed_points = models.DecimalField("计算得分率", max_digits=5, decimal_places=2, validators=SCORE)
    value = models.DecimalField("采用值", max_digits=14, decimal_places=4, null=True, blank=True)
    points = models.DecimalField("得分率（%）", max_digits=5, decimal_places=2, validators=SCORE)
    weighted = models.DecimalField("得分", max_digits=6, decimal_places=2, validators=SCORE)
    url = models.CharField("明细链接", max_length=500, blank=True)
    denominator_url = models.CharField("分母明细链接", max_length=500, blank=True)
    note = models.CharField("说明", max_length=300, blank=True)
    appeal = models.ForeignKey(
        "ScoreAppeal", verbose_name="采纳的申诉", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScoreItemQuerySet.as_manager()

    class Meta:
        verbose_name = "考核得分明细"
        verbose_name_plural = "考核得分明细"
        ordering = ["score", "indicator__order", "indicator_id"]
        constraints = [models.UniqueConstraint(fields=["score", "indicator"], name="scoreitem_one_per_indicator")]

    def __str__(self):
        return f"{self.indicator}：{self.weighted} 分"


def _evidence_path(instance, filename):
    return f"assessment/evidence/{instance.round_id}/{filename}"


class ManualValueQuerySet(ScopedQuerySet):
    pass


class ManualValue(models.Model):
    """A township's value of a manual indicator in a round (e.g. 专职协管员人数), with its evidence (PDF or photo,
    checked by content: ``apps.common.uploads``). A new submission replaces the earlier one while the round is open."""

    SCOPE_PATH = "township"

    round = models.ForeignKey(AssessmentRound, verbose_name="考核轮次", on_delete=models.PROTECT, related_name="+")
    township = models.ForeignKey("accounts.Township", verbose_name="镇街", on_delete=models.PROTECT, related_name="+")
    indicator = models.ForeignKey(SchemeIndicator, verbose_name="指标", on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField("填报值", max_digits=14, decimal_places=4, validators=VALUE)
    note = models.CharField("说明", max_length=500, blank=True)
    evidence = models.FileField("证据文件", upload_to=_evidence_path, max_length=200)
    original_name = models.CharField("原文件名", max_length=120, blank=True)
    content_type = models.CharField("文件类型", max_length=100)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64)
    submitted_at = models.DateTimeField("填报时间", auto_now=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="填报人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = ManualValueQuerySet.as_manager()

    class Meta:
        verbose_name = "考核填报值"
        verbose_name_plural = "考核填报值"
        ordering = ["round", "township__order", "indicator__order"]
        constraints = [
            models.UniqueConstraint(fields=["round", "township", "indicator"], name="manualvalue_one_per_item"),
            models.CheckConstraint(condition=Q(value__gte=0), name="manualvalue_value_ge_0"),
        ]

    def __str__(self):
        return f"{self.township} {self.indicator}：{self.value}"

    @property
    def extension(self) -> str:
        return self.evidence.name.rsplit(".", 1)[-1] if "." in self.evidence.name else "bin"


class AppealStatus(models.TextChoices):
    PENDING = "pending", "待裁决"
    UPHELD = "upheld", "采纳"
    REJECTED = "rejected", "不予采纳"


class ScoreAppealQuerySet(ScopedQuerySet):
    pass


class ScoreAppeal(models.Model):
    """A township's appeal of one indicator of its score in an open round. Upheld: ``corrected_value`` (scored by
    the indicator's bands) or ``granted_points`` (the share of the weight given by the decision) replaces the item's;
    rejected: the item stays as computed. At most one pending appeal per item."""

    SCOPE_PATH = "township"

    round = models.ForeignKey(AssessmentRound, verbose_name="考核轮次", on_delete=models.PROTECT, related_name="+")
    township = models.ForeignKey("accounts.Township", verbose_name="镇街", on_delete=models.PROTECT, related_name="+")
    indicator = models.ForeignKey(SchemeIndicator, verbose_name="指标", on_delete=models.PROTECT, related_name="+")
    reason = models.TextField("申诉理由")
    status = models.CharField("状态", max_length=10, choices=AppealStatus.choices, default=AppealStatus.PENDING)
    filed_at = models.DateTimeField("提出时间", auto_now_add=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="提出人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    corrected_value = models.DecimalField(
        "更正后的值", max_digits=14, decimal_places=4, null=True, blank=True, validators=VALUE
    )
    granted_points = models.DecimalField(
        "裁定得分率（%）", max_digits=5, decimal_places=2, null=True, blank=True, validators=SCORE
    )
    decision_reason = models.TextField("裁决理由", blank=True)
    decided_at = models.DateTimeField("裁决时间", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="裁决人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = ScoreAppealQuerySet.as_manager()

    class Meta:
        verbose_name = "考核申诉"
        verbose_name_plural = "考核申诉"
        ordering = ["-filed_at", "-id"]
        permissions = [("decide_scoreappeal", "裁决考核申诉")]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "township", "indicator"],
                condition=Q(status="pending"),
                name="scoreappeal_one_pending_per_item",
            ),
            models.CheckConstraint(condition=Q(status__in=AppealStatus.values), name="scoreappeal_status_valid"),
            models.CheckConstraint(
                condition=Q(status="pending", decided_at__isnull=True)
                | (~Q(status="pending") & Q(decided_at__isnull=False) & ~Q(decision_reason="")),
                name="scoreappeal_decided_with_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status="upheld") | Q(corrected_value__isnull=False) | Q(granted_points__isnull=False),
                name="scoreappeal_upheld_changes_item",
            ),
        ]

    def __str__(self):
        return f"{self.township} 对“{self.indicator}”的申诉"


class StarRatingQuerySet(ScopedQuerySet):
    pass


class StarRating(models.Model):
    """食安办星级: written when a round is closed, one per township and round (the history over the years)."""

    SCOPE_PATH = "township"

    township = models.ForeignKey("accounts.Township", verbose_name="镇街", on_delete=models.PROTECT, related_name="+")
    round = models.ForeignKey(AssessmentRound, verbose_name="考核轮次", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    stars = models.PositiveSmallIntegerField("星级", validators=[MinValueValidator(1), MaxValueValidator(5)])
    total = models.DecimalField("考核总分", max_digits=6, decimal_places=2)
    rank = models.PositiveSmallIntegerField("排名")
    rated_at = models.DateTimeField("评定时间", auto_now_add=True)

    objects = StarRatingQuerySet.as_manager()

    class Meta:
        verbose_name = "食安办星级"
        verbose_name_plural = "食安办星级"
        ordering = ["township__order", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["township", "round"], name="starrating_one_per_round"),
            models.CheckConstraint(condition=Q(stars__gte=1, stars__lte=5), name="starrating_stars_1_5"),
        ]

    def __str__(self):
        return f"{self.township} {self.year} 年 {self.stars} 星"
