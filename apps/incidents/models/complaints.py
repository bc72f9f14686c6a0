"""Complaints and reports (投诉举报, 你举报我查处): the case, its history, attachments, the reporter's identity (its own
model, encrypted at rest, loaded only by the unmask selector), rewards, and the configuration in force by date.

Owned by ``apps.incidents.complaints`` (docs/complaints.md)."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from apps.common.crypto import EncryptedTextField
from apps.common.models import StatusTransitions, TimeStampedModel
from apps.common.scoping import ScopedQuerySet

from ..complaints.choices import (
    COMPLAINT_TRANSITIONS,
    ComplaintChannel,
    ComplaintKind,
    ComplaintStatus,
    RewardLevel,
    RewardStatus,
)


class InForceQuerySet(models.QuerySet):
    def in_force(self, on):
        """The row in force on ``on`` (latest ``effective_from`` ≤ on), or None."""
        return self.filter(effective_from__lte=on).order_by("-effective_from").first()


class ComplaintRules(TimeStampedModel):
    """投诉举报时限与查重规则 (SAMR Order 20): working days for each step, and the duplicate window."""

    effective_from = models.DateField("生效日期", unique=True)
    acceptance_workdays = models.PositiveSmallIntegerField(
        "受理决定时限（工作日）", default=7, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    routing_workdays = models.PositiveSmallIntegerField(
        "分派镇街时限（工作日）", default=2, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    handling_workdays = models.PositiveSmallIntegerField(
        "开始办理时限（工作日）", default=3, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    result_workdays = models.PositiveSmallIntegerField(
        "办结时限（工作日，自分派起）", default=15, validators=[MinValueValidator(1), MaxValueValidator(120)]
    )
    feedback_workdays = models.PositiveSmallIntegerField(
        "反馈举报人时限（工作日）", default=5, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    duplicate_window_days = models.PositiveSmallIntegerField(
        "疑似重复的比对范围（自然日）", default=30, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    identity_retention_days = models.PositiveIntegerField(
        "举报人身份保存期限（自然日，自办结或不予受理起）",
        default=1826,
        validators=[MinValueValidator(30), MaxValueValidator(36500)],
        help_text="期满后举报人身份（姓名、电话、身份证号、联系方式）被删除，投诉举报本身保留（SECURITY.md PII-05）",
    )
    note = models.CharField("依据/说明", max_length=200, blank=True)

    objects = InForceQuerySet.as_manager()

    class Meta:
        verbose_name = "投诉举报时限规则"
        verbose_name_plural = "投诉举报时限规则"
        ordering = ["-effective_from"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    acceptance_workdays__gte=1,
                    routing_workdays__gte=1,
                    handling_workdays__gte=1,
                    result_workdays__gte=1,
                    feedback_workdays__gte=1,
                    duplicate_window_days__gte=1,
                ),
                name="complaintrules_days_ge_1",
            ),
            models.CheckConstraint(
                condition=models.Q(identity_retention_days__gte=30), name="complaintrules_retention_ge_30"
            ),
        ]

    def __str__(self):
        return f"投诉举报时限规则（{self.effective_from} 起）"


PERCENT = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


class RewardRule(TimeStampedModel):
    """举报奖励标准 (国市监稽规〔2021〕4号): a percentage of fines and confiscations per level, a minimum per level
    (also when there is no fine), and a cap per case. Amounts in fen (分)."""

    effective_from = models.DateField("生效日期", unique=True)
    level1_percent = models.DecimalField(
        "一级比例（%）", max_digits=5, decimal_places=2, default=Decimal("5"), validators=PERCENT
    )
    level2_percent = models.DecimalField(
        "二级比例（%）", max_digits=5, decimal_places=2, default=Decimal("3"), validators=PERCENT
    )
    level3_percent = models.DecimalField(
        "三级比例（%）", max_digits=5, decimal_places=2, default=Decimal("1"), validators=PERCENT
    )
    level1_min_fen = models.BigIntegerField("一级最低额（分）", default=500_000, validators=[MinValueValidator(0)])
    level2_min_fen = models.BigIntegerField("二级最低额（分）", default=300_000, validators=[MinValueValidator(0)])
    level3_min_fen = models.BigIntegerField("三级最低额（分）", default=100_000, validators=[MinValueValidator(0)])
    cap_fen = models.BigIntegerField("每案最高额（分）", default=100_000_000, validators=[MinValueValidator(0)])
    note = models.CharField("依据/说明", max_length=200, blank=True)

    objects = InForceQuerySet.as_manager()

    class Meta:
        verbose_name = "举报奖励标准"
        verbose_name_plural = "举报奖励标准"
        ordering = ["-effective_from"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level1_min_fen__gte=0, level2_min_fen__gte=0, level3_min_fen__gte=0, cap_fen__gte=0),
                name="rewardrule_amounts_ge_0",
            )
        ]

    def __str__(self):
        return f"举报奖励标准（{self.effective_from} 起）"

    def percent_of(self, level: int) -> Decimal:
        return {1: self.level1_percent, 2: self.level2_percent, 3: self.level3_percent}[int(level)]

    def minimum_of(self, level: int) -> int:
        return {1: self.level1_min_fen, 2: self.level2_min_fen, 3: self.level3_min_fen}[int(level)]


class ComplaintQuerySet(ScopedQuerySet):
    pass


class Complaint(StatusTransitions, TimeStampedModel):
    """One complaint or report. Never holds the reporter's identity (``ReporterIdentity``); ``anonymous`` and
    ``reward_claimed`` say only whether there is one and whether a reward is asked for."""

    SCOPE_PATH = "township"
    TRANSITIONS = COMPLAINT_TRANSITIONS

    number = models.CharField("编号", max_length=20, unique=True)
    kind = models.CharField("类别", max_length=10, choices=ComplaintKind.choices)
    channel = models.CharField("来源渠道", max_length=12, choices=ComplaintChannel.choices)
    content = models.TextField("内容")
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name="被投诉举报对象",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    subject_name = models.CharField("对象名称（反映人所述）", max_length=200, blank=True)
    address = models.CharField("地址", max_length=255, blank=True)
    address_key = models.CharField("地址（比对用）", max_length=255, blank=True, db_index=True)
    township = models.ForeignKey(
        "accounts.Township", verbose_name="镇街", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    received_at = models.DateTimeField("收到时间", db_index=True)
    status = models.CharField("状态", max_length=10, choices=ComplaintStatus.choices, default=ComplaintStatus.PENDING)
    anonymous = models.BooleanField("匿名", default=True)
    reward_claimed = models.BooleanField("申请奖励", default=False)
    # clocks (due dates computed with the rules in force when each step starts)
    acceptance_due = models.DateField("受理决定期限")
    decided_at = models.DateTimeField("受理决定时间", null=True, blank=True)
    decision_note = models.TextField("受理意见", blank=True)
    routing_due = models.DateField("分派期限", null=True, blank=True)
    routed_at = models.DateTimeField("分派时间", null=True, blank=True)
    handling_due = models.DateField("开始办理期限", null=True, blank=True)
    handling_at = models.DateTimeField("开始办理时间", null=True, blank=True)
    result_due = models.DateField("办结期限", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    upheld = models.BooleanField("查证属实", null=True, blank=True)
    result_text = models.TextField("办理结果", blank=True)
    feedback_due = models.DateField("反馈期限", null=True, blank=True)
    feedback_at = models.DateTimeField("反馈时间", null=True, blank=True)
    feedback_text = models.TextField("反馈内容（公开给反映人）", blank=True)
    identity_purged_on = models.DateField("举报人身份删除日期（保存期满）", null=True, blank=True)
    duplicate_of = models.ForeignKey(
        "self", verbose_name="重复于", null=True, blank=True, on_delete=models.PROTECT, related_name="duplicates"
    )
    query_code_digest = models.CharField("查询码摘要", max_length=64, unique=True)
    intake_token_digest = models.CharField("提交凭证摘要", max_length=64, null=True, blank=True, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = ComplaintQuerySet.as_manager()

    class Meta:
        verbose_name = "投诉举报"
        verbose_name_plural = "投诉举报"
        ordering = ["-received_at", "-id"]
        permissions = [
            ("unmask_reporter", "查看举报人身份（须说明理由）"),
            ("manage_reward", "核定和发放举报奖励"),
            ("export_complaint", "导出投诉举报"),
            ("view_timeliness", "查看镇街时效考核"),
            ("purge_reporter_identity", "按保存期限删除举报人身份"),
        ]
        indexes = [
            models.Index(fields=["enterprise", "received_at"], name="complaint_ent_received"),
            models.Index(fields=["updated_at", "id"], name="complaint_feed"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=ComplaintStatus.values), name="complaint_status_valid"
            ),
            models.CheckConstraint(condition=models.Q(kind__in=ComplaintKind.values), name="complaint_kind_valid"),
            models.CheckConstraint(
                condition=models.Q(channel__in=ComplaintChannel.values), name="complaint_channel_valid"
            ),
            models.CheckConstraint(condition=~models.Q(content=""), name="complaint_content_required"),
        ]

    def __str__(self):
        return f"{self.number} {self.get_kind_display()}"


class ComplaintEvent(models.Model):
    """One step of a complaint's history (status change, duplicate link, reward)."""

    complaint = models.ForeignKey(Complaint, verbose_name="投诉举报", on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField("时间")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    from_status = models.CharField("原状态", max_length=10, choices=ComplaintStatus.choices, blank=True)
    to_status = models.CharField("新状态", max_length=10, choices=ComplaintStatus.choices, blank=True)
    action = models.CharField("事项", max_length=40)
    note = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "投诉举报办理记录"
        verbose_name_plural = "投诉举报办理记录"
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.complaint_id} {self.action}"


def _attachment_path(instance, filename):
    return f"complaints/{instance.complaint_id}/{filename}"


class ComplaintAttachment(models.Model):
    """A file sent with a complaint (JPEG, PNG or PDF, checked by content). Stored under a random name: the
    uploaded file name is not kept (it may name the reporter)."""

    complaint = models.ForeignKey(
        Complaint, verbose_name="投诉举报", on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField("文件", upload_to=_attachment_path, max_length=200)
    content_type = models.CharField("类型", max_length=40)
    size = models.PositiveIntegerField("大小（字节）")
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "投诉举报附件"
        verbose_name_plural = "投诉举报附件"
        ordering = ["id"]

    def __str__(self):
        return f"附件 {self.pk}"


class ReporterIdentity(TimeStampedModel):
    """The reporter's identity, encrypted at rest (SECURITY.md PII-02/04). Read only by
    ``selectors.reporter_identity_unmask`` (complaint officer, with a reason, audited)."""

    complaint = models.OneToOneField(
        Complaint, verbose_name="投诉举报", on_delete=models.CASCADE, related_name="reporter_identity"
    )
    name = EncryptedTextField("姓名")
    phone = EncryptedTextField("电话")
    id_number = EncryptedTextField("身份证号")
    contact = EncryptedTextField("其他联系方式")

    class Meta:
        verbose_name = "举报人身份"
        verbose_name_plural = "举报人身份"

    def __str__(self):
        return f"投诉举报 {self.complaint_id} 的反映人"


class Reward(TimeStampedModel):
    """举报奖励 of an upheld report: the level, the fines and confiscations it is based on, the amount computed by the
    rule in force, and its payment."""

    complaint = models.OneToOneField(
        Complaint, verbose_name="投诉举报", on_delete=models.PROTECT, related_name="reward"
    )
    level = models.PositiveSmallIntegerField("奖励等级", choices=RewardLevel.choices)
    fines_fen = models.BigIntegerField("罚没款（分）", validators=[MinValueValidator(0)])
    rule = models.ForeignKey(RewardRule, verbose_name="奖励标准", on_delete=models.PROTECT, related_name="+")
    amount_fen = models.BigIntegerField("核定金额（分）", validators=[MinValueValidator(0)])
    status = models.CharField("状态", max_length=10, choices=RewardStatus.choices, default=RewardStatus.ASSESSED)
    paid_on = models.DateField("发放日期", null=True, blank=True)
    paid_fen = models.BigIntegerField("发放金额（分）", null=True, blank=True, validators=[MinValueValidator(0)])
    voucher_no = models.CharField("凭证号", max_length=40, blank=True)

    class Meta:
        verbose_name = "举报奖励"
        verbose_name_plural = "举报奖励"
        constraints = [
            models.CheckConstraint(condition=models.Q(fines_fen__gte=0, amount_fen__gte=0), name="reward_fen_ge_0"),
            models.CheckConstraint(condition=models.Q(level__in=[1, 2, 3]), name="reward_level_1_3"),
        ]

    def __str__(self):
        return f"投诉举报 {self.complaint_id} 的奖励"
