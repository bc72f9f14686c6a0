"""舆情 events (舆情快速反应): the event with its source, assessment, response clock, response actions, closing,
history, enterprise links and what it spawned; and the response configuration in force by date.

Owned by ``apps.incidents.opinion`` (docs/opinion.md)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from apps.common.models import StatusTransitions, TimeStampedModel
from apps.common.scoping import ScopedQuerySet

from .complaints import InForceQuerySet

# ---------------------------------------------------------------- choices and the status pipeline (data)
# Declared here, not in ``opinion/choices.py`` (which re-exports them): every subpackage imports the models package,
# so nothing it imports may import a subpackage (lint-imports, incidents-subpackages).


class OpinionSource(models.TextChoices):
    MEDIA = "media", "媒体报道"
    ONLINE = "online", "网络平台"
    HOTLINE_12345 = "12345", "12345热线"
    PLATFORM_12315 = "12315", "12315"
    PETITION = "petition", "信访"
    OTHER = "other", "其他"


class OpinionRisk(models.TextChoices):
    LOW = "low", "低"
    MEDIUM = "medium", "中"
    HIGH = "high", "高"


class OpinionStatus(models.TextChoices):
    PENDING = "pending", "待研判"
    HANDLING = "handling", "处置中"
    RESPONDED = "responded", "已回应"
    CLOSED = "closed", "已关闭"


S = OpinionStatus
OPINION_TRANSITIONS: dict[str, set[str]] = {
    S.PENDING: {S.HANDLING},  # 研判 (heat and risk assessed)
    S.HANDLING: {S.RESPONDED},  # 回应
    S.RESPONDED: {S.CLOSED},  # 关闭 (closing summary)
    S.CLOSED: set(),
}

# Statuses in which response actions (处置措施) may still be recorded.
ACTION_STATUSES = (S.PENDING, S.HANDLING, S.RESPONDED)

HEAT_MIN, HEAT_MAX = 1, 5
HEAT_CHOICES = [(1, "1（很低）"), (2, "2（较低）"), (3, "3（一般）"), (4, "4（较高）"), (5, "5（很高）")]


class OpinionRules(TimeStampedModel):
    """舆情回应时限: hours from discovery to the response, by the rule in force on the day of discovery."""

    effective_from = models.DateField("生效日期", unique=True)
    response_hours = models.PositiveSmallIntegerField(
        "回应时限（小时）", default=24, validators=[MinValueValidator(1), MaxValueValidator(720)]
    )
    note = models.CharField("依据/说明", max_length=200, blank=True)

    objects = InForceQuerySet.as_manager()

    class Meta:
        verbose_name = "舆情回应时限规则"
        verbose_name_plural = "舆情回应时限规则"
        ordering = ["-effective_from"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(response_hours__gte=1, response_hours__lte=720), name="opinionrules_hours_1_720"
            )
        ]

    def __str__(self):
        return f"舆情回应时限规则（{self.effective_from} 起）"


class OpinionEventQuerySet(ScopedQuerySet):
    pass


class OpinionEvent(StatusTransitions, TimeStampedModel):
    """One 舆情 event. ``discovered_at`` starts the response clock: ``response_due`` = discovered_at +
    ``response_hours`` of the rules in force on that (local) date, stored when the event is recorded."""

    SCOPE_PATH = "township"
    TRANSITIONS = OPINION_TRANSITIONS

    number = models.CharField("编号", max_length=20, unique=True)
    title = models.CharField("标题", max_length=200)
    source = models.CharField("来源", max_length=10, choices=OpinionSource.choices)
    source_detail = models.CharField(
        "来源详情（网址或媒体名称）", max_length=500, blank=True, help_text="只作文字记录，系统不访问该网址"
    )
    content = models.TextField("内容")
    subject_name = models.CharField("涉及对象（所述）", max_length=200, blank=True)
    address = models.CharField("涉及地址", max_length=255, blank=True)
    township = models.ForeignKey(
        "accounts.Township", verbose_name="镇街", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    discovered_at = models.DateTimeField("发现时间", db_index=True)
    status = models.CharField("状态", max_length=10, choices=OpinionStatus.choices, default=OpinionStatus.PENDING)
    # assessment (研判)
    heat = models.PositiveSmallIntegerField(
        "热度（1–5）",
        null=True,
        blank=True,
        validators=[MinValueValidator(HEAT_MIN), MaxValueValidator(HEAT_MAX)],
    )
    risk = models.CharField("风险", max_length=6, choices=OpinionRisk.choices, blank=True)
    assessment_note = models.TextField("研判意见", blank=True)
    assessed_at = models.DateTimeField("研判时间", null=True, blank=True)
    # response clock
    response_hours = models.PositiveSmallIntegerField("回应时限（小时）")
    response_due = models.DateTimeField("回应期限", db_index=True)
    responded_at = models.DateTimeField("回应时间", null=True, blank=True)
    response_text = models.TextField("回应内容", blank=True)
    # closing
    closed_at = models.DateTimeField("关闭时间", null=True, blank=True)
    closing_summary = models.TextField("处置总结", blank=True)
    # links
    enterprises = models.ManyToManyField(
        "enterprises.Enterprise", verbose_name="关联检查对象", blank=True, related_name="+"
    )
    spawned_incident = models.ForeignKey(
        "incidents.Incident",
        verbose_name="转为食品安全事件",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    spawned_inspection_ref = models.CharField("飞行检查任务", max_length=60, blank=True)
    spawned_inspection_url = models.CharField("飞行检查任务链接", max_length=300, blank=True)
    submit_token = models.UUIDField("提交凭证", null=True, blank=True, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = OpinionEventQuerySet.as_manager()

    class Meta:
        verbose_name = "舆情事件"
        verbose_name_plural = "舆情事件"
        ordering = ["-discovered_at", "-id"]
        permissions = [("export_opinionevent", "导出舆情事件")]
        indexes = [models.Index(fields=["updated_at", "id"], name="opinion_feed")]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=OpinionStatus.values), name="opinion_status_valid"),
            models.CheckConstraint(condition=models.Q(source__in=OpinionSource.values), name="opinion_source_valid"),
            models.CheckConstraint(
                condition=models.Q(heat__isnull=True) | models.Q(heat__gte=HEAT_MIN, heat__lte=HEAT_MAX),
                name="opinion_heat_1_5",
            ),
            models.CheckConstraint(
                condition=models.Q(responded_at__isnull=True) | models.Q(responded_at__gte=models.F("discovered_at")),
                name="opinion_responded_after_discovered",
            ),
            models.CheckConstraint(
                condition=models.Q(closed_at__isnull=True) | models.Q(responded_at__isnull=False),
                name="opinion_closed_after_response",
            ),
            models.CheckConstraint(condition=~models.Q(content=""), name="opinion_content_required"),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"


class OpinionAction(models.Model):
    """One response action (处置措施) taken on an event."""

    event = models.ForeignKey(OpinionEvent, verbose_name="舆情事件", on_delete=models.CASCADE, related_name="actions")
    at = models.DateTimeField("时间")
    text = models.TextField("措施")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="记录人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    submit_token = models.UUIDField("提交凭证", null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = "舆情处置措施"
        verbose_name_plural = "舆情处置措施"
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.event_id} {self.at:%Y-%m-%d %H:%M}"


class OpinionEventHistory(models.Model):
    """One step of an event's history (status change, edit, link, spawn)."""

    event = models.ForeignKey(OpinionEvent, verbose_name="舆情事件", on_delete=models.CASCADE, related_name="history")
    at = models.DateTimeField("时间")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    from_status = models.CharField("原状态", max_length=10, choices=OpinionStatus.choices, blank=True)
    to_status = models.CharField("新状态", max_length=10, choices=OpinionStatus.choices, blank=True)
    action = models.CharField("事项", max_length=40)
    note = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "舆情事件记录"
        verbose_name_plural = "舆情事件记录"
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.event_id} {self.action}"
