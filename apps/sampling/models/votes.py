"""你点我检: topics citizens vote on, one vote per person per topic per period (no account needed; a person is told
apart by a keyed hash, see docs), the adopted topics' plan lines, and their results published back."""

from django.db import models

from apps.common.models import TimeStampedModel

from ..choices import TopicStatus


class VoteTopic(TimeStampedModel):
    """A topic (e.g. 小龙虾 重金属, 农贸市场 豇豆 农药残留). City-wide and public."""

    title = models.CharField("题目", max_length=100)
    description = models.TextField("说明", blank=True)
    category = models.ForeignKey(
        "standards.SamplingCategory",
        verbose_name="抽检分类",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    township = models.ForeignKey(
        "accounts.Township",
        verbose_name="镇街",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="留空表示全市",
    )
    opens_on = models.DateField("投票开始")
    closes_on = models.DateField("投票截止")
    status = models.CharField("状态", max_length=10, choices=TopicStatus.choices, default=TopicStatus.OPEN)
    plan_line = models.ForeignKey(
        "sampling.PlanLine",
        verbose_name="列入计划明细",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    vote_count = models.PositiveIntegerField("票数", default=0)

    class Meta:
        verbose_name = "你点我检题目"
        verbose_name_plural = "你点我检题目"
        ordering = ["-opens_on", "-vote_count"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_on__gte=models.F("opens_on")), name="votetopic_period_order"
            ),
            models.CheckConstraint(condition=models.Q(status__in=TopicStatus.values), name="votetopic_status_valid"),
        ]

    def __str__(self):
        return self.title


class Vote(models.Model):
    """One person's vote on a topic in a period (``period`` = the topic's voting window label)."""

    topic = models.ForeignKey(VoteTopic, verbose_name="题目", on_delete=models.CASCADE, related_name="votes")
    period = models.CharField("期次", max_length=20)
    voter_key = models.CharField("投票人标识（哈希）", max_length=64)
    created_at = models.DateTimeField("投票时间", auto_now_add=True)

    class Meta:
        verbose_name = "你点我检投票"
        verbose_name_plural = "你点我检投票"
        constraints = [
            models.UniqueConstraint(fields=["topic", "period", "voter_key"], name="uniq_vote_topic_period_voter"),
        ]

    def __str__(self):
        return f"{self.topic_id} {self.period}"
