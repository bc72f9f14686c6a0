"""Emergency plans (应急预案) with their issued versions, and drills (应急演练) with their attachments.

Owned by ``apps.incidents.drills`` (docs/drills.md). A plan is city-level (``township`` empty) or a township's; its
versions are numbered 1, 2, 3 … without gaps per plan, numbered when issued (a draft has no number) and never edited
after issue: a new version supersedes. The current version is the issued one with the highest number."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from apps.common.models import TimeStampedModel
from apps.common.scoping import ScopedQuerySet, user_sees_all_townships, user_township_ids


class PlanLevel(models.TextChoices):
    CITY = "city", "市级"
    TOWNSHIP = "township", "镇街"


class DrillKind(models.TextChoices):
    TABLETOP = "tabletop", "桌面推演"
    FIELD = "field", "实战演练"
    COMBINED = "combined", "综合演练"


class EmergencyPlanQuerySet(ScopedQuerySet):
    def scope_for_user(self, user):
        """Township staff see their township's plans and the city plan (the plan their drills may follow)."""
        if user_sees_all_townships(user):
            return self
        township_ids = user_township_ids(user)
        if not township_ids:
            return self.none()
        return self.filter(Q(township__in=township_ids) | Q(township__isnull=True))


class EmergencyPlan(TimeStampedModel):
    """One emergency plan (食品安全事故应急预案) of the city or of a township."""

    SCOPE_PATH = "township"

    title = models.CharField("预案名称", max_length=200)
    level = models.CharField("层级", max_length=10, choices=PlanLevel.choices)
    township = models.ForeignKey(
        "accounts.Township", verbose_name="镇街", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    owner_department = models.CharField("编制部门", max_length=100)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = EmergencyPlanQuerySet.as_manager()

    class Meta:
        verbose_name = "应急预案"
        verbose_name_plural = "应急预案"
        ordering = ["level", "township__order", "title", "id"]
        indexes = [models.Index(fields=["updated_at", "id"], name="emergencyplan_feed")]
        constraints = [
            models.CheckConstraint(condition=Q(level__in=PlanLevel.values), name="emergencyplan_level_valid"),
            models.CheckConstraint(
                condition=Q(level=PlanLevel.CITY, township__isnull=True)
                | Q(level=PlanLevel.TOWNSHIP, township__isnull=False),
                name="emergencyplan_level_matches_township",
            ),
            models.CheckConstraint(condition=~Q(title=""), name="emergencyplan_title_required"),
        ]

    def __str__(self):
        return self.title


def _version_path(instance, filename):
    return f"emergency-plans/{instance.plan_id}/{filename}"


class PlanVersionQuerySet(ScopedQuerySet):
    def scope_for_user(self, user):
        return self.filter(plan__in=EmergencyPlan.objects.visible_to(user).values("pk"))

    def issued(self):
        return self.filter(number__isnull=False)


class PlanVersion(models.Model):
    """One version of a plan: a draft (uploaded, not yet issued: no number) or issued (number, never changed)."""

    SCOPE_PATH = "plan__township"

    plan = models.ForeignKey(EmergencyPlan, verbose_name="预案", on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField("版本号", null=True, blank=True, validators=[MinValueValidator(1)])
    issued_on = models.DateField("印发日期")
    summary = models.TextField("修订说明")
    document = models.FileField("预案文本", upload_to=_version_path, max_length=200)
    original_name = models.CharField("原文件名", max_length=120, blank=True)
    content_type = models.CharField("文件类型", max_length=100)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="上传人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    issued_at = models.DateTimeField("签发时间", null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="签发人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = PlanVersionQuerySet.as_manager()

    class Meta:
        verbose_name = "应急预案版本"
        verbose_name_plural = "应急预案版本"
        ordering = ["plan", "-number", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="planversion_number_unique"),
            models.CheckConstraint(
                condition=Q(number__isnull=True, issued_at__isnull=True)
                | Q(number__isnull=False, number__gte=1, issued_at__isnull=False),
                name="planversion_number_iff_issued",
            ),
        ]

    def __str__(self):
        return f"{self.plan} 第 {self.number} 版" if self.number else f"{self.plan} 待签发稿"

    @property
    def is_issued(self) -> bool:
        return self.number is not None

    @property
    def extension(self) -> str:
        return self.document.name.rsplit(".", 1)[-1] if "." in self.document.name else "bin"


class DrillQuerySet(ScopedQuerySet):
    pass


class Drill(TimeStampedModel):
    """A drill that took place (recorded afterwards): a township's, or the city's (``township`` empty)."""

    SCOPE_PATH = "township"

    date = models.DateField("演练日期", db_index=True)
    township = models.ForeignKey(
        "accounts.Township", verbose_name="镇街", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    plan = models.ForeignKey(
        EmergencyPlan, verbose_name="依据预案", null=True, blank=True, on_delete=models.PROTECT, related_name="drills"
    )
    scenario = models.CharField("演练情景", max_length=300)
    kind = models.CharField("演练形式", max_length=10, choices=DrillKind.choices)
    participant_count = models.PositiveIntegerField("参演人数", validators=[MinValueValidator(1)])
    participant_orgs = models.TextField("参演单位", blank=True)
    findings = models.TextField("发现的问题", blank=True)
    improvements = models.TextField("改进措施", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = DrillQuerySet.as_manager()

    class Meta:
        verbose_name = "应急演练"
        verbose_name_plural = "应急演练"
        ordering = ["-date", "-id"]
        permissions = [("export_drill", "导出应急演练")]
        indexes = [models.Index(fields=["updated_at", "id"], name="drill_feed")]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=DrillKind.values), name="drill_kind_valid"),
            models.CheckConstraint(condition=Q(participant_count__gte=1), name="drill_participants_ge_1"),
            models.CheckConstraint(condition=~Q(scenario=""), name="drill_scenario_required"),
        ]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.scenario}"


def _attachment_path(instance, filename):
    return f"drills/{instance.drill_id}/{filename}"


class DrillAttachmentQuerySet(ScopedQuerySet):
    pass


class DrillAttachment(models.Model):
    """A photo or PDF of a drill (checked by content, ``apps.common.uploads``), stored under a random name."""

    SCOPE_PATH = "drill__township"

    drill = models.ForeignKey(Drill, verbose_name="演练", on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField("文件", upload_to=_attachment_path, max_length=200)
    original_name = models.CharField("原文件名", max_length=120, blank=True)
    caption = models.CharField("说明", max_length=200, blank=True)
    content_type = models.CharField("文件类型", max_length=50)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="上传人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = DrillAttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = "应急演练附件"
        verbose_name_plural = "应急演练附件"
        ordering = ["id"]

    def __str__(self):
        return f"演练附件 {self.pk}"

    @property
    def extension(self) -> str:
        return self.file.name.rsplit(".", 1)[-1] if "." in self.file.name else "bin"

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")
