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
    due = draw is not None and (draw.scheduled_at is None or draw.scheduled_at <= when)
    if due and draw.public_randomness["date"] <= timezone.localdate(when).isoformat():
        enter_public_value(actor=enter_as or actor, plan_id=plan_id, now=now)
    return draw_execute(actor=actor, plan_id=plan_id, now=now)


def make_v1_draw(plan, *, actor):
    """A draw committed before hrs-v2 as it sits in the database: algorithm hrs-v1, the seed in the plain ``seed``
    column of the seal, no public randomness. Built from the same frozen pool a commit would publish."""
    import secrets

    from apps.inspections.draws import algorithm as hrs
    from apps.inspections.draws.selectors import commit_draw_date, plan_freeze
    from apps.inspections.models import DrawSeal

    _scheduled, draw_date = commit_draw_date(plan)
    frozen = plan_freeze(plan, draw_uid=f"HN{plan.year}-{plan.pk:05d}-1", draw_date=draw_date)
    inputs = {k: v for k, v in frozen["inputs"].items() if k != "public_randomness"} | {"algorithm": "hrs-v1"}
    seed = secrets.token_bytes(32)
    draw = Draw.objects.create(
        plan=plan,
        round=plan.round_label,
        attempt=1,
        draw_uid=inputs["draw_uid"],
        algorithm="hrs-v1",
        seed_commitment=hrs.seed_commitment(seed),
        strata=[
            {**s, "k": q["k"], "pool_hash": q["pool_hash"]}
            for s, q in zip(inputs["strata"], hrs.strata_with_quota(inputs), strict=True)
        ],
        inspectors=inputs["inspectors"],
        exclusions=inputs["exclusions"],
        enterprise_townships=inputs["enterprise_townships"],
        rules=inputs["rules"],
        excluded=frozen["excluded"],
        inputs_hash=hrs.inputs_hash(inputs),
        draw_date=draw_date,
        committed_by=actor,
    )
    DrawSeal.objects.create(draw=draw, seed=seed.hex())
    type(plan).objects.filter(pk=plan.pk).update(status="committed", committed_at=draw.committed_at)
    return draw
