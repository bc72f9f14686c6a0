"""执法检查人员名录库 (DOMAIN.md §2.2): badge, enforcement certificate, unit, township, specialties, conflicts."""

import datetime as dt

from django.conf import settings
from django.db import models

from apps.common.models import TimeStampedModel
from apps.common.scoping import ScopedQuerySet


class InspectorQuerySet(ScopedQuerySet):
    def active(self):
        return self.filter(is_active=True)

    def certified_on(self, day: dt.date):
        return self.filter(certificate_valid_until__gte=day).exclude(certificate_no="")


class Inspector(TimeStampedModel):
    SCOPE_PATH = "township"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="登录账户",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inspector_profile",
    )
    name = models.CharField("姓名", max_length=50)
    badge_no = models.CharField("执法证号（胸牌号）", max_length=32, unique=True, help_text="公开抽取结果中展示")
    certificate_no = models.CharField("行政执法证件号", max_length=40, blank=True)
    certificate_valid_until = models.DateField("执法证有效期至", null=True, blank=True)
    unit = models.CharField("所属单位", max_length=100, default="海宁市市场监督管理局")
    township = models.ForeignKey(
        "accounts.Township",
        verbose_name="所属镇街（市场监管所辖区）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspectors",
    )
    specialties = models.JSONField(
        "执法领域/专长", default=list, blank=True, help_text="如 production / sales / catering / special_food"
    )
    phone = models.CharField("联系电话", max_length=20, blank=True)
    is_active = models.BooleanField("在岗", default=True)
    conflicts = models.ManyToManyField(
        "enterprises.Enterprise",
        verbose_name="申报回避对象",
        through="InspectorConflict",
        blank=True,
        related_name="conflicted_inspectors",
    )

    objects = InspectorQuerySet.as_manager()

    class Meta:
        verbose_name = "执法检查人员"
        verbose_name_plural = "执法检查人员名录库"
        ordering = ["badge_no"]

    def __str__(self):
        return f"{self.name}（{self.badge_no}）"

    def is_certified_on(self, day: dt.date) -> bool:
        return bool(self.certificate_no and self.certificate_valid_until and self.certificate_valid_until >= day)


class InspectorConflict(models.Model):
    """A declared conflict of interest (回避, Order 49 Art 23): the inspector is never drawn for this enterprise."""

    SCOPE_PATH = "enterprise__township"

    inspector = models.ForeignKey(
        Inspector, verbose_name="检查人员", on_delete=models.CASCADE, related_name="conflict_declarations"
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name="检查对象", on_delete=models.CASCADE, related_name="inspector_conflicts"
    )
    reason = models.CharField("回避理由", max_length=200)
    declared_at = models.DateTimeField("申报时间", auto_now_add=True)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "回避申报"
        verbose_name_plural = "回避申报"
        ordering = ["inspector_id", "enterprise_id"]
        constraints = [
            models.UniqueConstraint(fields=["inspector", "enterprise"], name="uniq_inspector_conflict"),
        ]

    def __str__(self):
        return f"{self.inspector} 回避 {self.enterprise_id}"
