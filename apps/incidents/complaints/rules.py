"""The configuration in force (``ComplaintRules``, ``RewardRule``) and the reward arithmetic.

Defaults when no row is in force are the DOMAIN.md §8 values (the data migration writes the same rows)."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from ..models import ComplaintRules, RewardRule

DEFAULT_EFFECTIVE_FROM = dt.date(2019, 1, 1)


def rules_in_force(on: dt.date) -> ComplaintRules:
    return ComplaintRules.objects.in_force(on) or ComplaintRules(effective_from=DEFAULT_EFFECTIVE_FROM)


def reward_rule_in_force(on: dt.date) -> RewardRule | None:
    return RewardRule.objects.in_force(on)


def reward_amount_fen(rule: RewardRule, *, level: int, fines_fen: int) -> int:
    """The reward in fen: ``percent`` of the fines and confiscations of the level, at least the level's minimum
    (also when there is no fine), at most the cap. Decimal arithmetic, rounded half up to the fen."""
    if int(level) not in (1, 2, 3):
        raise ValueError("level must be 1, 2 or 3")
    if fines_fen < 0:
        raise ValueError("fines_fen must be ≥ 0")
    share = (Decimal(fines_fen) * rule.percent_of(level) / Decimal(100)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    amount = max(int(share), rule.minimum_of(level))
    return min(amount, rule.cap_fen)


def yuan(fen: int | None) -> str:
    """``123456`` → ``"1,234.56"`` (how amounts are printed)."""
    if fen is None:
        return ""
    return f"{Decimal(fen) / 100:,.2f}"
