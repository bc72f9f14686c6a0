"""Choices and status transition tables of sampling (抽样检验, DOMAIN.md §3)."""

from django.db import models

from apps.standards.choices import Verdict  # noqa: F401  (judged in standards; re-exported for sampling)


class SamplingPurpose(models.TextChoices):
    """任务类别. Risk-monitoring results are never published as enforcement findings (DOMAIN.md §3.2)."""

    SUPERVISORY = "supervisory", "监督抽检"
    MONITORING = "monitoring", "风险监测"
    EVALUATIVE = "evaluative", "评价性抽检"


class LineSource(models.TextChoices):
    """三位一体: where a plan line comes from."""

    ROUTINE = "routine", "自评抽检"
    TARGETED = "targeted", "靶向抽检"
    VOTE = "vote", "你点我检"


class LineOrigin(models.TextChoices):
    MANUAL = "manual", "手工编制"
    QUOTA = "quota", "按配额分解"
    SUGGESTION = "suggestion", "采纳靶向建议"
    VOTE = "vote", "你点我检投票"
    CONSULTATION = "consultation", "风险会商决定"


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "编制中"
    APPROVED = "approved", "已下达"
    CLOSED = "closed", "已结束"


PLAN_TRANSITIONS = {
    PlanStatus.DRAFT: {PlanStatus.APPROVED},
    PlanStatus.APPROVED: {PlanStatus.CLOSED},
    PlanStatus.CLOSED: set(),
}


class OrganisationKind(models.TextChoices):
    """抽检分离: the organiser (the regulator, the plan's 组织部门), the sampling organisation and the testing lab."""

    SAMPLER = "sampler", "抽样机构"
    LAB = "lab", "检验机构"


class Stage(models.TextChoices):
    PRODUCTION = "production", "生产"
    CIRCULATION = "circulation", "流通"
    CATERING = "catering", "餐饮"


class TaskStatus(models.TextChoices):
    ASSIGNED = "assigned", "待抽样"
    SAMPLED = "sampled", "已抽样"
    CANCELLED = "cancelled", "已取消"


TASK_TRANSITIONS = {
    TaskStatus.ASSIGNED: {TaskStatus.SAMPLED, TaskStatus.CANCELLED},
    TaskStatus.SAMPLED: set(),
    TaskStatus.CANCELLED: set(),
}


class SampleStatus(models.TextChoices):
    SAMPLED = "sampled", "已抽样"
    RECEIVED = "received", "检验机构已接收"
    REPORTED = "reported", "已出检验结论"


SAMPLE_TRANSITIONS = {
    SampleStatus.SAMPLED: {SampleStatus.RECEIVED},
    SampleStatus.RECEIVED: {SampleStatus.REPORTED},
    SampleStatus.REPORTED: set(),
}


class Packaging(models.TextChoices):
    PREPACKAGED = "prepackaged", "预包装"
    BULK = "bulk", "散装"


class SampleKind(models.TextChoices):
    PROCESSED = "processed", "工业加工食品"
    AGRICULTURAL = "agricultural", "食用农产品"
    CATERING = "catering", "餐饮食品"


class EntryChannel(models.TextChoices):
    PAGE = "page", "页面录入"
    EXCEL = "excel", "Excel 导入"
    API = "api", "接口提交"


class DisposalStatus(models.TextChoices):
    """核查处置 of an unqualified result (DOMAIN.md §3.2)."""

    OPEN = "open", "待送达"
    NOTIFIED = "notified", "已送达，复检申请期"
    RECHECKING = "rechecking", "复检中"
    VERIFYING = "verifying", "核查处置中"
    CLOSED = "closed", "已办结"


DISPOSAL_TRANSITIONS = {
    DisposalStatus.OPEN: {DisposalStatus.NOTIFIED},
    DisposalStatus.NOTIFIED: {DisposalStatus.RECHECKING, DisposalStatus.VERIFYING},
    DisposalStatus.RECHECKING: {DisposalStatus.VERIFYING, DisposalStatus.CLOSED},
    DisposalStatus.VERIFYING: {DisposalStatus.CLOSED},
    DisposalStatus.CLOSED: set(),
}


class TopicStatus(models.TextChoices):
    OPEN = "open", "投票中"
    CLOSED = "closed", "投票结束"
    ADOPTED = "adopted", "已列入计划"


class AttachmentKind(models.TextChoices):
    """The attachments of a 抽样单 (DOMAIN.md §3.3)."""

    PHOTO = "photo", "现场照片"
    SAMPLE_FORM = "sample_form", "抽样单签字扫描件"
    NOTICE = "notice", "告知书签字扫描件"
    OTHER = "other", "其他材料"


class ObjectionOutcome(models.TextChoices):
    """A quick-test objection (快检异议) and what city staff decided."""

    PENDING = "pending", "待处理"
    RECHECK = "recheck", "复检"
    UPHELD = "upheld", "维持快检结果"
    REVOKED = "revoked", "撤销快检结果"
