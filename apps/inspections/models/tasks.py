"""Inspection tasks (random, key, flying, follow-up), results, item verdicts, photos and rectification orders;
the key-inspection rules (重点检查, Order 49 Art 22) as data."""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse

from apps.common.models import TimeStampedModel
from apps.common.scoping import ScopedQuerySet, user_sees_all_townships

from ..choices import (
    RECTIFICATION_TRANSITIONS,
    RESULT_TRANSITIONS,
    TASK_TRANSITIONS,
    InspectionOutcome,
    ItemVerdict,
    PenaltyKind,
    RectificationStatus,
    ResultStatus,
    TaskInspectorRole,
    TaskKind,
    TaskSource,
    TaskStatus,
)

INSPECTOR_ROLE_CODE = "inspector"


class StatusTransitions:
    """``TRANSITIONS`` is the declared table of choices.py; services check it before they change ``status``
    (STYLE.md §3.2), and views ask it which actions to offer."""

    TRANSITIONS: dict = {}

    def can_transition_to(self, new_status: str) -> bool:
        return new_status in self.TRANSITIONS.get(self.status, ())


def _role_codes(user) -> set[str]:
    return set(getattr(user, "role_codes", None) or [])


def assigned_task_ids(user):
    """Sub-query: ids of tasks on which ``user`` (through their Inspector profile) is an assigned inspector."""
    return TaskInspector.objects.filter(inspector__user=user).values("task_id")


class InspectionTaskQuerySet(ScopedQuerySet):
    def scope_for_user(self, user):
        """执法检查人员 (without city-wide rights) see only the tasks assigned to them (PRODUCT.md §1).

        A user who also holds a township role sees that township's tasks as well.
        """
        if user_sees_all_townships(user):
            return self
        codes = _role_codes(user)
        if INSPECTOR_ROLE_CODE not in codes:
            return super().scope_for_user(user)
        assigned = self.filter(pk__in=assigned_task_ids(user))
        if codes - {INSPECTOR_ROLE_CODE}:
            return self.filter(
                models.Q(pk__in=super().scope_for_user(user).values("pk")) | models.Q(pk__in=assigned_task_ids(user))
            )
        return assigned

    def open(self):
        return self.filter(status__in=(TaskStatus.ASSIGNED, TaskStatus.IN_PROGRESS))


class TaskChildQuerySet(ScopedQuerySet):
    """Rows hanging off a task (results, photos, rectifications, publications) follow the task's visibility."""

    def scope_for_user(self, user):
        if user_sees_all_townships(user):
            return self
        path = self.model.TASK_PATH
        return self.filter(**{f"{path}__in": InspectionTask.objects.all().scope_for_user(user).values("pk")})


class InspectionTask(StatusTransitions, TimeStampedModel):
    SCOPE_PATH = "enterprise__township"
    TRANSITIONS = TASK_TRANSITIONS

    number = models.CharField("任务编号", max_length=48, unique=True)
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name="检查对象", on_delete=models.PROTECT, related_name="inspection_tasks"
    )
    kind = models.CharField("检查类型", max_length=16, choices=TaskKind.choices, default=TaskKind.ROUTINE_RANDOM)
    source = models.CharField("来源", max_length=16, choices=TaskSource.choices, default=TaskSource.MANUAL)
    status = models.CharField(
        "状态", max_length=16, choices=TaskStatus.choices, default=TaskStatus.ASSIGNED, db_index=True
    )
    plan = models.ForeignKey(
        "inspections.DrawPlan",
        verbose_name="抽查计划",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    draw = models.ForeignKey(
        "inspections.Draw",
        verbose_name="随机抽取",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    selection = models.OneToOneField(
        "inspections.DrawSelection",
        verbose_name="抽中记录",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="task",
    )
    rule_code = models.CharField("生成规则", max_length=64, blank=True, help_text="规则生成的重点检查：规则代码")
    origin_task = models.ForeignKey(
        "self", verbose_name="原检查任务", null=True, blank=True, on_delete=models.PROTECT, related_name="follow_ups"
    )
    reason = models.TextField("检查事由", blank=True)
    inspectors = models.ManyToManyField(
        "inspections.Inspector", verbose_name="检查人员", through="TaskInspector", related_name="tasks"
    )
    check_items = models.ManyToManyField(
        "standards.CheckItem",
        verbose_name="检查事项",
        blank=True,
        related_name="tasks",
        help_text="留空时按抽查计划的事项或对象业态适用的事项",
    )
    due_date = models.DateField("完成期限", null=True, blank=True, db_index=True)
    started_at = models.DateTimeField("开始检查时间", null=True, blank=True)
    completed_at = models.DateTimeField("完成时间", null=True, blank=True, db_index=True)
    cancelled_reason = models.CharField("取消原因", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="创建人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    version = models.PositiveIntegerField("版本", default=1)

    objects = InspectionTaskQuerySet.as_manager()

    class Meta:
        verbose_name = "检查任务"
        verbose_name_plural = "检查任务"
        ordering = ["due_date", "id"]
        indexes = [
            models.Index(fields=["status", "due_date"]),
            models.Index(fields=["enterprise", "status"]),
            models.Index(fields=["updated_at", "id"]),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=TaskStatus.values), name="task_status_valid"),
            models.CheckConstraint(condition=models.Q(kind__in=TaskKind.values), name="task_kind_valid"),
            models.CheckConstraint(condition=models.Q(source__in=TaskSource.values), name="task_source_valid"),
            models.CheckConstraint(
                condition=~models.Q(source=TaskSource.DRAW) | models.Q(draw__isnull=False, selection__isnull=False),
                name="task_from_draw_has_selection",
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.get_kind_display()}"

    def get_absolute_url(self):
        return reverse("inspections:task_detail", args=[self.pk])

    @property
    def etag(self) -> str:
        return f'"{self.pk}-{self.version}"'


class TaskInspector(models.Model):
    """An inspector on a task; for drawn tasks it points at the immutable draw assignment it came from."""

    SCOPE_PATH = "task__enterprise__township"
    TASK_PATH = "task"

    task = models.ForeignKey(
        InspectionTask, verbose_name="检查任务", on_delete=models.CASCADE, related_name="task_inspectors"
    )
    inspector = models.ForeignKey(
        "inspections.Inspector", verbose_name="检查人员", on_delete=models.PROTECT, related_name="task_links"
    )
    role = models.CharField("分工", max_length=8, choices=TaskInspectorRole.choices, default=TaskInspectorRole.MEMBER)
    order = models.PositiveSmallIntegerField("顺序", default=0)
    assignment = models.OneToOneField(
        "inspections.DrawInspectorAssignment",
        verbose_name="抽取指派",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="task_link",
    )
    assigned_at = models.DateTimeField("指派时间", auto_now_add=True)

    objects = TaskChildQuerySet.as_manager()

    class Meta:
        verbose_name = "任务检查人员"
        verbose_name_plural = "任务检查人员"
        ordering = ["task_id", "order"]
        constraints = [models.UniqueConstraint(fields=["task", "inspector"], name="uniq_task_inspector")]

    def __str__(self):
        return f"{self.task_id} {self.inspector_id}"


class InspectionResult(StatusTransitions, TimeStampedModel):
    """现场检查结果. Final results are immutable; a correction is a new result with ``supersedes`` set.

    ``revision``: 1 for the first record, 2+ for corrections. ``version``: optimistic-concurrency counter (ETag);
    two devices finalising at once — one wins, the other gets 409 (CONC-03).
    """

    SCOPE_PATH = "task__enterprise__township"
    TASK_PATH = "task"
    TRANSITIONS = RESULT_TRANSITIONS

    public_id = models.UUIDField(
        "公开校验编号", default=uuid.uuid4, unique=True, editable=False, help_text="现场检查笔录二维码指向的校验页面"
    )
    task = models.ForeignKey(InspectionTask, verbose_name="检查任务", on_delete=models.PROTECT, related_name="results")
    revision = models.PositiveSmallIntegerField("记录版次", default=1)
    version = models.PositiveIntegerField("版本", default=1)
    status = models.CharField("状态", max_length=8, choices=ResultStatus.choices, default=ResultStatus.DRAFT)
    outcome = models.CharField("检查结论", max_length=16, choices=InspectionOutcome.choices, blank=True)
    summary = models.TextField("检查情况", blank=True)
    inspected_at = models.DateTimeField("检查时间", null=True, blank=True)

    # penalty (立案查处), incl. the person penalised (处罚到人)
    case_number = models.CharField("立案号", max_length=60, blank=True)
    penalty_kind = models.CharField("处罚种类", max_length=16, choices=PenaltyKind.choices, blank=True)
    penalty_decision_no = models.CharField("处罚决定书文号", max_length=60, blank=True)
    penalty_amount = models.DecimalField("罚没金额（元）", max_digits=12, decimal_places=2, null=True, blank=True)
    penalised_person_name = models.CharField("处罚到人：姓名", max_length=50, blank=True)
    penalised_person_position = models.CharField("处罚到人：职务", max_length=50, blank=True)
    penalised_person_amount = models.DecimalField(
        "处罚到人：罚款金额（元）", max_digits=12, decimal_places=2, null=True, blank=True
    )

    # rectification order (责令整改), issued when the result is finalised
    rectification_requirements = models.TextField("整改要求", blank=True)
    rectification_working_days = models.PositiveSmallIntegerField("整改期限（工作日）", null=True, blank=True)

    # signatures drawn on screen (PNG files) and location
    inspector_signature = models.FileField("检查人员签名", upload_to="inspections/signatures/%Y/%m/", blank=True)
    inspector_signature_sha256 = models.CharField("检查人员签名 SHA-256", max_length=64, blank=True)
    inspector_signed_at = models.DateTimeField("检查人员签名时间", null=True, blank=True)
    operator_signature = models.FileField("被检查单位签名", upload_to="inspections/signatures/%Y/%m/", blank=True)
    operator_signature_sha256 = models.CharField("被检查单位签名 SHA-256", max_length=64, blank=True)
    operator_signer_name = models.CharField("被检查单位签字人", max_length=50, blank=True)
    operator_signed_at = models.DateTimeField("被检查单位签名时间", null=True, blank=True)
    operator_refused_to_sign = models.BooleanField("被检查单位拒绝签字", default=False)
    latitude = models.DecimalField("纬度", max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField("经度", max_digits=9, decimal_places=6, null=True, blank=True)
    location_accuracy_m = models.PositiveIntegerField("定位精度（米）", null=True, blank=True)

    finalised_at = models.DateTimeField("定稿时间", null=True, blank=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="定稿人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    supersedes = models.OneToOneField(
        "self",
        verbose_name="更正的原记录",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
    )
    correction_reason = models.TextField("更正理由", blank=True)
    content_hash = models.CharField("内容哈希", max_length=64, blank=True, help_text="定稿时计算的 SHA-256")
    seal = models.CharField("内容封签", max_length=64, blank=True, help_text="HMAC-SHA256（服务器密钥）覆盖内容哈希")
    sealed_content = models.JSONField(
        "定稿内容", default=dict, blank=True, help_text="定稿时封存的笔录内容（内容哈希即其规范 JSON 的 SHA-256）"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="填写人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = TaskChildQuerySet.as_manager()

    class Meta:
        verbose_name = "检查结果"
        verbose_name_plural = "检查结果"
        ordering = ["task_id", "revision"]
        constraints = [
            models.UniqueConstraint(fields=["task", "revision"], name="uniq_result_revision"),
            models.UniqueConstraint(
                fields=["task"], condition=models.Q(status=ResultStatus.DRAFT), name="uniq_draft_result_per_task"
            ),
            models.CheckConstraint(condition=models.Q(status__in=ResultStatus.values), name="result_status_valid"),
            models.CheckConstraint(
                condition=models.Q(outcome="") | models.Q(outcome__in=InspectionOutcome.values),
                name="result_outcome_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=ResultStatus.FINAL)
                | (~models.Q(outcome="") & models.Q(finalised_at__isnull=False) & ~models.Q(content_hash="")),
                name="final_result_complete",
            ),
            models.CheckConstraint(
                condition=models.Q(supersedes__isnull=True) | ~models.Q(correction_reason=""),
                name="correction_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.task_id} 第{self.revision}版（{self.get_status_display()}）"

    @property
    def is_final(self) -> bool:
        return self.status == ResultStatus.FINAL

    @property
    def etag(self) -> str:
        return f'"{self.pk}-{self.version}"'


class ItemResult(models.Model):
    SCOPE_PATH = "result__task__enterprise__township"
    TASK_PATH = "result__task"

    result = models.ForeignKey(
        InspectionResult, verbose_name="检查结果", on_delete=models.CASCADE, related_name="items"
    )
    check_item = models.ForeignKey(
        "standards.CheckItem", verbose_name="检查事项", on_delete=models.PROTECT, related_name="item_results"
    )
    verdict = models.CharField("判定", max_length=12, choices=ItemVerdict.choices)
    note = models.CharField("说明", max_length=500, blank=True)

    objects = TaskChildQuerySet.as_manager()

    class Meta:
        verbose_name = "检查事项结果"
        verbose_name_plural = "检查事项结果"
        ordering = ["result_id", "check_item__order", "check_item_id"]
        constraints = [
            models.UniqueConstraint(fields=["result", "check_item"], name="uniq_item_result"),
            models.CheckConstraint(condition=models.Q(verdict__in=ItemVerdict.values), name="item_verdict_valid"),
        ]

    def __str__(self):
        return f"{self.check_item_id} {self.get_verdict_display()}"


class Photo(models.Model):
    """A photo taken during an inspection; type sniffed from content, size capped, SHA-256 stored at upload."""

    SCOPE_PATH = "task__enterprise__township"
    TASK_PATH = "task"

    task = models.ForeignKey(InspectionTask, verbose_name="检查任务", on_delete=models.PROTECT, related_name="photos")
    result = models.ForeignKey(
        InspectionResult,
        verbose_name="检查结果",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="photos",
    )
    item_result = models.ForeignKey(
        ItemResult, verbose_name="检查事项", null=True, blank=True, on_delete=models.SET_NULL, related_name="photos"
    )
    file = models.FileField("文件", upload_to="inspections/photos/%Y/%m/")
    content_type = models.CharField("类型", max_length=50)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64, db_index=True)
    width = models.PositiveIntegerField("宽（像素）", null=True, blank=True)
    height = models.PositiveIntegerField("高（像素）", null=True, blank=True)
    caption = models.CharField("说明", max_length=200, blank=True)
    taken_at = models.DateTimeField("拍摄时间", null=True, blank=True)
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="上传人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = TaskChildQuerySet.as_manager()

    class Meta:
        verbose_name = "现场照片"
        verbose_name_plural = "现场照片"
        ordering = ["task_id", "uploaded_at", "id"]

    def __str__(self):
        return f"{self.task_id} {self.sha256[:12]}"


class Rectification(StatusTransitions, TimeStampedModel):
    """责令整改通知: deadline in working days, and a follow-up task to verify."""

    SCOPE_PATH = "task__enterprise__township"
    TASK_PATH = "task"
    TRANSITIONS = RECTIFICATION_TRANSITIONS

    task = models.ForeignKey(
        InspectionTask, verbose_name="检查任务", on_delete=models.PROTECT, related_name="rectifications"
    )
    result = models.ForeignKey(
        InspectionResult, verbose_name="检查结果", on_delete=models.PROTECT, related_name="rectifications"
    )
    number = models.CharField("整改通知书编号", max_length=60, blank=True)
    requirements = models.TextField("整改要求")
    deadline_working_days = models.PositiveSmallIntegerField("整改期限（工作日）", default=10)
    deadline = models.DateField("整改截止日期", db_index=True)
    status = models.CharField(
        "状态", max_length=16, choices=RectificationStatus.choices, default=RectificationStatus.OPEN, db_index=True
    )
    follow_up_task = models.OneToOneField(
        InspectionTask,
        verbose_name="复查任务",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rectification_followed",
    )
    submitted_at = models.DateTimeField("整改提交时间", null=True, blank=True)
    submission_note = models.TextField("整改情况说明", blank=True)
    verified_at = models.DateTimeField("复查时间", null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="复查人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="下达人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    version = models.PositiveIntegerField("版本", default=1)

    objects = TaskChildQuerySet.as_manager()

    class Meta:
        verbose_name = "责令整改"
        verbose_name_plural = "责令整改"
        ordering = ["deadline", "id"]
        indexes = [models.Index(fields=["status", "deadline"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=RectificationStatus.values), name="rectification_status_valid"
            ),
        ]

    def __str__(self):
        return f"{self.number or self.pk} 整改截止 {self.deadline}"


class KeyInspectionRule(models.Model):
    """A rule that makes key inspections (重点检查, Order 49 Art 22): C/D producers, D operators, special foods,
    central kitchens, meal distributors… Reference data with an effective period; the city edits it in the admin.

    ``criteria`` — any subset of ``sectors`` / ``grades`` / ``business_types`` / ``food_categories`` (codes); every
    listed dimension must match (a business type matches itself or its parent; food categories: any of them).
    """

    code = models.SlugField("规则代码", max_length=40, unique=True)
    name = models.CharField("规则名称", max_length=100)
    legal_basis = models.CharField("依据", max_length=200, blank=True)
    criteria = models.JSONField("适用条件", default=dict)
    due_working_days = models.PositiveSmallIntegerField("完成期限（工作日）", default=20)
    effective_from = models.DateField("生效日期")
    effective_until = models.DateField("失效日期", null=True, blank=True)
    is_active = models.BooleanField("启用", default=True)
    order = models.PositiveSmallIntegerField("排序", default=0)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "重点检查规则"
        verbose_name_plural = "重点检查规则"
        ordering = ["order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(effective_until__isnull=True)
                | models.Q(effective_until__gte=models.F("effective_from")),
                name="key_rule_period_valid",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"
