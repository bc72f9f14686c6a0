"""风险分级管理 (DOMAIN.md §1): schemes as versioned data, assessments that can be re-computed, events, credit class.

A scheme version is immutable once activated; revising it copies it into a new draft version (services.scheme_revise).
Every assessment points to the exact scheme version it was computed with and stores a JSON snapshot of all inputs,
so ``regrade_check`` re-computes it later and must get the same grade.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.common.models import TimeStampedModel
from apps.common.scoping import ScopedQuerySet
from apps.enterprises.choices import Sector

from .choices import (
    AdjustmentAction,
    AssessmentBasis,
    AssessmentKind,
    CreditGrade,
    EvaluationSource,
    EventType,
    FactorBasis,
    Grade,
    NewBusinessMethod,
    OverrideStatus,
    SchemeStatus,
)

POINTS = {"max_digits": 5, "decimal_places": 1}


# ---------------------------------------------------------------------------- schemes (configuration)
class RiskScheme(TimeStampedModel):
    code = models.SlugField("方案代码", max_length=40)
    version = models.PositiveIntegerField("版本", default=1)
    name = models.CharField("名称", max_length=100)
    source = models.CharField("依据", max_length=200, blank=True)
    description = models.TextField("说明", blank=True)
    effective_from = models.DateField("生效日期")
    effective_to = models.DateField("失效日期", null=True, blank=True, help_text="不含当日；空表示长期有效")
    status = models.CharField(
        "状态", max_length=16, choices=SchemeStatus.choices, default=SchemeStatus.DRAFT, db_index=True
    )
    static_max = models.DecimalField("静态风险分值", **POINTS)
    dynamic_max = models.DecimalField("动态风险分值", **POINTS)
    credit_max = models.DecimalField("信用风险分值", default=0, **POINTS)
    credit_points = models.JSONField("信用分类计分", default=dict, blank=True, help_text='如 {"A": 0, "B": 6}')
    credit_default_class = models.CharField("无信用分类时按", max_length=1, choices=CreditGrade.choices, blank=True)
    new_business_method = models.CharField(
        "新办企业折算方式", max_length=16, choices=NewBusinessMethod.choices, default=NewBusinessMethod.PROPORTIONAL
    )
    new_business_dynamic_points = models.DecimalField("新办企业动态分（固定值）", null=True, blank=True, **POINTS)
    revised_from = models.ForeignKey(
        "self", verbose_name="修订自", null=True, blank=True, on_delete=models.PROTECT, related_name="revisions"
    )
    activated_at = models.DateTimeField("启用时间", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="创建人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="启用人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "风险分级方案"
        verbose_name_plural = "风险分级方案"
        ordering = ["code", "-version"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="uniq_riskscheme_code_version")]
        permissions = [("activate_riskscheme", "可启用风险分级方案")]

    def __str__(self):
        return f"{self.name}（v{self.version}）"

    @property
    def total_max(self):
        return self.static_max + self.dynamic_max + self.credit_max

    @property
    def is_editable(self) -> bool:
        return self.status == SchemeStatus.DRAFT


class StaticTable(models.Model):
    """One static-risk table of a scheme: for a sector, optionally only for some business types (业态)."""

    scheme = models.ForeignKey(RiskScheme, verbose_name="方案", on_delete=models.CASCADE, related_name="static_tables")
    sector = models.CharField("监管环节", max_length=16, choices=Sector.choices)
    business_types = models.JSONField(
        "适用业态", default=list, blank=True, help_text="业态代码列表；空表示该环节的默认表"
    )
    name = models.CharField("名称", max_length=100)
    order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "静态风险因素表"
        verbose_name_plural = "静态风险因素表"
        ordering = ["scheme", "order", "id"]

    def __str__(self):
        return self.name


class StaticFactor(models.Model):
    table = models.ForeignKey(StaticTable, verbose_name="表", on_delete=models.CASCADE, related_name="factors")
    code = models.SlugField("代码", max_length=40)
    name = models.CharField("名称", max_length=100)
    basis = models.CharField("计分依据", max_length=16, choices=FactorBasis.choices)
    flag_field = models.CharField("标识字段", max_length=40, blank=True)
    max_points = models.DecimalField("满分", **POINTS)
    default_points = models.DecimalField("无匹配时得分", default=0, **POINTS)
    order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "静态风险因素"
        verbose_name_plural = "静态风险因素"
        ordering = ["table", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["table", "code"], name="uniq_staticfactor_table_code")]

    def __str__(self):
        return self.name


class StaticOption(models.Model):
    factor = models.ForeignKey(StaticFactor, verbose_name="因素", on_delete=models.CASCADE, related_name="options")
    key = models.CharField("取值", max_length=40, help_text="食品类别代码、业态代码、规模代码或 yes/no")
    label = models.CharField("说明", max_length=100, blank=True)
    tier = models.CharField("风险档次", max_length=4, blank=True, help_text="Ⅰ–Ⅳ")
    points = models.DecimalField("得分", **POINTS)

    class Meta:
        verbose_name = "静态因素取值"
        verbose_name_plural = "静态因素取值"
        ordering = ["factor", "-points", "key"]
        constraints = [models.UniqueConstraint(fields=["factor", "key"], name="uniq_staticoption_factor_key")]

    def __str__(self):
        return f"{self.key}={self.points}"


class DynamicItem(models.Model):
    scheme = models.ForeignKey(RiskScheme, verbose_name="方案", on_delete=models.CASCADE, related_name="dynamic_items")
    sector = models.CharField("监管环节", max_length=16, choices=Sector.choices)
    code = models.SlugField("代码", max_length=40)
    name = models.CharField("名称", max_length=100)
    max_points = models.DecimalField("满分", **POINTS)
    order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "动态风险项目"
        verbose_name_plural = "动态风险项目"
        ordering = ["scheme", "sector", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "sector", "code"], name="uniq_dynamicitem_scheme_sector_code")
        ]

    def __str__(self):
        return self.name


class GradeBand(models.Model):
    """Score threshold and minimum inspection frequency of one grade (``min`` inspections per ``period_years``)."""

    scheme = models.ForeignKey(RiskScheme, verbose_name="方案", on_delete=models.CASCADE, related_name="bands")
    grade = models.CharField("等级", max_length=1, choices=Grade.choices)
    score_max = models.DecimalField("分值上限（含）", null=True, blank=True, **POINTS)
    min_inspections = models.PositiveSmallIntegerField("最少检查次数")
    max_inspections = models.PositiveSmallIntegerField("最多检查次数", null=True, blank=True)
    period_years = models.PositiveSmallIntegerField("周期（年）", default=1)

    class Meta:
        verbose_name = "等级与检查频次"
        verbose_name_plural = "等级与检查频次"
        ordering = ["scheme", "grade"]
        constraints = [models.UniqueConstraint(fields=["scheme", "grade"], name="uniq_gradeband_scheme_grade")]

    def __str__(self):
        return f"{self.grade} ≤ {self.score_max}"

    @property
    def frequency_label(self) -> str:
        if self.period_years > 1:
            return f"每 {self.period_years} 年至少 {self.min_inspections} 次"
        if self.max_inspections and self.max_inspections != self.min_inspections:
            return f"每年 {self.min_inspections}–{self.max_inspections} 次"
        return f"每年至少 {self.min_inspections} 次"


class AdjustmentRule(models.Model):
    scheme = models.ForeignKey(
        RiskScheme, verbose_name="方案", on_delete=models.CASCADE, related_name="adjustment_rules"
    )
    event_type = models.CharField("事件类型", max_length=32, choices=EventType.choices)
    action = models.CharField("调整", max_length=8, choices=AdjustmentAction.choices)
    levels = models.PositiveSmallIntegerField("级数", default=1)
    min_count = models.PositiveSmallIntegerField("至少发生次数", default=1)
    window_years = models.PositiveSmallIntegerField("回溯年数", default=1, help_text="评定年度之前的几个自然年")
    sectors = models.JSONField("适用环节", default=list, blank=True, help_text="空表示全部")
    only_if_no_raise = models.BooleanField("仅在无升级事件时适用", default=False)
    note = models.CharField("说明", max_length=200, blank=True)
    order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "等级调整规则"
        verbose_name_plural = "等级调整规则"
        ordering = ["scheme", "order", "id"]

    def __str__(self):
        return f"{self.get_event_type_display()} → {self.get_action_display()}"


# ---------------------------------------------------------------------------- per enterprise (scoped)
class RiskEvent(TimeStampedModel):
    SCOPE_PATH = "enterprise__township"

    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name="检查对象", on_delete=models.PROTECT, related_name="risk_events"
    )
    event_type = models.CharField("事件类型", max_length=32, choices=EventType.choices)
    occurred_on = models.DateField("发生日期", db_index=True)
    description = models.CharField("情况说明", max_length=500)
    source_ref = models.CharField("来源编号", max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_void = models.BooleanField("已作废", default=False)
    void_reason = models.CharField("作废理由", max_length=200, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="作废人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    voided_at = models.DateTimeField("作废时间", null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "风险事件"
        verbose_name_plural = "风险事件"
        ordering = ["-occurred_on", "-id"]
        indexes = [models.Index(fields=["enterprise", "occurred_on"])]

    def __str__(self):
        return f"{self.occurred_on} {self.get_event_type_display()}"


class CreditClass(TimeStampedModel):
    """信用风险分类 A–D of an enterprise as of a date, with where it came from. The latest ``as_of`` wins."""

    SCOPE_PATH = "enterprise__township"

    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name="检查对象", on_delete=models.PROTECT, related_name="credit_classes"
    )
    credit_class = models.CharField("信用风险分类", max_length=1, choices=CreditGrade.choices)
    source = models.CharField("来源", max_length=100)
    as_of = models.DateField("分类日期")
    note = models.CharField("备注", max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "信用风险分类"
        verbose_name_plural = "信用风险分类"
        ordering = ["-as_of", "-id"]
        indexes = [models.Index(fields=["enterprise", "as_of"]), models.Index(fields=["updated_at", "id"])]

    def __str__(self):
        return f"{self.credit_class}（{self.as_of}）"


class DynamicEvaluation(TimeStampedModel):
    """A dynamic-risk score sheet: from a finalised inspection result or an on-site evaluation form."""

    SCOPE_PATH = "enterprise__township"

    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name="检查对象", on_delete=models.PROTECT, related_name="risk_evaluations"
    )
    scheme = models.ForeignKey(RiskScheme, verbose_name="方案", on_delete=models.PROTECT, related_name="evaluations")
    source = models.CharField("来源", max_length=16, choices=EvaluationSource.choices)
    source_ref = models.CharField("来源编号", max_length=100, blank=True)
    evaluated_on = models.DateField("评定日期", db_index=True)
    item_scores = models.JSONField("各项得分", default=dict)
    total = models.DecimalField("动态得分", **POINTS)
    note = models.CharField("备注", max_length=500, blank=True)
    evaluated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="评定人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "动态风险评分"
        verbose_name_plural = "动态风险评分"
        ordering = ["-evaluated_on", "-id"]
        indexes = [models.Index(fields=["enterprise", "evaluated_on"])]
        constraints = [
            # A finalised inspection feeds the grade once, however often the inspections app calls the hook.
            models.UniqueConstraint(
                fields=["source", "source_ref"],
                condition=Q(source=EvaluationSource.INSPECTION) & ~Q(source_ref=""),
                name="uniq_evaluation_inspection_ref",
            )
        ]

    def __str__(self):
        return f"{self.evaluated_on} {self.get_source_display()} {self.total}"


class GradeOverride(TimeStampedModel):
    """A manual grade change: proposed with a reason, approved by a different user who holds the permission."""

    SCOPE_PATH = "enterprise__township"

    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name="检查对象", on_delete=models.PROTECT, related_name="grade_overrides"
    )
    base_assessment = models.ForeignKey(
        "RiskAssessment", verbose_name="原评定", on_delete=models.PROTECT, related_name="override_proposals"
    )
    from_grade = models.CharField("原等级", max_length=1, choices=Grade.choices)
    to_grade = models.CharField("调整为", max_length=1, choices=Grade.choices)
    reason = models.TextField("理由")
    status = models.CharField(
        "状态", max_length=16, choices=OverrideStatus.choices, default=OverrideStatus.PROPOSED, db_index=True
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="提出人", on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审批人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.CharField("审批意见", max_length=500, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "风险等级人工调整"
        verbose_name_plural = "风险等级人工调整"
        ordering = ["-created_at", "-id"]
        permissions = [("approve_gradeoverride", "可审批风险等级人工调整")]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise"],
                condition=Q(status=OverrideStatus.PROPOSED),
                name="uniq_gradeoverride_one_pending",
            )
        ]

    def __str__(self):
        return f"{self.enterprise_id}: {self.from_grade}→{self.to_grade}（{self.get_status_display()}）"


class RiskAssessment(TimeStampedModel):
    """One grade of one enterprise, with everything needed to re-compute it (scheme version + input snapshot)."""

    SCOPE_PATH = "enterprise__township"

    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name="检查对象", on_delete=models.PROTECT, related_name="risk_assessments"
    )
    scheme = models.ForeignKey(
        RiskScheme, verbose_name="方案版本", on_delete=models.PROTECT, related_name="assessments"
    )
    year = models.PositiveSmallIntegerField("评定年度", db_index=True)
    kind = models.CharField("评定方式", max_length=16, choices=AssessmentKind.choices)
    basis = models.CharField("计分基础", max_length=16, choices=AssessmentBasis.choices)
    assessed_on = models.DateField("评定日期")
    source_ref = models.CharField("来源编号", max_length=100, blank=True)
    inputs = models.JSONField("输入快照", default=dict)
    factor_scores = models.JSONField("各因素得分", default=dict)
    adjustments = models.JSONField("等级调整", default=list, blank=True)
    static_score = models.DecimalField("静态得分", **POINTS)
    dynamic_score = models.DecimalField("动态得分", **POINTS)
    credit_score = models.DecimalField("信用得分", default=0, **POINTS)
    total_score = models.DecimalField("总分", **POINTS)
    score_grade = models.CharField("按分值等级", max_length=1, choices=Grade.choices)
    grade = models.CharField("风险等级", max_length=1, choices=Grade.choices, db_index=True)
    is_current = models.BooleanField("当前有效", default=True)
    override = models.ForeignKey(
        GradeOverride, verbose_name="人工调整", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="评定人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "风险等级评定"
        verbose_name_plural = "风险等级评定"
        ordering = ["-assessed_on", "-id"]
        indexes = [
            models.Index(fields=["updated_at", "id"]),
            models.Index(fields=["enterprise", "assessed_on"]),
            models.Index(fields=["is_current", "grade"]),
        ]
        permissions = [("run_regrade", "可发起年度风险等级评定")]
        constraints = [
            # Yearly regrade is idempotent: one yearly grade per enterprise and year.
            models.UniqueConstraint(
                fields=["enterprise", "year"],
                condition=Q(kind=AssessmentKind.YEARLY),
                name="uniq_assessment_yearly",
            ),
            models.UniqueConstraint(
                fields=["enterprise"], condition=Q(is_current=True), name="uniq_assessment_current"
            ),
        ]

    def __str__(self):
        return f"{self.year} {self.grade}（{self.get_kind_display()}）"


# ---------------------------------------------------------------------------- coverage debt (maintained)
class CoverageState(models.Model):
    """Maintained coverage-debt state of one operating enterprise (apps/risk/coverage.py): the due date of each rule's
    first unmet inspection this year and ``next_due``, the earliest of them. An enterprise is overdue on ``today``
    when ``next_due < today``; its overdue days are ``today - next_due``. Refreshed by ``coverage.coverage_refresh``
    when an inspection is finalised, a grade changes, the enterprise or a licence is saved, by the yearly regrade and
    nightly (``risk.coverage_refresh``). Township is copied from the enterprise so that the pages read one table."""

    SCOPE_PATH = "township"

    enterprise = models.OneToOneField(
        "enterprises.Enterprise",
        verbose_name="检查对象",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="coverage_state",
    )
    township = models.ForeignKey(
        "accounts.Township", verbose_name="镇街", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    year = models.PositiveSmallIntegerField("计算年度")
    grade = models.CharField("风险等级", max_length=1, blank=True)
    frequency = models.CharField("检查频次", max_length=40)
    required = models.PositiveSmallIntegerField("本年应检", default=0)
    done = models.PositiveSmallIntegerField("本年已检", default=0)
    last_inspection = models.DateField("最近检查", null=True, blank=True)
    last_full = models.DateField("最近全项目检查", null=True, blank=True)
    registered_on = models.DateField("登记日期")
    frequency_due = models.DateField("频次应检日期", null=True, blank=True)
    frequency_k = models.PositiveSmallIntegerField("本年第几次", default=0)
    floor_due = models.DateField("全项目检查应检日期")
    floor_at_least = models.BooleanField("全项目检查至少逾期", default=False)
    first_due = models.DateField("首次检查应检日期", null=True, blank=True)
    next_due = models.DateField("最早应检日期")
    computed_at = models.DateTimeField("计算时间")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "覆盖状态"
        verbose_name_plural = "覆盖状态"
        indexes = [
            models.Index(fields=["next_due", "township", "enterprise"], name="risk_cov_next_due"),
            models.Index(fields=["township", "next_due", "enterprise"], name="risk_cov_township_due"),
        ]

    def __str__(self):
        return f"{self.enterprise_id} {self.next_due}"


class CoverageBucket(models.Model):
    """Coverage state summed per (township, grade, next_due): what the per-township counts, the home page's overdue
    count and the grade distribution read, a few thousand rows instead of one per enterprise. Rebuilt for the
    townships a coverage refresh touched (apps/risk/coverage.py ``_buckets_rebuild``)."""

    SCOPE_PATH = "township"

    township = models.ForeignKey("accounts.Township", verbose_name="镇街", on_delete=models.CASCADE, related_name="+")
    grade = models.CharField("风险等级", max_length=1, blank=True)
    next_due = models.DateField("最早应检日期")
    enterprises = models.PositiveIntegerField("企业数")
    required = models.PositiveIntegerField("本年应检合计")
    done = models.PositiveIntegerField("本年已检合计（不超过应检）")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "覆盖状态汇总"
        verbose_name_plural = "覆盖状态汇总"
        constraints = [
            models.UniqueConstraint(fields=["township", "grade", "next_due"], name="uniq_coverage_bucket"),
        ]

    def __str__(self):
        return f"{self.township_id} {self.grade or '-'} {self.next_due}: {self.enterprises}"
