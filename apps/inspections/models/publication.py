"""一公开: every final result is published within 20 working days; an objection holds publication until decided."""

from django.conf import settings
from django.db import models

from apps.common.models import TimeStampedModel

from ..choices import PUBLICATION_TRANSITIONS, ObjectionDecision, PublicationStatus
from .tasks import StatusTransitions, TaskChildQuerySet


class Publication(StatusTransitions, TimeStampedModel):
    SCOPE_PATH = "result__task__enterprise__township"
    TASK_PATH = "result__task"
    TRANSITIONS = PUBLICATION_TRANSITIONS

    result = models.OneToOneField(
        "inspections.InspectionResult", verbose_name="检查结果", on_delete=models.PROTECT, related_name="publication"
    )
    due_by = models.DateField("公示期限（20 个工作日）", db_index=True)
    objection_window_ends = models.DateField("异议期截止", null=True, blank=True)
    status = models.CharField(
        "状态", max_length=16, choices=PublicationStatus.choices, default=PublicationStatus.PENDING, db_index=True
    )
    published_at = models.DateTimeField("公示时间", null=True, blank=True, db_index=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="公示人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="空表示由定时任务公示",
    )
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True)
    withdraw_reason = models.CharField("撤回原因", max_length=200, blank=True)
    version = models.PositiveIntegerField("版本", default=1)

    objects = TaskChildQuerySet.as_manager()

    class Meta:
        verbose_name = "结果公示"
        verbose_name_plural = "结果公示"
        ordering = ["due_by", "id"]
        indexes = [models.Index(fields=["status", "due_by"]), models.Index(fields=["updated_at", "id"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=PublicationStatus.values), name="publication_status_valid"
            ),
            models.CheckConstraint(
                condition=~models.Q(status=PublicationStatus.PUBLISHED) | models.Q(published_at__isnull=False),
                name="published_has_time",
            ),
        ]

    def __str__(self):
        return f"{self.result_id} {self.get_status_display()}"


class Objection(TimeStampedModel):
    """An enterprise's objection (异议) to a result before publication."""

    SCOPE_PATH = "publication__result__task__enterprise__township"
    TASK_PATH = "publication__result__task"

    publication = models.ForeignKey(
        Publication, verbose_name="结果公示", on_delete=models.PROTECT, related_name="objections"
    )
    text = models.TextField("异议内容")
    submitter_name = models.CharField("提出人", max_length=50, blank=True)
    submitter_contact = models.CharField("联系方式", max_length=50, blank=True)
    submitted_at = models.DateTimeField("提出时间")
    decision = models.CharField(
        "处理结果", max_length=16, choices=ObjectionDecision.choices, default=ObjectionDecision.PENDING
    )
    decision_note = models.TextField("处理意见", blank=True)
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="处理人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = TaskChildQuerySet.as_manager()

    class Meta:
        verbose_name = "公示异议"
        verbose_name_plural = "公示异议"
        ordering = ["-submitted_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(decision__in=ObjectionDecision.values), name="objection_decision_valid"
            ),
        ]

    def __str__(self):
        return f"{self.publication_id} 异议（{self.get_decision_display()}）"

    @property
    def decided(self) -> bool:
        return self.decision != ObjectionDecision.PENDING
