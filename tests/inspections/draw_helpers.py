"""hrs-v2 helpers for draw tests: a committed draw waits for its public value before it can be drawn."""

from django.utils import timezone

from apps.inspections.draws.services import draw_execute, public_value_enter
from apps.inspections.models import Draw

WITNESS_VALUES = ["4711", "0815"]
WITNESSES = ["见证人甲", "见证人乙"]


def pending_v2_draw(plan_id):
    return Draw.objects.filter(plan_id=plan_id, outcome__isnull=True, public_value__isnull=True, algorithm="hrs-v2")


def enter_public_value(*, actor, plan_id, now=None, values=None, witnesses=None):
    """Enter the witnesses' values (or a lottery result) for the plan's pending hrs-v2 draw."""
    draw = pending_v2_draw(plan_id).order_by("-attempt").first()
    kind = draw.public_randomness["kind"] if draw else "witnesses"
    if values is None:
        values = ["03 07 12 19 25 31 + 09"] if kind == "lottery" else WITNESS_VALUES
        witnesses = [] if kind == "lottery" else WITNESSES
    return public_value_enter(actor=actor, plan_id=plan_id, values=values, witnesses=witnesses, now=now)


def draw_now(*, actor, plan_id, now=None, enter_as=None):
    """What "commit, then draw" means under hrs-v2: enter the public value when it is due and missing, then draw.
    A draw that is not yet due (scheduled, or its public date later) is left to ``draw_execute`` to refuse."""
    draw = pending_v2_draw(plan_id).order_by("-attempt").first()
    when = now or timezone.now()
    if draw is not None and draw.public_randomness["date"] <= timezone.localdate(when).isoformat():
        enter_public_value(actor=enter_as or actor, plan_id=plan_id, now=now)
    return draw_execute(actor=actor, plan_id=plan_id, now=now)
