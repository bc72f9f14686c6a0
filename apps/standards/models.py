"""抽查事项清单 (DOMAIN.md §2.2: item, legal basis, inspecting body, content, method, category, applicable entity types).

The standards catalogue (DOMAIN.md §7): Standard versions, the sampling food categories (抽检食品分类) and
test items with their limits per standard version.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from .choices import CategoryLevel, CheckItemCategory, JudgementType, Sector, StandardPrefix, StandardStatus
from .validation import category_errors, format_standard_code, limit_errors, limit_values, standard_errors

NON_NEGATIVE = [MinValueValidator(0, message="不能为负数")]


class CheckItemQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def for_business_type(self, business_type):
        """Items that apply to a business type: listed for it (or its parent), or for its sector with no type list."""
        type_ids = [business_type.pk] + ([business_type.parent_id] if business_type.parent_id else [])
        return (
            self.filter(
                models.Q(business_types__in=type_ids)
                | (
                    models.Q(business_types__isnull=True)
                    & (models.Q(sector=business_type.sector) | models.Q(sector=""))
                )
            )
            .distinct()
            .order_by("order", "code")
        )


class CheckItem(models.Model):
    """One line of the 抽查事项清单. Reference data (not township-scoped): everyone who may inspect may read it."""

    code = models.CharField("事项编码", max_length=20, unique=True)
    item = models.CharField("检查事项", max_length=100)
    legal_basis = models.TextField("检查依据", help_text="法律、法规、规章条款")
    content = models.TextField("检查内容")
    method = models.CharField("检查方式", max_length=200, default="现场检查、查阅资料")
    sector = models.CharField(
        "适用监管环节",
        max_length=16,
        choices=Sector.choices,
        blank=True,
        help_text="留空表示适用全部环节；未列出适用业态时按环节适用",
    )
    business_types = models.ManyToManyField(
        "enterprises.BusinessType",
        verbose_name="适用业态",
        blank=True,
        related_name="check_items",
        help_text="留空表示适用所列监管环节的全部业态",
    )
    category = models.CharField(
        "事项类别", max_length=16, choices=CheckItemCategory.choices, default=CheckItemCategory.GENERAL
    )
    inspecting_body = models.CharField("检查实施主体", max_length=100, default="海宁市市场监督管理局")
    is_active = models.BooleanField("启用", default=True)
    order = models.PositiveSmallIntegerField("排序", default=0)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = CheckItemQuerySet.as_manager()

    class Meta:
        verbose_name = "抽查事项"
        verbose_name_plural = "抽查事项清单"
        ordering = ["order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(category__in=CheckItemCategory.values), name="checkitem_category_valid"
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.item}"


class Standard(models.Model):
    """A food-safety standard version (DOMAIN.md §7): ``GB 2762-2022``. Each version is its own row; the newer one
    points back through ``superseded_by`` from the older. Reference data, city-wide."""

    prefix = models.CharField("标准代号", max_length=8, choices=StandardPrefix.choices)
    number = models.CharField("顺序号", max_length=20, help_text="例如 2762、5009.12 中的 5009")
    part = models.CharField("部分号", max_length=10, blank=True, help_text="例如 5009.12 中的 12")
    year = models.PositiveSmallIntegerField("年代号", validators=[MinValueValidator(1950), MaxValueValidator(2100)])
    title = models.CharField("标准名称", max_length=200)
    status = models.CharField("状态", max_length=12, choices=StandardStatus.choices, default=StandardStatus.CURRENT)
    publish_date = models.DateField("发布日期", null=True, blank=True)
    effective_date = models.DateField("实施日期")
    superseded_by = models.ForeignKey(
        "self", verbose_name="被代替为", null=True, blank=True, on_delete=models.SET_NULL, related_name="supersedes"
    )
    announcement_no = models.CharField("发布公告", max_length=60, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "标准"
        verbose_name_plural = "标准"
        ordering = ["prefix", "number", "part", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["prefix", "number", "part", "year"], name="uniq_standard_version"),
            models.CheckConstraint(condition=models.Q(prefix__in=StandardPrefix.values), name="standard_prefix_valid"),
            models.CheckConstraint(condition=models.Q(status__in=StandardStatus.values), name="standard_status_valid"),
            models.CheckConstraint(
                condition=models.Q(publish_date__isnull=True) | models.Q(effective_date__gte=models.F("publish_date")),
                name="standard_effective_after_publish",
                violation_error_message="实施日期不能早于发布日期",
            ),
            models.CheckConstraint(
                condition=models.Q(superseded_by__isnull=True) | ~models.Q(superseded_by=models.F("id")),
                name="standard_not_superseded_by_itself",
                violation_error_message="被代替为：不能是本标准自己",
            ),
        ]

    def __str__(self):
        return f"{self.code}《{self.title}》"

    @property
    def code(self) -> str:
        """``GB 2762-2022``, ``GB/T 22286-2008``, ``DB33/ 3001-2015``, ``T/ZJSP 001-2020``, ``KJ 201706``."""
        return format_standard_code(self.prefix, self.number, self.part, self.year)

    def clean(self):
        errors = standard_errors(self)
        if errors:
            raise ValidationError(errors)

    def status_on(self, day: dt.date) -> str:
        """The status on ``day`` from the dates (the stored ``status`` is what the catalogue says): 即将实施 before
        the effective date, 废止 once the superseding version is in force or when marked withdrawn, else 现行."""
        if self.status == StandardStatus.WITHDRAWN:
            return StandardStatus.WITHDRAWN
        if self.effective_date > day:
            return StandardStatus.UPCOMING
        successor = self.superseded_by if self.superseded_by_id else None
        if successor is not None and successor.effective_date <= day:
            return StandardStatus.WITHDRAWN
        return StandardStatus.CURRENT


class SamplingCategory(models.Model):
    """抽检食品分类 (大类 / 亚类 / 次亚类 / 细类): the sampling catalogue, not the licence categories of enterprises.

    ``hazard`` (1–5) is the category's hazard weight read by targeted sampling (靶向抽检)."""

    code = models.CharField("分类代码", max_length=20, unique=True)
    name = models.CharField("分类名称", max_length=60)
    level = models.PositiveSmallIntegerField("级别", choices=CategoryLevel.choices)
    parent = models.ForeignKey(
        "self", verbose_name="上级分类", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    hazard = models.PositiveSmallIntegerField(
        "风险程度", default=3, validators=[MinValueValidator(1), MaxValueValidator(5)], help_text="1（低）至 5（高）"
    )
    order = models.PositiveSmallIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "抽检食品分类"
        verbose_name_plural = "抽检食品分类"
        ordering = ["order", "code"]
        constraints = [
            models.CheckConstraint(condition=models.Q(level__gte=1, level__lte=4), name="samplingcategory_level_valid"),
            models.CheckConstraint(
                condition=models.Q(hazard__gte=1, hazard__lte=5), name="samplingcategory_hazard_1_5"
            ),
            models.CheckConstraint(
                condition=models.Q(level=1, parent__isnull=True) | models.Q(level__gt=1, parent__isnull=False),
                name="samplingcategory_parent_by_level",
                violation_error_message="大类没有上级分类；亚类、次亚类、细类须有上级分类",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        errors = category_errors(self)
        if errors:
            raise ValidationError(errors)


class TestItem(models.Model):
    """检验项目 (铅, 苯甲酸, 菌落总数 …) for the sampling categories it applies to. Its limits are per standard
    version (``TestLimit``); the one that judges a sample is chosen by the sample's production date."""

    __test__ = False  # not a pytest test class when imported into a test module

    code = models.CharField("项目代码", max_length=40, unique=True)
    name = models.CharField("检验项目", max_length=60)
    categories = models.ManyToManyField(
        SamplingCategory, verbose_name="适用抽检分类", blank=True, related_name="test_items"
    )
    is_microbiological = models.BooleanField("微生物项目", default=False, help_text="微生物项目不合格不予复检")
    order = models.PositiveSmallIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "检验项目"
        verbose_name_plural = "检验项目"
        ordering = ["order", "code"]

    def __str__(self):
        return self.name


class TestLimit(models.Model):
    """The limit of a test item under one judging standard version (判定依据) and its method (检验依据)."""

    __test__ = False

    test_item = models.ForeignKey(TestItem, verbose_name="检验项目", on_delete=models.CASCADE, related_name="limits")
    judging_standard = models.ForeignKey(
        Standard, verbose_name="判定依据", on_delete=models.PROTECT, related_name="judged_limits"
    )
    clause = models.CharField("条款", max_length=60, blank=True)
    method_standard = models.ForeignKey(
        Standard, verbose_name="检验依据", null=True, blank=True, on_delete=models.PROTECT, related_name="method_limits"
    )
    judgement_type = models.CharField("判定方式", max_length=16, choices=JudgementType.choices)
    min_limit = models.DecimalField(
        "最小允许限", max_digits=14, decimal_places=6, null=True, blank=True, validators=NON_NEGATIVE
    )
    max_limit = models.DecimalField(
        "最大允许限", max_digits=14, decimal_places=6, null=True, blank=True, validators=NON_NEGATIVE
    )
    unit = models.CharField("允许限单位", max_length=20, blank=True)
    micro_n = models.PositiveSmallIntegerField(
        "n（样品数）", null=True, blank=True, validators=[MinValueValidator(1, message="n（样品数）至少为 1")]
    )
    micro_c = models.PositiveSmallIntegerField("c（允许超过 m 的样品数）", null=True, blank=True)
    micro_m = models.DecimalField("m", max_digits=14, decimal_places=4, null=True, blank=True, validators=NON_NEGATIVE)
    micro_big_m = models.DecimalField(
        "M", max_digits=14, decimal_places=4, null=True, blank=True, validators=NON_NEGATIVE
    )
    detection_limit = models.DecimalField(
        "方法检出限", max_digits=14, decimal_places=6, null=True, blank=True, validators=NON_NEGATIVE
    )
    detection_limit_unit = models.CharField("检出限单位", max_length=20, blank=True)

    class Meta:
        verbose_name = "检验项目限量"
        verbose_name_plural = "检验项目限量"
        ordering = ["test_item", "-judging_standard__effective_date"]
        constraints = [
            models.UniqueConstraint(fields=["test_item", "judging_standard"], name="uniq_limit_item_standard"),
            models.CheckConstraint(
                condition=models.Q(judgement_type__in=JudgementType.values), name="testlimit_judgement_type_valid"
            ),
            models.CheckConstraint(
                condition=~models.Q(unit=""), name="testlimit_unit_set", violation_error_message="允许限单位不能为空"
            ),
            *[
                models.CheckConstraint(
                    condition=models.Q(**{f"{name}__isnull": True}) | models.Q(**{f"{name}__gte": 0}),
                    name=f"testlimit_{name}_non_negative",
                    violation_error_message="限量、m、M 和方法检出限不能为负数",
                )
                for name in ("min_limit", "max_limit", "micro_m", "micro_big_m", "detection_limit")
            ],
            models.CheckConstraint(
                condition=models.Q(min_limit__isnull=True)
                | models.Q(max_limit__isnull=True)
                | models.Q(min_limit__lte=models.F("max_limit")),
                name="testlimit_min_le_max",
                violation_error_message="最小允许限不能大于最大允许限",
            ),
            models.CheckConstraint(
                condition=models.Q(micro_n__isnull=True)
                | models.Q(micro_c__isnull=True)
                | models.Q(micro_c__lte=models.F("micro_n")),
                name="testlimit_micro_c_le_n",
                violation_error_message="c（允许超过 m 的样品数）不能大于 n（样品数）",
            ),
            models.CheckConstraint(
                condition=models.Q(micro_m__isnull=True)
                | models.Q(micro_big_m__isnull=True)
                | models.Q(micro_big_m__gte=models.F("micro_m")),
                name="testlimit_micro_big_m_ge_m",
                violation_error_message="M 不能小于 m",
            ),
        ]

    def __str__(self):
        return f"{self.test_item} · {self.judging_standard.code}"

    def clean(self):
        errors = limit_errors(limit_values(self))
        if not self.judgement_type:
            errors.pop("judgement_type", None)  # a required field: its own validation says so once
        if errors:
            raise ValidationError(errors)

    @property
    def detection_limit_display(self) -> str:
        return (
            "" if self.detection_limit is None else f"{_num(self.detection_limit)} {self.detection_limit_unit}".strip()
        )

    @property
    def limit_display(self) -> str:
        """The limit as the 抽样单 prints it: ``≤ 0.3 mg/kg``, ``不得检出``, ``n=5, c=2, m=10000, M=100000 CFU/g``."""
        return limit_text(self)


def _num(value) -> str:
    return "" if value is None else format(value.normalize(), "f")


def limit_text(limit) -> str:
    unit = "" if not limit.unit else limit.unit if limit.unit.startswith("/") else f" {limit.unit}"  # m=0/25g
    kind = limit.judgement_type
    if kind == JudgementType.MAX:
        return f"≤ {_num(limit.max_limit)}{unit}"
    if kind == JudgementType.MIN:
        return f"≥ {_num(limit.min_limit)}{unit}"
    if kind == JudgementType.RANGE:
        return f"{_num(limit.min_limit)}–{_num(limit.max_limit)}{unit}"
    if kind == JudgementType.NOT_DETECTED:
        return "不得检出"
    parts = [f"n={limit.micro_n}", f"c={limit.micro_c}", f"m={_num(limit.micro_m)}"]
    if limit.micro_big_m is not None:
        parts.append(f"M={_num(limit.micro_big_m)}")
    return ", ".join(parts) + unit
