"""风险会商: meeting records whose decisions can add or change plan lines."""

from django.conf import settings
from django.db import models

from apps.common.models import TimeStampedModel


class ConsultationMeeting(TimeStampedModel):
    held_on = models.DateField("会商日期")
    title = models.CharField("会商主题", max_length=120)
    participants = models.TextField("参会单位与人员")
    summary = models.TextField("会商纪要")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="记录人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "风险会商"
        verbose_name_plural = "风险会商"
        ordering = ["-held_on", "-id"]

    def __str__(self):
        return f"{self.held_on} {self.title}"


class ConsultationDecision(models.Model):
    """A decision of a meeting; ``plan_line`` is the line it added or changed (the change is recorded in the
    decision and in the audit log)."""

    meeting = models.ForeignKey(
        ConsultationMeeting, verbose_name="会商", on_delete=models.CASCADE, related_name="decisions"
    )
    text = models.TextField("决定事项")
    plan_line = models.ForeignKey(
        "sampling.PlanLine",
        verbose_name="新增或调整的计划明细",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    change = models.JSONField("调整内容", default=dict, blank=True, help_text='如 {"batches": [10, 15]}')
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "会商决定"
        verbose_name_plural = "会商决定"
        ordering = ["meeting", "id"]

    def __str__(self):
        return self.text[:40]
