"""Food-safety incidents (食品安全事故/事件): the incident with its level and clocks.

Owned by ``apps.incidents.emergencies`` (docs/incidents.md). This module starts as the shared skeleton the 舆情
module links to (``OpinionEvent.spawned_incident``); the emergencies subpackage adds its reports, actions, history
and grading criteria here."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from apps.common.models import InForceQuerySet, StatusTransitions, TimeStampedModel
from apps.common.scoping import ScopedQuerySet


class IncidentLevel(models.TextChoices):
    """Levels of the national emergency plan (国家食品安全事故应急预案): I is the gravest."""

    I = "I", "Ⅰ级（特别重大）"  # noqa: E741
    II = "II", "Ⅱ级（重大）"
    III = "III", "Ⅲ级（较大）"
    IV = "IV", "Ⅳ级（一般）"


class IncidentStatus(models.TextChoices):
    """The status pipeline, declared as data with ``INCIDENT_TRANSITIONS``: 接报 → 处置中 (初报 submitted) → 已终报
    (终报 submitted) → 已结案 (closing summary)."""

    RECEIVED = "received", "接报"
    HANDLING = "handling", "处置中"
    FINAL_REPORTED = "final_reported", "已终报"
    CLOSED = "closed", "已结案"


_S = IncidentStatus
INCIDENT_TRANSITIONS: dict[str, set[str]] = {
    _S.RECEIVED: {_S.HANDLING},
    _S.HANDLING: {_S.FINAL_REPORTED},
    _S.FINAL_REPORTED: {_S.CLOSED},
    _S.CLOSED: set(),
}


class ReportKind(models.TextChoices):
    INITIAL = "initial", "初报"
    FOLLOWUP = "followup", "续报"
    FINAL = "final", "终报"


class IncidentQuerySet(ScopedQuerySet):
    pass


class Incident(StatusTransitions, TimeStampedModel):
    """One incident. ``learned_at`` starts the 2-hour first-report clock; ``level`` is what staff confirmed, the
    suggestion from the grading criteria in force is ``suggested_level``."""

    TRANSITIONS = INCIDENT_TRANSITIONS

    SCOPE_PATH = "township"

    number = models.CharField("编号", max_length=20, unique=True)
    title = models.CharField("事件名称", max_length=200)
    township = models.ForeignKey(
        "accounts.Township", verbose_name="发生镇街", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    occurred_at = models.DateTimeField("发生时间")
    learned_at = models.DateTimeField("获知时间", db_index=True)
    affected_count = models.PositiveIntegerField("涉及人数", default=0)
    dead_count = models.PositiveIntegerField("死亡人数", default=0)
    suggested_level = models.CharField("建议级别", max_length=3, choices=IncidentLevel.choices, blank=True)
    level = models.CharField("确认级别", max_length=3, choices=IncidentLevel.choices, blank=True)
    status = models.CharField(
        "状态", max_length=16, choices=IncidentStatus.choices, default=IncidentStatus.RECEIVED, db_index=True
    )
    places = models.TextField("发生地点", blank=True)
    description = models.TextField("事件经过", blank=True)
    enterprises = models.ManyToManyField(
        "enterprises.Enterprise", verbose_name="涉及检查对象", blank=True, related_name="+"
    )
    schools_involved = models.BooleanField("涉及学校（托幼机构）", default=False)
    major_event = models.BooleanField("发生在重大活动或会议期间", default=False)
    townships_count = models.PositiveSmallIntegerField(
        "涉及镇街数", default=1, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    first_report_due = models.DateTimeField("初报期限", null=True, blank=True, db_index=True)
    first_reported_at = models.DateTimeField("初报时间", null=True, blank=True)
    final_reported_at = models.DateTimeField("终报时间", null=True, blank=True)
    level_confirmed_at = models.DateTimeField("级别确认时间", null=True, blank=True)
    level_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="级别确认人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField("结案时间", null=True, blank=True)
    closing_summary = models.TextField("结案总结", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = IncidentQuerySet.as_manager()

    class Meta:
        verbose_name = "食品安全事件"
        verbose_name_plural = "食品安全事件"
        ordering = ["-learned_at", "-id"]
        permissions = [
            ("manage_incident", "可确认食品安全事件级别并结案"),
            ("export_incident", "可导出食品安全事件"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(dead_count__lte=models.F("affected_count")), name="incident_dead_le_affected"
            ),
            models.CheckConstraint(condition=models.Q(townships_count__gte=1), name="incident_townships_ge_1"),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"


class IncidentEvent(models.Model):
    """One step of an incident's history (status change, report, action, level confirmation, edit)."""

    incident = models.ForeignKey(Incident, verbose_name="事件", on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField("时间")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    from_status = models.CharField("原状态", max_length=16, choices=IncidentStatus.choices, blank=True)
    to_status = models.CharField("新状态", max_length=16, choices=IncidentStatus.choices, blank=True)
    action = models.CharField("事项", max_length=40)
    note = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "食品安全事件处置记录"
        verbose_name_plural = "食品安全事件处置记录"
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.incident_id} {self.action}"


class IncidentReport(models.Model):
    """初报 / 续报 / 终报: ``submitted_at`` is when it was sent up (not when it was typed in)."""

    incident = models.ForeignKey(Incident, verbose_name="事件", on_delete=models.CASCADE, related_name="reports")
    kind = models.CharField("报告类型", max_length=10, choices=ReportKind.choices)
    submitted_at = models.DateTimeField("报送时间")
    content = models.TextField("报告内容")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="报送人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "事件报告"
        verbose_name_plural = "事件报告"
        ordering = ["submitted_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident"], condition=models.Q(kind="initial"), name="incident_one_initial_report"
            ),
            models.UniqueConstraint(
                fields=["incident"], condition=models.Q(kind="final"), name="incident_one_final_report"
            ),
        ]

    def __str__(self):
        return f"{self.incident_id} {self.get_kind_display()}"


class IncidentAction(models.Model):
    """A response action (应急处置措施): when, what, who recorded it."""

    incident = models.ForeignKey(Incident, verbose_name="事件", on_delete=models.CASCADE, related_name="actions")
    at = models.DateTimeField("时间")
    text = models.TextField("处置措施")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "事件处置措施"
        verbose_name_plural = "事件处置措施"
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.incident_id} {self.at:%Y-%m-%d %H:%M}"


class IncidentLink(models.Model):
    """A record of another app linked to the incident, as a reference (``sampling-sample:<id>``) resolved through
    ``apps.common.refs`` (incidents does not import sampling)."""

    incident = models.ForeignKey(Incident, verbose_name="事件", on_delete=models.CASCADE, related_name="links")
    ref = models.CharField("关联记录", max_length=60)

    class Meta:
        verbose_name = "事件关联记录"
        verbose_name_plural = "事件关联记录"
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["incident", "ref"], name="incident_link_unique")]

    def __str__(self):
        return self.ref


COUNT = [MinValueValidator(1), MaxValueValidator(100000)]


class IncidentGradingCriteria(TimeStampedModel):
    """分级标准 (DOMAIN.md §6): the counts from which a level is suggested. Ⅰ级 (跨省) is never suggested: staff
    confirm it. The defaults are the Jiangsu provincial plan's example; Zhejiang's table was not found, so
    ``defaults_unconfirmed`` marks them 默认值待确认 until someone checks the Haining or Jiaxing plan."""

    effective_from = models.DateField("生效日期", unique=True)
    ii_deaths = models.PositiveIntegerField("Ⅱ级：死亡人数达到", default=10, validators=COUNT)
    ii_affected_with_deaths = models.PositiveIntegerField("Ⅱ级：有死亡且涉及人数达到", default=100, validators=COUNT)
    ii_school_affected = models.PositiveIntegerField("Ⅱ级：学校食物中毒涉及人数达到", default=50, validators=COUNT)
    ii_major_event_affected = models.PositiveIntegerField(
        "Ⅱ级：重大活动或会议期间涉及人数达到", default=50, validators=COUNT
    )
    iii_affected = models.PositiveIntegerField("Ⅲ级：涉及人数达到", default=100, validators=COUNT)
    iii_deaths = models.PositiveIntegerField("Ⅲ级：死亡人数达到", default=1, validators=COUNT)
    iv_affected = models.PositiveIntegerField("Ⅳ级：涉及人数达到", default=30, validators=COUNT)
    iv_townships = models.PositiveIntegerField("Ⅳ级：涉及镇街数达到", default=2, validators=COUNT)
    defaults_unconfirmed = models.BooleanField("默认值待确认", default=True)
    note = models.CharField("依据/说明", max_length=200, blank=True)

    objects = InForceQuerySet.as_manager()

    class Meta:
        verbose_name = "食品安全事件分级标准"
        verbose_name_plural = "食品安全事件分级标准"
        ordering = ["-effective_from"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    ii_deaths__gte=1,
                    ii_affected_with_deaths__gte=1,
                    ii_school_affected__gte=1,
                    ii_major_event_affected__gte=1,
                    iii_affected__gte=1,
                    iii_deaths__gte=1,
                    iv_affected__gte=1,
                    iv_townships__gte=1,
                ),
                name="incidentgrading_counts_ge_1",
            )
        ]

    def __str__(self):
        return f"食品安全事件分级标准（{self.effective_from} 起）"


class IncidentRules(TimeStampedModel):
    """报告时限: the first report ``first_report_hours`` after the city learned of the incident (DOMAIN.md §6:
    2 hours). DOMAIN gives no 续报 interval and no 终报 deadline: both are empty (no clock) unless configured."""

    effective_from = models.DateField("生效日期", unique=True)
    first_report_hours = models.PositiveSmallIntegerField(
        "初报时限（小时，自获知起）", default=2, validators=[MinValueValidator(1), MaxValueValidator(72)]
    )
    followup_interval_hours = models.PositiveSmallIntegerField(
        "续报间隔（小时，空为不设）", null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(720)]
    )
    final_report_days = models.PositiveSmallIntegerField(
        "终报时限（自然日，自获知起；空为不设）",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    note = models.CharField("依据/说明", max_length=200, blank=True)

    objects = InForceQuerySet.as_manager()

    class Meta:
        verbose_name = "食品安全事件报告时限"
        verbose_name_plural = "食品安全事件报告时限"
        ordering = ["-effective_from"]
        constraints = [
            models.CheckConstraint(condition=models.Q(first_report_hours__gte=1), name="incidentrules_first_ge_1")
        ]

    def __str__(self):
        return f"食品安全事件报告时限（{self.effective_from} 起）"
