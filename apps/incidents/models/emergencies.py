"""Food-safety incidents (食品安全事故/事件): the incident with its level and clocks.

Owned by ``apps.incidents.emergencies`` (docs/incidents.md). This module starts as the shared skeleton the 舆情
module links to (``OpinionEvent.spawned_incident``); the emergencies subpackage adds its reports, actions, history
and grading criteria here."""

from django.conf import settings
from django.db import models

from apps.common.models import TimeStampedModel
from apps.common.scoping import ScopedQuerySet


class IncidentLevel(models.TextChoices):
    """Levels of the national emergency plan (国家食品安全事故应急预案): I is the gravest."""

    I = "I", "Ⅰ级（特别重大）"  # noqa: E741
    II = "II", "Ⅱ级（重大）"
    III = "III", "Ⅲ级（较大）"
    IV = "IV", "Ⅳ级（一般）"


class IncidentQuerySet(ScopedQuerySet):
    pass


class Incident(TimeStampedModel):
    """One incident. ``learned_at`` starts the 2-hour first-report clock; ``level`` is what staff confirmed, the
    suggestion from the grading criteria in force is ``suggested_level``."""

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
    status = models.CharField("状态", max_length=12, default="open")
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

    def __str__(self):
        return f"{self.number} {self.title}"
