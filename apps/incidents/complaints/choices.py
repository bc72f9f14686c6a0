"""Choices and the status pipeline of complaints (投诉举报), declared as data (services and pages use
``Complaint.can_transition_to``)."""

from django.db import models


class ComplaintKind(models.TextChoices):
    COMPLAINT = "complaint", "投诉"
    REPORT = "report", "举报"


class ComplaintChannel(models.TextChoices):
    PUBLIC_FORM = "public_form", "公众表单"
    HOTLINE_12345 = "12345", "12345 热线"
    PLATFORM_12315 = "12315", "12315 平台"
    LETTER = "letter", "来信"
    VISIT = "visit", "来访"
    STAFF = "staff", "工作人员录入"


class ComplaintStatus(models.TextChoices):
    PENDING = "pending", "待受理"
    ACCEPTED = "accepted", "已受理"
    REJECTED = "rejected", "不予受理"
    ROUTED = "routed", "已分派镇街"
    HANDLING = "handling", "办理中"
    CLOSED = "closed", "已办结"
    FED_BACK = "fed_back", "已反馈"


S = ComplaintStatus
COMPLAINT_TRANSITIONS: dict[str, set[str]] = {
    S.PENDING: {S.ACCEPTED, S.REJECTED},
    S.ACCEPTED: {S.ROUTED},
    S.ROUTED: {S.HANDLING},
    S.HANDLING: {S.CLOSED},
    S.CLOSED: {S.FED_BACK},
    S.REJECTED: {S.FED_BACK},
    S.FED_BACK: set(),
}


class RewardLevel(models.IntegerChoices):
    FIRST = 1, "一级"
    SECOND = 2, "二级"
    THIRD = 3, "三级"


class RewardStatus(models.TextChoices):
    ASSESSED = "assessed", "已核定"
    PAID = "paid", "已发放"
