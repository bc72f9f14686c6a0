"""Choices and the status pipeline of 舆情 events, declared as data (services and pages use
``OpinionEvent.can_transition_to``). The model's choices and ``OPINION_TRANSITIONS`` are declared beside the model
(``models/opinion.py``: the models package may not import a subpackage) and re-exported here; this module adds what
only the pages, filters and selectors use."""

from django.db import models

from ..models.opinion import (  # noqa: F401
    ACTION_STATUSES,
    HEAT_CHOICES,
    HEAT_MAX,
    HEAT_MIN,
    OPINION_TRANSITIONS,
    OpinionRisk,
    OpinionSource,
    OpinionStatus,
)


class ResponseState(models.TextChoices):
    """The response clock of one event (the list's ``response`` filter and the timeliness measure)."""

    ON_TIME = "on_time", "按时回应"
    LATE = "late", "超时（超时回应或超期未回应）"
    PENDING = "pending", "待回应"
    OVERDUE = "overdue", "已超期未回应"
    COUNTED = "counted", "已计入及时率（已回应或已到期）"
