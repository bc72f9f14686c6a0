"""The dashboard's own models: the permission of the leadership dashboard (驾驶舱; no table, ``managed = False``:
its figures come from the other apps' selectors and measures) and the generated monthly and annual reports (月报、年报,
issue 12 point 6; docs/reports.md).

One ``Report`` row per file pair (Excel + PDF) a report job wrote: the city's report (``township`` empty) and one
per township. Scoped by ``township``: city roles see every row, a township role only its township's reports (the
city report compares every township, so it is not theirs to read).
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from apps.common.scoping import ScopedManager


class ReportKind(models.TextChoices):
    MONTHLY = "monthly", "月报"
    ANNUAL = "annual", "年报"


class Report(models.Model):
    SCOPE_PATH = "township"

    kind = models.CharField("类型", max_length=16, choices=ReportKind.choices)
    year = models.PositiveSmallIntegerField("年度", validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    month = models.PositiveSmallIntegerField(
        "月份", null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    as_of = models.DateField("统计截至")
    township = models.ForeignKey(
        "accounts.Township", verbose_name="镇街", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    job = models.ForeignKey("common.Job", verbose_name="生成任务", on_delete=models.CASCADE, related_name="+")
    scheduled = models.BooleanField("定时生成", default=False)
    behind_count = models.PositiveIntegerField("未达目标项数", default=0)
    created_at = models.DateTimeField("生成时间", auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = "月报与年报"
        verbose_name_plural = "月报与年报"
        ordering = ["-year", "-month", "-created_at"]
        default_permissions = ("view",)
        permissions = [("run_report", "生成月报与年报")]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(kind="monthly", month__gte=1, month__lte=12) | models.Q(kind="annual", month=None)),
                name="dashboard_report_month_matches_kind",
            ),
            models.CheckConstraint(condition=models.Q(year__gte=2000, year__lte=2100), name="dashboard_report_year"),
        ]
        indexes = [models.Index(fields=["kind", "year", "month"])]

    def __str__(self):
        return f"{self.period_label}{self.get_kind_display()}（{self.scope_label}）"

    @property
    def period_label(self) -> str:
        return f"{self.year} 年 {self.month} 月" if self.kind == ReportKind.MONTHLY else f"{self.year} 年"

    @property
    def scope_label(self) -> str:
        return self.township.name if self.township_id else "全市"


class LeadershipDashboard(models.Model):
    class Meta:
        managed = False
        default_permissions = ()
        permissions = [("view_leadership", "查看领导驾驶舱（全市或本镇街，只读）")]
        verbose_name = "领导驾驶舱"
        verbose_name_plural = "领导驾驶舱"

    def __str__(self):
        return "领导驾驶舱"
