"""Draw plans and verifiable draws (PRODUCT.md §4; algorithm ``hrs-v2`` since issue 13, earlier draws ``hrs-v1``;
SECURITY.md §1.12, DRW-01..06; docs/draw.md).

Lifecycle, each step an insert into an append-only table:

* ``plan_commit``  → ``Draw`` (seed commitment, frozen pool per stratum with pool hashes, frozen inspector pool and
  回避 pairs, rules) + ``DrawSeal`` (the secret seed). Both are published/kept before the draw.
* hrs-v2: ``public_value_enter`` → ``DrawPublicValue`` (the public randomness named in the commitment, on or after
  its date); the draw seed is derived from the sealed seed and it.
* ``draw_execute`` → ``DrawOutcome`` (the revealed seed, drawn_at, result hash) + ``DrawSelection`` +
  ``DrawInspectorAssignment`` rows, in one transaction. ``DrawOutcome.draw`` is one-to-one, so a draw can be drawn once.
* a re-draw is a new ``Draw`` (``parent`` → the earlier draw, reason, requester and a different approver).

No draw row is ever updated or deleted (ORM guards in ``base.py``; PostgreSQL triggers in migration 0002).
A draw's status is derived from whether its outcome exists.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from apps.common.crypto import EncryptedTextField
from apps.common.models import TimeStampedModel
from apps.common.scoping import ScopedQuerySet, user_sees_all_townships, user_township_ids

from ..choices import (
    ALGORITHM_HRS_V1,
    ALGORITHM_HRS_V2,
    DRAW_PLAN_TRANSITIONS,
    DRAW_TRANSITIONS,
    REDRAW_REQUEST_TRANSITIONS,
    DrawOutcomeStatus,
    DrawPlanStatus,
    DrawStatus,
    RandomnessKind,
    RedrawRequestStatus,
)
from .base import AppendOnlyModel, AppendOnlyQuerySet, StatusTransitions

# Domain bounds of a plan (form, model validators, serializer and DB check constraints all read these).
PLAN_YEAR_MIN, PLAN_YEAR_MAX = 2020, 2100
EXCLUDE_MONTHS_MAX = 36  # "not inspected in the last N months": three years at most
INSPECTORS_PER_TASK_MIN, INSPECTORS_PER_TASK_MAX = 2, 10
LOAD_CAP_MIN, LOAD_CAP_MAX = 1, 1000
STRATUM_COUNT_MAX = 100_000  # more than any frozen pool of Haining (about 30,000 businesses); min(count, pool) applies
MAX_STRATA = 12


def _between(low, high, what: str):
    message = f"{what}应在 {low}–{high} 之间"
    return [MinValueValidator(low, message=message), MaxValueValidator(high, message=message)]


# ---------------------------------------------------------------------------- plans
class DrawPlanQuerySet(ScopedQuerySet):
    def scope_for_user(self, user):
        """City-wide roles see every plan; others see city-wide plans and plans that cover one of their townships."""
        if user_sees_all_townships(user):
            return self
        township_ids = user_township_ids(user)
        if not township_ids:
            return self.none()
        through = DrawPlan.townships.through.objects
        return self.filter(
            models.Q(pk__in=through.filter(township_id__in=township_ids).values("drawplan_id"))
            | ~models.Q(pk__in=through.values("drawplan_id"))
        )


class DrawPlan(StatusTransitions, TimeStampedModel):
    """A 双随机 draw plan: scope, strata, exclusions, inspector rules and the scheduled time of the draw."""

    TRANSITIONS = DRAW_PLAN_TRANSITIONS
    SCOPE_PATH = "townships"  # M2M; scope_for_user is overridden (sub-queries, no duplicate rows)

    name = models.CharField("计划名称", max_length=100)
    year = models.PositiveSmallIntegerField("年度", validators=_between(PLAN_YEAR_MIN, PLAN_YEAR_MAX, "年度"))
    round_label = models.CharField("批次", max_length=40, help_text="如“第一批”“2026年第二季度”")
    description = models.TextField("说明", blank=True)

    # scope: which enterprises form the object pool (empty = all)
    townships = models.ManyToManyField(
        "accounts.Township", verbose_name="抽查范围（镇街）", blank=True, related_name="draw_plans"
    )
    business_types = models.ManyToManyField(
        "enterprises.BusinessType", verbose_name="抽查业态", blank=True, related_name="draw_plans"
    )
    check_items = models.ManyToManyField(
        "standards.CheckItem", verbose_name="抽查事项", blank=True, related_name="draw_plans"
    )

    # exclusions applied when the pool is frozen
    exclude_inspected_months = models.PositiveSmallIntegerField(
        "排除近 N 个月内已检查的对象",
        default=3,
        validators=_between(0, EXCLUDE_MONTHS_MAX, "排除月数"),
        help_text="0 表示不排除，最多 36 个月（《食品生产经营监督检查管理办法》第四十二条）",
    )
    exclude_closed = models.BooleanField("排除停业、注销对象", default=True)
    exclude_open_same_round = models.BooleanField("排除同批次其他计划中未完成的对象", default=True)

    # inspector rules
    inspectors_per_task = models.PositiveSmallIntegerField(
        "每户检查人员数",
        default=2,
        validators=_between(INSPECTORS_PER_TASK_MIN, INSPECTORS_PER_TASK_MAX, "每户检查人员数"),
    )
    avoid_previous_inspector = models.BooleanField("回避上次检查该对象的人员", default=True)
    avoid_own_township = models.BooleanField("回避本镇街执法人员", default=False)
    load_cap = models.PositiveSmallIntegerField(
        "每人未完成任务上限",
        null=True,
        blank=True,
        validators=_between(LOAD_CAP_MIN, LOAD_CAP_MAX, "每人未完成任务上限"),
        help_text="含已有未完成任务；留空表示不限",
    )

    # hrs-v2: the public randomness named in the commitment (docs/draw.md)
    randomness_kind = models.CharField(
        "公开随机数来源类型", max_length=16, choices=RandomnessKind.choices, default=RandomnessKind.WITNESSES
    )
    randomness_source = models.CharField(
        "公开随机数来源",
        max_length=200,
        blank=True,
        help_text="如“中国福利彩票 双色球 第2026140期 开奖号码”；留空表示公开抽取会见证人现场录入的数值",
    )
    randomness_date = models.DateField(
        "公开随机数日期",
        null=True,
        blank=True,
        help_text="开奖或抽取会的日期，须晚于承诺公示日；留空表示计划抽取日",
    )

    task_due_date = models.DateField("检查完成期限", null=True, blank=True)
    scheduled_at = models.DateTimeField("计划抽取时间", null=True, blank=True, db_index=True)
    status = models.CharField(
        "状态", max_length=16, choices=DrawPlanStatus.choices, default=DrawPlanStatus.DRAFT, db_index=True
    )
    committed_at = models.DateTimeField("承诺公示时间", null=True, blank=True)
    cancelled_at = models.DateTimeField("取消时间", null=True, blank=True)
    cancel_reason = models.CharField("取消原因", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="创建人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审批人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    version = models.PositiveIntegerField("版本", default=1)

    objects = DrawPlanQuerySet.as_manager()

    class Meta:
        verbose_name = "抽查计划"
        verbose_name_plural = "抽查计划"
        ordering = ["-year", "-created_at", "-id"]
        indexes = [models.Index(fields=["year", "round_label"]), models.Index(fields=["status", "scheduled_at"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=DrawPlanStatus.values), name="drawplan_status_valid"),
            models.CheckConstraint(condition=models.Q(inspectors_per_task__gte=2), name="drawplan_two_inspectors_min"),
            models.CheckConstraint(
                condition=models.Q(inspectors_per_task__lte=INSPECTORS_PER_TASK_MAX), name="drawplan_inspectors_max"
            ),
            models.CheckConstraint(
                condition=models.Q(year__gte=PLAN_YEAR_MIN, year__lte=PLAN_YEAR_MAX), name="drawplan_year_range"
            ),
            models.CheckConstraint(
                condition=models.Q(exclude_inspected_months__lte=EXCLUDE_MONTHS_MAX), name="drawplan_exclude_months_max"
            ),
            models.CheckConstraint(
                condition=models.Q(load_cap__isnull=True)
                | models.Q(load_cap__gte=LOAD_CAP_MIN, load_cap__lte=LOAD_CAP_MAX),
                name="drawplan_load_cap_range",
            ),
        ]

    def __str__(self):
        return f"{self.year} {self.round_label} {self.name}"

    @property
    def is_editable(self) -> bool:
        """Only a draft can be edited: committing publishes the frozen pool (the draft → committed step)."""
        return self.status == DrawPlanStatus.DRAFT

    @property
    def can_commit(self) -> bool:
        return self.can_transition_to(DrawPlanStatus.COMMITTED)

    @property
    def can_cancel(self) -> bool:
        return self.can_transition_to(DrawPlanStatus.CANCELLED)


class DrawStratum(models.Model):
    """One stratum: a filter over risk grade × credit class × township × business type, with a proportion or a count.

    ``filter`` = {"grades": ["C", "D"], "credit_classes": ["D"], "townships": ["xiashi"], "business_types": ["catering"]}
    (every key optional; an empty filter takes the whole pool). An enterprise joins the first stratum (by ``order``)
    whose filter it matches. ``key`` goes into the HMAC message, so it must not contain "|".
    """

    plan = models.ForeignKey(DrawPlan, verbose_name="抽查计划", on_delete=models.CASCADE, related_name="strata")
    key = models.CharField("分层代码", max_length=64)
    label = models.CharField("分层名称", max_length=100, blank=True)
    filter = models.JSONField("分层条件", default=dict, blank=True)
    proportion = models.DecimalField(
        "抽取比例",
        max_digits=5,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[
            MinValueValidator(Decimal("0.0001"), message="抽取比例应大于 0 且不超过 1"),
            MaxValueValidator(Decimal("1"), message="抽取比例应大于 0 且不超过 1"),
        ],
        help_text="0–1，如 0.05 表示 5%",
    )
    count = models.PositiveIntegerField(
        "抽取户数", null=True, blank=True, validators=_between(0, STRATUM_COUNT_MAX, "抽取户数")
    )
    order = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "抽取分层"
        verbose_name_plural = "抽取分层"
        ordering = ["plan_id", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "key"], name="uniq_stratum_key_per_plan"),
            models.CheckConstraint(
                condition=(models.Q(proportion__isnull=False, count__isnull=True))
                | (models.Q(proportion__isnull=True, count__isnull=False)),
                name="stratum_proportion_xor_count",
            ),
            models.CheckConstraint(
                condition=models.Q(proportion__isnull=True) | models.Q(proportion__gt=0, proportion__lte=1),
                name="stratum_proportion_range",
            ),
            models.CheckConstraint(
                condition=models.Q(count__isnull=True) | models.Q(count__lte=STRATUM_COUNT_MAX),
                name="stratum_count_max",
            ),
        ]

    def __str__(self):
        return self.label or self.key

    @property
    def display_name(self) -> str:
        """What people read: the label, or "分层 N" (the key is a code for the verifier)."""
        return self.label or f"分层 {self.order + 1}"

    @property
    def percent_text(self) -> str:
        return "" if self.proportion is None else f"{(self.proportion * 100).normalize():f}%"


# ---------------------------------------------------------------------------- draws (append-only)
class DrawQuerySet(AppendOnlyQuerySet, ScopedQuerySet):
    def scope_for_user(self, user):
        if user_sees_all_townships(user):
            return self
        return self.filter(plan__in=DrawPlan.objects.all().scope_for_user(user).values("pk"))


class Draw(StatusTransitions, AppendOnlyModel):
    """A committed draw: everything the result depends on, frozen and published before the seed is revealed.

    ``strata``: [{"key", "label", "filter", "proportion" (str|None), "count" (int|None), "k", "codes" (sorted), "pool_hash"}]
    ``inspectors``: [{"badge"[, "township"][, "capacity"]}] — active inspectors with a valid certificate on the draw
    date; the township only under the own-township rule, the capacity only where the load cap can bind (docs/draw.md)
    ``exclusions``: {"<enterprise code>": ["<badge>", ...]} — declared conflicts and previous inspectors (回避)
    ``enterprise_townships``: {"<code>": "<township code>"} — only when the "not from own township" rule is on
    ``rules``: {"inspectors_per_task", "load_cap", "avoid_own_township", ...}
    ``inputs_hash`` = sha256 of the canonical JSON of all of the above (``apps.inspections.draws.algorithm.inputs_hash``).
    """

    TRANSITIONS = DRAW_TRANSITIONS
    SCOPE_PATH = "plan__townships"

    plan = models.ForeignKey(DrawPlan, verbose_name="抽查计划", on_delete=models.PROTECT, related_name="draws")
    round = models.CharField("批次", max_length=40)
    attempt = models.PositiveSmallIntegerField(
        "第几次抽取", default=1, help_text="1 为首次抽取，2 起为经批准的重新抽取"
    )
    draw_uid = models.CharField("抽取编号", max_length=64, unique=True)
    algorithm = models.CharField("算法", max_length=16, default=ALGORITHM_HRS_V1)
    seed_commitment = models.CharField("种子承诺 sha256(seed)", max_length=64)
    strata = models.JSONField("冻结的分层对象库", default=list)
    inspectors = models.JSONField("冻结的检查人员库", default=list)
    exclusions = models.JSONField("回避关系", default=dict, blank=True)
    enterprise_townships = models.JSONField("对象所属镇街", default=dict, blank=True)
    rules = models.JSONField("抽取规则", default=dict)
    excluded = models.JSONField("已排除对象（按原因）", default=dict, blank=True)
    public_randomness = models.JSONField(
        "公开随机数来源", default=dict, blank=True, help_text='hrs-v2：{"kind", "source", "date"}，随承诺公布'
    )
    inputs_hash = models.CharField("输入哈希", max_length=64)
    draw_date = models.DateField("抽取日期", help_text="执法证有效性按此日期判断")
    scheduled_at = models.DateTimeField("计划抽取时间", null=True, blank=True)
    committed_at = models.DateTimeField("承诺时间", auto_now_add=True)
    committed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="承诺人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    parent = models.OneToOneField(
        "self", verbose_name="被重抽的抽取", null=True, blank=True, on_delete=models.PROTECT, related_name="redraw"
    )
    reason = models.TextField("重新抽取理由", blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="申请人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="批准人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = DrawQuerySet.as_manager()

    class Meta:
        verbose_name = "随机抽取"
        verbose_name_plural = "随机抽取"
        ordering = ["-committed_at", "-id"]
        constraints = [
            # one plan + round has exactly one primary draw (CONC-01); re-draws chain through `parent` (one-to-one)
            models.UniqueConstraint(
                fields=["plan", "round"],
                condition=models.Q(parent__isnull=True),
                name="uniq_primary_draw_per_plan_round",
            ),
            models.UniqueConstraint(fields=["plan", "round", "attempt"], name="uniq_draw_attempt_per_plan_round"),
            models.CheckConstraint(
                condition=(models.Q(parent__isnull=True, attempt=1)) | (models.Q(parent__isnull=False, attempt__gt=1)),
                name="draw_attempt_matches_parent",
            ),
            # a re-draw carries a reason, a requester and a *different* approver
            models.CheckConstraint(
                condition=models.Q(parent__isnull=True)
                | (
                    ~models.Q(reason="")
                    & models.Q(requested_by__isnull=False, approved_by__isnull=False)
                    & ~models.Q(requested_by=models.F("approved_by"))
                ),
                name="redraw_reason_and_second_approver",
            ),
        ]

    def __str__(self):
        return self.draw_uid

    @property
    def outcome_or_none(self):
        try:
            return self.outcome
        except DrawOutcome.DoesNotExist:
            return None

    @property
    def status(self) -> str:
        outcome = self.outcome_or_none
        if outcome is None:
            return DrawStatus.COMMITTED
        return DrawStatus(outcome.status)

    def get_status_display(self) -> str:
        return DrawStatus(self.status).label

    @property
    def seed_hex(self) -> str | None:
        """Published only once drawn."""
        outcome = self.outcome_or_none
        return outcome.seed if outcome else None

    @property
    def drawn_at(self):
        outcome = self.outcome_or_none
        return outcome.drawn_at if outcome else None

    @property
    def is_redraw(self) -> bool:
        return self.parent_id is not None

    @property
    def is_v2(self) -> bool:
        return self.algorithm == ALGORITHM_HRS_V2

    @property
    def public_randomness_or_none(self) -> dict | None:
        return dict(self.public_randomness) if self.is_v2 and self.public_randomness else None

    @property
    def public_value_or_none(self):
        try:
            return self.public_value
        except DrawPublicValue.DoesNotExist:
            return None


class DrawSeal(AppendOnlyModel):
    """The secret seed between commitment and draw. Never serialized, never shown, no admin; sha256(seed) is public.

    hrs-v1 seals kept the hex seed in ``seed`` (plain text; old rows stay as they are). hrs-v2 seals leave ``seed``
    empty and keep it in ``sealed``: AES-256-GCM with ``FIELD_ENCRYPTION_KEY`` (outside the database), bound to this
    column; it is published in ``DrawOutcome.seed`` at the draw."""

    draw = models.OneToOneField(Draw, verbose_name="抽取", on_delete=models.PROTECT, related_name="seal")
    seed = models.CharField("种子（十六进制，hrs-v1）", max_length=64, blank=True)
    sealed = EncryptedTextField("加密的种子（hrs-v2）")

    @property
    def seed_hex(self) -> str:
        return self.sealed or self.seed

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = "种子封存"
        verbose_name_plural = "种子封存"

    def __str__(self):
        return f"{self.draw_id} 种子封存"


class DrawOutcome(AppendOnlyModel):
    """The draw itself: the revealed seed and the result hash, inserted with the selections in one transaction."""

    draw = models.OneToOneField(Draw, verbose_name="抽取", on_delete=models.PROTECT, related_name="outcome")
    status = models.CharField("结果", max_length=16, choices=DrawOutcomeStatus.choices, default=DrawOutcomeStatus.DRAWN)
    seed = models.CharField("种子（十六进制）", max_length=64)
    drawn_at = models.DateTimeField("抽取时间")
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="执行人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="空表示由定时任务执行",
    )
    result_hash = models.CharField("结果哈希", max_length=64, blank=True)
    selected_count = models.PositiveIntegerField("抽中户数", default=0)
    error = models.JSONField("无法完成的原因", default=dict, blank=True)
    # hrs-v2: the published record exactly as signed, and its Ed25519 signature {"alg", "key_id", "value"}
    record = models.JSONField("签名的公示记录（hrs-v2）", default=dict, blank=True)
    signature = models.JSONField("平台签名（hrs-v2）", default=dict, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = "抽取结果"
        verbose_name_plural = "抽取结果"
        ordering = ["-drawn_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=DrawOutcomeStatus.values), name="drawoutcome_status_valid"
            ),
        ]

    def __str__(self):
        return f"{self.draw_id} {self.get_status_display()}"


class DrawPublicValue(AppendOnlyModel):
    """hrs-v2: the public randomness value(s) entered after the date the commitment named (one lottery result, or one
    value per witness in the order entered). Entered once; the draw seed is derived from the sealed seed and these."""

    draw = models.OneToOneField(Draw, verbose_name="抽取", on_delete=models.PROTECT, related_name="public_value")
    values = models.JSONField("公开随机数（规范化后）", default=list)
    witnesses = models.JSONField("见证人", default=list, blank=True, help_text="与数值一一对应的见证人姓名")
    entered_at = models.DateTimeField("录入时间")
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="录入人", on_delete=models.PROTECT, related_name="+"
    )

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = "公开随机数"
        verbose_name_plural = "公开随机数"

    def __str__(self):
        return f"{self.draw_id} 公开随机数"


class DrawSelection(AppendOnlyModel):
    draw = models.ForeignKey(Draw, verbose_name="抽取", on_delete=models.PROTECT, related_name="selections")
    stratum_key = models.CharField("分层代码", max_length=64)
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name="检查对象", on_delete=models.PROTECT, related_name="draw_selections"
    )
    code = models.CharField("对象代码", max_length=32, help_text="统一社会信用代码（无则为平台编号）")
    rank = models.CharField("排序值 HMAC", max_length=64)
    order = models.PositiveIntegerField("顺序")

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = "抽中对象"
        verbose_name_plural = "抽中对象"
        ordering = ["draw_id", "order"]
        constraints = [
            models.UniqueConstraint(fields=["draw", "order"], name="uniq_selection_order"),
            models.UniqueConstraint(fields=["draw", "enterprise"], name="uniq_selection_enterprise"),
        ]

    def __str__(self):
        return f"{self.draw_id}#{self.order} {self.code}"


class DrawInspectorAssignment(AppendOnlyModel):
    selection = models.ForeignKey(
        DrawSelection, verbose_name="抽中对象", on_delete=models.PROTECT, related_name="assignments"
    )
    inspector = models.ForeignKey(
        "inspections.Inspector", verbose_name="检查人员", on_delete=models.PROTECT, related_name="draw_assignments"
    )
    badge = models.CharField("执法证号", max_length=32)
    rank = models.CharField("排序值 HMAC", max_length=64)
    order = models.PositiveSmallIntegerField("顺序")

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = "抽中检查人员"
        verbose_name_plural = "抽中检查人员"
        ordering = ["selection_id", "order"]
        constraints = [
            models.UniqueConstraint(fields=["selection", "inspector"], name="uniq_assignment_inspector"),
            models.UniqueConstraint(fields=["selection", "order"], name="uniq_assignment_order"),
        ]

    def __str__(self):
        return f"{self.selection_id} {self.badge}"


class RedrawRequestQuerySet(ScopedQuerySet):
    def scope_for_user(self, user):
        if user_sees_all_townships(user):
            return self
        return self.filter(draw__plan__in=DrawPlan.objects.all().scope_for_user(user).values("pk"))


class RedrawRequest(StatusTransitions, TimeStampedModel):
    """A request to re-draw (with reason); approval by a different user creates the new ``Draw``."""

    TRANSITIONS = REDRAW_REQUEST_TRANSITIONS
    SCOPE_PATH = "draw__plan__townships"

    draw = models.ForeignKey(Draw, verbose_name="原抽取", on_delete=models.PROTECT, related_name="redraw_requests")
    reason = models.TextField("理由")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申请人", on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        "状态", max_length=16, choices=RedrawRequestStatus.choices, default=RedrawRequestStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审批人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.CharField("审批意见", max_length=200, blank=True)
    new_draw = models.OneToOneField(
        Draw, verbose_name="新抽取", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = RedrawRequestQuerySet.as_manager()

    class Meta:
        verbose_name = "重新抽取申请"
        verbose_name_plural = "重新抽取申请"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["draw"], condition=models.Q(status="pending"), name="uniq_pending_redraw_request"
            ),
            models.CheckConstraint(
                condition=models.Q(decided_by__isnull=True) | ~models.Q(decided_by=models.F("requested_by")),
                name="redraw_request_second_approver",
            ),
        ]

    def __str__(self):
        return f"{self.draw_id} 重新抽取申请（{self.get_status_display()}）"
