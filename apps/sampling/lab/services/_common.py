"""Helpers shared by the lab services: the deadlines in force, lab membership, the lab's Chinese errors."""

from __future__ import annotations

import datetime as dt

from apps.common.exceptions import DomainError
from apps.common.scoping import user_sees_all_townships

from ...models import Organisation, SamplingDeadlines


class NotYourLab(DomainError):
    """A lab (its staff or its API client) acting on a sample that was not sent to it: 403, nothing written."""

    code = "not_your_lab"
    status_code = 403
    default_message = "该样品未送本机构检验，不能录入或提交其检验结果"


def deadlines_on(day: dt.date) -> SamplingDeadlines:
    """The clocks in force on ``day`` (``SamplingDeadlines.objects.in_force``); the model's defaults when the city has
    entered none yet (an unsaved row: notify 5, 复检 7 working days, 核查处置 90 days …)."""
    return SamplingDeadlines.objects.in_force(day) or SamplingDeadlines(effective_from=day)


def is_member(actor, organisation: Organisation | None) -> bool:
    if actor is None or organisation is None or not getattr(actor, "is_authenticated", False):
        return False
    return organisation.members.filter(pk=actor.pk).exists()


def acts_for_lab(actor, lab: Organisation) -> bool:
    """A member of ``lab`` (its staff, its API client's service account)."""
    return is_member(actor, lab)


def acts_city_wide(actor) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False) and user_sees_all_townships(actor)


def actor_or_none(actor):
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None
