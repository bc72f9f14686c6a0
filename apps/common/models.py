"""Shared bases and the platform-wide tables: audit chain, jobs (outbox), calendar overrides, idempotency."""

import uuid

from django.conf import settings
from django.db import models

from .scoping import ScopedQuerySet


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField("创建时间", auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True, db_index=True)

    class Meta:
        abstract = True


class StatusTransitions:
    """``can_transition_to(status)`` from a declared table ``TRANSITIONS = {status: {next statuses}}`` (choices.py).

    Services check it before a status-changing write (and raise InvalidTransition); views and templates use it to
    decide which actions to offer, so the rule is written once."""

    TRANSITIONS: dict = {}

    def can_transition_to(self, status) -> bool:
        return status in self.TRANSITIONS.get(self.status, ())


class InForceQuerySet(models.QuerySet):
    """Configuration with an effective date (``effective_from``): ``in_force(on)`` is the row in force on ``on``
    (latest ``effective_from`` ≤ on), or None. For models that declare ``objects = InForceQuerySet.as_manager()``."""

    def in_force(self, on):
        return self.filter(effective_from__lte=on).order_by("-effective_from").first()


# ---------------------------------------------------------------------------- audit chain
class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):  # the chain is append-only, even through the ORM
        raise PermissionError("审计记录只能追加，不能修改")

    def delete(self):
        raise PermissionError("审计记录只能追加，不能删除")


class AuditEvent(models.Model):
    """One entry of the append-only, hash-chained audit log.

    entry_hash = sha256(prev_hash + canonical JSON of the entry's fields); seq is gap-free.
    Written only by apps.common.audit.audit_record (inside the business transaction).
    """

    seq = models.BigIntegerField("序号", unique=True)
    occurred_at = models.DateTimeField("时间", db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_repr = models.CharField("操作人名称", max_length=150, blank=True)
    actor_role = models.CharField("角色", max_length=100, blank=True)
    api_client = models.CharField("接口客户端", max_length=100, blank=True)
    ip = models.GenericIPAddressField("来源 IP", null=True, blank=True)
    request_id = models.CharField("请求编号", max_length=64, blank=True)
    action = models.CharField("事件", max_length=64, db_index=True)
    object_type = models.CharField("对象类型", max_length=100, blank=True, db_index=True)
    object_id = models.CharField("对象编号", max_length=64, blank=True, db_index=True)
    object_repr = models.CharField("对象", max_length=255, blank=True)
    outcome = models.CharField("结果", max_length=16, default="success")
    changes = models.JSONField("变更前后", default=dict, blank=True)
    extra = models.JSONField("附加信息", default=dict, blank=True)
    prev_hash = models.CharField("前一条哈希", max_length=64)
    entry_hash = models.CharField("本条哈希", max_length=64)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = "审计事件"
        verbose_name_plural = "审计事件"
        ordering = ["-seq"]
        indexes = [models.Index(fields=["object_type", "object_id", "seq"])]
        permissions = [("verify_audit_chain", "可校验审计链")]

    def __str__(self):
        return f"#{self.seq} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("审计记录只能追加，不能修改")
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("审计记录只能追加，不能删除")


class AuditChainHead(models.Model):
    """Single row (pk=1): last sequence number and hash. Locked while appending, so the chain never forks."""

    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        verbose_name = "审计链头"
        verbose_name_plural = "审计链头"

    def __str__(self):
        return f"#{self.last_seq} {self.last_hash[:12]}"


# ---------------------------------------------------------------------------- jobs (outbox)
class JobStatus(models.TextChoices):
    PENDING = "pending", "排队中"
    RUNNING = "running", "执行中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class JobQuerySet(models.QuerySet):
    def visible_to(self, user):
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser or user.has_perm("common.view_all_jobs"):
            return self
        return self.filter(created_by=user)


class Job(models.Model):
    """A unit of background work, written in the same transaction as the business action (outbox).

    Published to Celery on commit; executed idempotently (status guard under a row lock);
    re-published by the sweeper when pending too long or when its lease ran out.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField("类型", max_length=64, db_index=True)
    title = models.CharField("名称", max_length=200, blank=True)
    status = models.CharField(
        "状态", max_length=16, choices=JobStatus.choices, default=JobStatus.PENDING, db_index=True
    )
    progress = models.PositiveSmallIntegerField("进度", default=0)
    message = models.CharField("进度说明", max_length=500, blank=True)
    payload = models.JSONField("参数", default=dict, blank=True)
    result = models.JSONField("结果", default=dict, blank=True)
    error = models.TextField("错误", blank=True)
    dedupe_key = models.CharField("去重键", max_length=200, null=True, blank=True, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发起人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    published_at = models.DateTimeField("投递时间", null=True, blank=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    lease_until = models.DateTimeField("租约到期", null=True, blank=True)
    attempts = models.PositiveIntegerField("执行次数", default=0)

    objects = JobQuerySet.as_manager()

    class Meta:
        verbose_name = "后台任务"
        verbose_name_plural = "后台任务"
        ordering = ["-created_at"]
        permissions = [("view_all_jobs", "可查看所有后台任务")]

    def __str__(self):
        return f"{self.title or self.kind}（{self.get_status_display()}）"

    @property
    def is_finished(self):
        return self.status in (JobStatus.DONE, JobStatus.FAILED)


# ---------------------------------------------------------------------------- working-day calendar
class CalendarOverride(models.Model):
    """A day whose working status is set by the city (wins over chinese-calendar and the Mon–Fri fallback)."""

    date = models.DateField("日期", unique=True)
    is_workday = models.BooleanField("是否工作日")
    note = models.CharField("说明", max_length=100, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "工作日调整"
        verbose_name_plural = "工作日调整"
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {'工作日' if self.is_workday else '休息日'} {self.note}"


# ---------------------------------------------------------------------------- API idempotency
class IdempotencyRecord(models.Model):
    """First response to a client POST carrying an Idempotency-Key; a replay returns it unchanged."""

    owner = models.CharField(max_length=100)  # "client:<id>" or "user:<id>"
    key = models.CharField(max_length=200)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "幂等记录"
        verbose_name_plural = "幂等记录"
        constraints = [models.UniqueConstraint(fields=["owner", "key"], name="uniq_idempotency_owner_key")]

    def __str__(self):
        return f"{self.owner} {self.key}"


__all__ = [
    "TimeStampedModel",
    "ScopedQuerySet",
    "AuditEvent",
    "AuditChainHead",
    "Job",
    "JobStatus",
    "CalendarOverride",
    "IdempotencyRecord",
]
