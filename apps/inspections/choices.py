"""Stable ASCII codes with Chinese labels (PRODUCT.md §5)."""

from django.db import models

ALGORITHM_HRS_V1 = "hrs-v1"
ALGORITHM_HRS_V2 = "hrs-v2"  # the seed also depends on a public randomness value named at commitment (docs/draw.md)


class RandomnessKind(models.TextChoices):
    """Where the public randomness of an hrs-v2 draw comes from (named in the commitment)."""

    LOTTERY = "lottery", "公开开奖号码（如福利彩票）"
    WITNESSES = "witnesses", "公开抽取会见证人现场录入"


class DrawPlanStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    COMMITTED = "committed", "已公示承诺"
    DRAWN = "drawn", "已抽取"
    CANCELLED = "cancelled", "已取消"


DRAW_PLAN_TRANSITIONS = {
    DrawPlanStatus.DRAFT: {DrawPlanStatus.COMMITTED, DrawPlanStatus.CANCELLED},
    DrawPlanStatus.COMMITTED: {DrawPlanStatus.DRAWN, DrawPlanStatus.CANCELLED},
    DrawPlanStatus.DRAWN: set(),
    DrawPlanStatus.CANCELLED: set(),
}


class DrawStatus(models.TextChoices):
    """Derived, never stored on Draw: a draw is 'drawn' once its insert-only DrawOutcome exists."""

    COMMITTED = "committed", "已承诺待抽取"
    DRAWN = "drawn", "已抽取"
    INFEASIBLE = "infeasible", "无法完成（检查人员不足）"
    CANCELLED = "cancelled", "计划取消（种子已公开）"


# A draw's status is derived from its outcome row; the only way out of "committed" is the insert of that row.
DRAW_TRANSITIONS = {
    DrawStatus.COMMITTED: {DrawStatus.DRAWN, DrawStatus.INFEASIBLE, DrawStatus.CANCELLED},
    DrawStatus.DRAWN: set(),
    DrawStatus.INFEASIBLE: set(),
    DrawStatus.CANCELLED: set(),
}


class DrawOutcomeStatus(models.TextChoices):
    DRAWN = "drawn", "已抽取"
    INFEASIBLE = "infeasible", "无法完成（检查人员不足）"
    CANCELLED = "cancelled", "计划取消（种子已公开）"


class RedrawRequestStatus(models.TextChoices):
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "已驳回"


REDRAW_REQUEST_TRANSITIONS = {
    RedrawRequestStatus.PENDING: {RedrawRequestStatus.APPROVED, RedrawRequestStatus.REJECTED},
    RedrawRequestStatus.APPROVED: set(),
    RedrawRequestStatus.REJECTED: set(),
}


class TaskKind(models.TextChoices):
    ROUTINE_RANDOM = "routine_random", "双随机抽查"
    KEY = "key", "重点检查"
    FLYING = "flying", "飞行检查"
    FOLLOW_UP = "follow_up", "整改复查"


class TaskSource(models.TextChoices):
    DRAW = "draw", "随机抽取"
    RULE = "rule", "规则生成"
    MANUAL = "manual", "人工创建"


class TaskStatus(models.TextChoices):
    ASSIGNED = "assigned", "待检查"
    IN_PROGRESS = "in_progress", "检查中"
    FINALISED = "finalised", "已完成"
    CANCELLED = "cancelled", "已取消"


OPEN_TASK_STATUSES = (TaskStatus.ASSIGNED, TaskStatus.IN_PROGRESS)

TASK_TRANSITIONS = {
    TaskStatus.ASSIGNED: {TaskStatus.IN_PROGRESS, TaskStatus.FINALISED, TaskStatus.CANCELLED},
    TaskStatus.IN_PROGRESS: {TaskStatus.FINALISED, TaskStatus.CANCELLED},
    TaskStatus.FINALISED: set(),
    TaskStatus.CANCELLED: set(),
}


class TaskInspectorRole(models.TextChoices):
    LEAD = "lead", "主办"
    MEMBER = "member", "协办"


class ResultStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    FINAL = "final", "已定稿"


# A final record is never changed: a correction is a new record (revision + 1) that supersedes it.
RESULT_TRANSITIONS = {
    ResultStatus.DRAFT: {ResultStatus.FINAL},
    ResultStatus.FINAL: set(),
}


class InspectionOutcome(models.TextChoices):
    PASS = "pass", "合格"
    RECTIFY = "rectify", "责令整改"
    CASE = "case", "立案查处"


class ItemVerdict(models.TextChoices):
    CONFORM = "conform", "符合"
    BASIC = "basic", "基本符合"
    NONCONFORM = "nonconform", "不符合"
    NOT_APPLICABLE = "na", "不适用"


class PenaltyKind(models.TextChoices):
    WARNING = "warning", "警告"
    FINE = "fine", "罚款"
    CONFISCATION = "confiscation", "没收违法所得/物品"
    SUSPENSION = "suspension", "责令停产停业"
    REVOCATION = "revocation", "吊销许可证"
    OTHER = "other", "其他"


class RectificationStatus(models.TextChoices):
    OPEN = "open", "整改中"
    SUBMITTED = "submitted", "已提交整改"
    VERIFIED = "verified", "复查合格"
    FAILED = "failed", "复查不合格"
    CANCELLED = "cancelled", "已撤销"


RECTIFICATION_TRANSITIONS = {
    # the follow-up inspection may verify an order the business never reported done
    RectificationStatus.OPEN: {
        RectificationStatus.SUBMITTED,
        RectificationStatus.VERIFIED,
        RectificationStatus.FAILED,
        RectificationStatus.CANCELLED,
    },
    RectificationStatus.SUBMITTED: {
        RectificationStatus.VERIFIED,
        RectificationStatus.FAILED,
        RectificationStatus.CANCELLED,
    },
    RectificationStatus.VERIFIED: set(),
    RectificationStatus.FAILED: set(),
    RectificationStatus.CANCELLED: set(),
}

OPEN_RECTIFICATION_STATUSES = (RectificationStatus.OPEN, RectificationStatus.SUBMITTED)


class PublicationStatus(models.TextChoices):
    PENDING = "pending", "待公示"
    HELD = "held", "异议处理中（暂缓公示）"
    PUBLISHED = "published", "已公示"
    WITHDRAWN = "withdrawn", "已撤回"


PUBLICATION_TRANSITIONS = {
    # pending → held by an objection; held → pending when every objection is decided and none upheld;
    # a correction that is finalised withdraws the publication of the record it supersedes
    PublicationStatus.PENDING: {PublicationStatus.HELD, PublicationStatus.PUBLISHED, PublicationStatus.WITHDRAWN},
    PublicationStatus.HELD: {PublicationStatus.PENDING, PublicationStatus.WITHDRAWN},
    PublicationStatus.PUBLISHED: {PublicationStatus.WITHDRAWN},
    PublicationStatus.WITHDRAWN: set(),
}


class ObjectionDecision(models.TextChoices):
    PENDING = "pending", "待处理"
    UPHELD = "upheld", "异议成立"
    REJECTED = "rejected", "异议不成立"


# Chinese names of codes shown on the draw pages (no raw codes in front of a person).
ALGORITHM_LABELS = {
    ALGORITHM_HRS_V1: "HMAC 排序抽取法（第 1 版）",
    ALGORITHM_HRS_V2: "HMAC 排序抽取法（第 2 版：服务器种子 + 公开随机数，记录签名）",
}

EXCLUSION_REASON_LABELS = {
    "closed": "停业、注销的对象",
    "inspected_recently": "近期已检查的对象",
    "open_same_round": "同批次其他计划中未完成的对象",
    "no_stratum": "不属于任何分层的对象",
}

STRATUM_DIMENSION_LABELS = {
    "grades": "风险等级",
    "credit_classes": "信用风险分类",
    "townships": "镇街",
    "business_types": "业态",
}
