"""Plan → commitment (seed + frozen pool) → draw → tasks; re-draws; beat (issue 5 points 2, 3, 5)."""

import datetime as dt
import hashlib
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError

from apps.common.exceptions import Conflict, InvalidTransition, ValidationFailed
from apps.common.models import AuditEvent
from apps.inspections.choices import TaskKind, TaskSource, TaskStatus
from apps.inspections.draws import algorithm as hrs
from apps.inspections.draws.selectors import draw_differences, draw_record
from apps.inspections.draws.services import (
    draws_run_due,
    plan_cancel,
    plan_commit,
    plan_update,
    redraw_decide,
    redraw_request,
)
from apps.inspections.models import (
    Draw,
    DrawInspectorAssignment,
    DrawSeal,
    DrawSelection,
    InspectionTask,
    InspectorConflict,
    TaskInspector,
)

from .draw_helpers import draw_now, enter_public_value
from .factories import make_enterprise, make_task

pytestmark = pytest.mark.django_db


def test_commit_freezes_pool_and_publishes_commitment_before_the_draw(world, city_staff):
    plan = world.plan(city_staff)
    draw = plan_commit(actor=city_staff, plan_id=plan.pk)
    plan.refresh_from_db()
    assert plan.status == "committed"
    assert draw.status == "committed" and draw.seed_hex is None
    stratum = draw.strata[0]
    expected_codes = sorted(e.uscc for e in world.caterers + world.shops)
    assert stratum["codes"] == expected_codes  # closed business excluded
    assert stratum["pool_hash"] == hashlib.sha256("\n".join(expected_codes).encode()).hexdigest()
    assert stratum["k"] == 10  # ceil(50 × 0.2)
    assert draw.excluded["closed"] == [world.closed.uscc]
    badges = {i["badge"] for i in draw.inspectors}
    assert badges == {i.badge_no for i in world.inspectors}  # expired and inactive not in the pool
    seal = DrawSeal.objects.get(draw=draw)
    assert len(draw.seed_commitment) == 64 and seal.seed == "" and len(seal.sealed) == 64  # hrs-v2: no plain seed
    assert hrs.seed_commitment(bytes.fromhex(seal.sealed)) == draw.seed_commitment
    assert draw.algorithm == "hrs-v2" and draw.public_randomness["kind"] == "witnesses"
    record = draw_record(draw)
    assert record["seed"] is None and record["seed_commitment"] == draw.seed_commitment
    assert record["pool_hashes"] == {"all": stratum["pool_hash"]}
    assert record["public_randomness"] == draw.public_randomness and record["public_value"] is None
    assert record["excluded"]["closed"] == {"label": "停业、注销的对象", "codes": [world.closed.uscc]}
    assert "seal" not in json.dumps(record) and seal.sealed not in json.dumps(record)
    assert AuditEvent.objects.filter(action="inspections.plan_commit", object_id=str(plan.pk)).exists()
    with pytest.raises(InvalidTransition):
        plan_update(actor=city_staff, plan_id=plan.pk, name="改名")


def test_draw_stores_seed_result_and_tasks_in_one_go(world, city_staff):
    plan = world.plan(city_staff, task_due_date=dt.date(2026, 12, 31))
    plan_commit(actor=city_staff, plan_id=plan.pk)
    draw = draw_now(actor=city_staff, plan_id=plan.pk)
    draw = Draw.objects.get(pk=draw.pk)
    assert draw.status == "drawn" and draw.seed_hex and draw.algorithm == "hrs-v2"
    assert hrs.seed_commitment(bytes.fromhex(draw.seed_hex)) == draw.seed_commitment
    sels = list(DrawSelection.objects.filter(draw=draw).order_by("order"))
    assert len(sels) == 10 == draw.outcome.selected_count
    tasks = InspectionTask.objects.filter(draw=draw)
    assert tasks.count() == 10
    for task in tasks:
        assert task.kind == TaskKind.ROUTINE_RANDOM and task.source == TaskSource.DRAW
        assert task.status == TaskStatus.ASSIGNED and task.due_date == dt.date(2026, 12, 31)
        links = list(task.task_inspectors.all())
        assert len(links) == 2 and all(link.assignment_id for link in links)
        assert {link.inspector.badge_no for link in links} == {
            a.badge for a in DrawInspectorAssignment.objects.filter(selection=task.selection)
        }
    assert draw_differences(draw) == []
    plan.refresh_from_db()
    assert plan.status == "drawn"
    event = AuditEvent.objects.get(action="inspections.draw_execute", object_id=str(draw.pk))
    assert event.extra["seed"] == draw.seed_hex and event.extra["result_hash"] == draw.outcome.result_hash


def test_second_draw_of_the_same_plan_is_a_conflict(world, city_staff):
    plan = world.plan(city_staff)
    plan_commit(actor=city_staff, plan_id=plan.pk)
    draw_now(actor=city_staff, plan_id=plan.pk)
    with pytest.raises(Conflict):
        draw_now(actor=city_staff, plan_id=plan.pk)
    with pytest.raises(InvalidTransition):
        plan_commit(actor=city_staff, plan_id=plan.pk)
    assert Draw.objects.filter(plan=plan).count() == 1
    assert InspectionTask.objects.filter(plan=plan).count() == 10


def test_draft_plan_cannot_be_drawn_and_township_staff_cannot_draw(world, city_staff, staff_a):
    plan = world.plan(city_staff)
    with pytest.raises(InvalidTransition):
        draw_now(actor=city_staff, plan_id=plan.pk)
    with pytest.raises(PermissionDenied):
        plan_commit(actor=staff_a, plan_id=plan.pk)


def test_exclusions_recent_inspection_open_same_round_and_scope(world, city_staff, now):
    recent, old, busy = world.caterers[0], world.caterers[1], world.caterers[2]
    make_task(recent, status=TaskStatus.FINALISED, completed_at=now - dt.timedelta(days=40))
    make_task(old, status=TaskStatus.FINALISED, completed_at=now - dt.timedelta(days=120))
    other = world.plan(city_staff, name="另一计划")
    make_task(busy, plan=other, status=TaskStatus.ASSIGNED)
    plan = world.plan(city_staff, townships=[world.township_a.pk], business_types=[])
    draw = plan_commit(actor=city_staff, plan_id=plan.pk)
    codes = set(draw.strata[0]["codes"])
    assert recent.uscc not in codes and busy.uscc not in codes and old.uscc in codes
    assert not codes & {s.uscc for s in world.shops}  # other township out of scope
    assert draw.excluded["inspected_recently"] == [recent.uscc]
    assert draw.excluded["open_same_round"] == [busy.uscc]


def test_strata_by_township_and_business_type_with_counts(world, city_staff):
    plan = world.plan(
        city_staff,
        strata=[
            {"key": "shops", "label": "许村销售", "filter": {"business_types": ["food_sales"]}, "count": 3},
            {"key": "rest", "label": "其余", "proportion": "0.1"},
        ],
    )
    draw = plan_commit(actor=city_staff, plan_id=plan.pk)
    by_key = {s["key"]: s for s in draw.strata}
    assert len(by_key["shops"]["codes"]) == 20 and by_key["shops"]["k"] == 3
    assert len(by_key["rest"]["codes"]) == 30 and by_key["rest"]["k"] == 3
    drawn = draw_now(actor=city_staff, plan_id=plan.pk)
    keys = [s.stratum_key for s in DrawSelection.objects.filter(draw=drawn)]
    assert keys.count("shops") == 3 and keys.count("rest") == 3


def test_declared_conflict_and_previous_inspector_are_never_drawn(world, city_staff, now):
    target = world.caterers[5]
    conflicted, previous = world.inspectors[0], world.inspectors[1]
    InspectorConflict.objects.create(inspector=conflicted, enterprise=target, reason="亲属经营")
    make_task(target, inspectors=[previous], status=TaskStatus.FINALISED, completed_at=now - dt.timedelta(days=200))
    plan = world.plan(city_staff, strata=[{"key": "all", "proportion": "1"}])
    draw = plan_commit(actor=city_staff, plan_id=plan.pk)
    assert draw.exclusions[target.uscc] == sorted([conflicted.badge_no, previous.badge_no])
    drawn = draw_now(actor=city_staff, plan_id=plan.pk)
    sel = DrawSelection.objects.get(draw=drawn, enterprise=target)
    assert not {a.badge for a in sel.assignments.all()} & {conflicted.badge_no, previous.badge_no}


def test_load_cap_and_own_township_rule(world, city_staff):
    # 15 selected: at most 15 caterers × 2 = 30 assignments for the 4 inspectors outside 硖石 (cap 8 → room 32)
    plan = world.plan(city_staff, strata=[{"key": "all", "proportion": "0.3"}], load_cap=8, avoid_own_township=True)
    plan_commit(actor=city_staff, plan_id=plan.pk)
    drawn = draw_now(actor=city_staff, plan_id=plan.pk)
    assert drawn.outcome.status == "drawn"
    per_inspector = {}
    for link in TaskInspector.objects.filter(task__draw=drawn).select_related("inspector", "task__enterprise"):
        per_inspector[link.inspector_id] = per_inspector.get(link.inspector_id, 0) + 1
        assert link.inspector.township_id != link.task.enterprise.township_id
    assert max(per_inspector.values()) <= 8


def test_commit_refuses_an_infeasible_plan(world, city_staff):
    plan = world.plan(city_staff, strata=[{"key": "all", "proportion": "1"}], load_cap=2)
    with pytest.raises(ValidationFailed, match="容量"):
        plan_commit(actor=city_staff, plan_id=plan.pk)
    assert not Draw.objects.filter(plan=plan).exists()


def test_scheduled_draw_waits_for_its_time_and_beat_runs_it(world, city_staff, now):
    plan = world.plan(city_staff, scheduled_at=now + dt.timedelta(hours=2))
    draw = plan_commit(actor=city_staff, plan_id=plan.pk)
    assert draw.scheduled_at is not None
    with pytest.raises(Conflict, match="未到"):
        draw_now(actor=city_staff, plan_id=plan.pk)
    assert draws_run_due(now=now) == []
    assert draws_run_due(now=now + dt.timedelta(hours=3)) == []  # hrs-v2: the public value is not in yet
    enter_public_value(actor=city_staff, plan_id=plan.pk, now=now + dt.timedelta(hours=3))
    assert draws_run_due(now=now + dt.timedelta(hours=3)) == [draw.draw_uid]
    assert Draw.objects.get(pk=draw.pk).outcome.drawn_by is None
    assert draws_run_due(now=now + dt.timedelta(hours=4)) == []  # a second beat run is harmless


def test_beat_task_is_scheduled():
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["inspections-draws-run-due"]
    assert entry["task"] == "inspections.draws_run_due"


def test_redraw_is_a_new_record_with_reason_and_second_approver(world, city_staff, other_city_staff):
    plan = world.plan(city_staff)
    plan_commit(actor=city_staff, plan_id=plan.pk)
    first = draw_now(actor=city_staff, plan_id=plan.pk)
    started = InspectionTask.objects.filter(draw=first).first()
    InspectionTask.objects.filter(pk=started.pk).update(status=TaskStatus.IN_PROGRESS)
    req = redraw_request(actor=city_staff, draw_id=first.pk, reason="对象库中混入已注销企业")
    with pytest.raises(PermissionDenied):
        redraw_decide(actor=city_staff, request_id=req.pk, approve=True)
    req = redraw_decide(actor=other_city_staff, request_id=req.pk, approve=True, note="同意")
    second = req.new_draw
    assert second.parent_id == first.pk and second.attempt == 2 and second.reason == "对象库中混入已注销企业"
    assert second.requested_by == city_staff and second.approved_by == other_city_staff
    assert second.seed_commitment != first.seed_commitment
    # not-started tasks of the first draw are cancelled; started ones stay
    assert set(InspectionTask.objects.filter(draw=first).values_list("status", flat=True)) == {
        TaskStatus.CANCELLED,
        TaskStatus.IN_PROGRESS,
    }
    drawn = draw_now(actor=city_staff, plan_id=plan.pk)
    assert drawn.pk == second.pk and drawn.outcome.status == "drawn"
    assert draw_differences(Draw.objects.get(pk=first.pk)) == [] and draw_differences(drawn) == []
    assert list(Draw.objects.filter(plan=plan).order_by("attempt").values_list("attempt", flat=True)) == [1, 2]
    with pytest.raises(Conflict):
        draw_now(actor=city_staff, plan_id=plan.pk)


def test_redraw_request_rejected_leaves_everything(world, city_staff, other_city_staff):
    plan = world.plan(city_staff)
    plan_commit(actor=city_staff, plan_id=plan.pk)
    first = draw_now(actor=city_staff, plan_id=plan.pk)
    req = redraw_request(actor=city_staff, draw_id=first.pk, reason="理由不充分的申请")
    with pytest.raises(Conflict):
        redraw_request(actor=other_city_staff, draw_id=first.pk, reason="重复提出的申请")
    redraw_decide(actor=other_city_staff, request_id=req.pk, approve=False)
    assert Draw.objects.filter(plan=plan).count() == 1
    assert InspectionTask.objects.filter(draw=first, status=TaskStatus.ASSIGNED).count() == 10


def test_cancelling_a_committed_plan_reveals_its_seed(world, city_staff):
    plan = world.plan(city_staff)
    draw = plan_commit(actor=city_staff, plan_id=plan.pk)
    plan_cancel(actor=city_staff, plan_id=plan.pk, reason="计划调整")
    draw = Draw.objects.get(pk=draw.pk)
    assert draw.status == "cancelled" and draw.seed_hex == DrawSeal.objects.get(draw=draw).sealed
    assert draw_differences(draw) == []
    assert not InspectionTask.objects.filter(plan=plan).exists()


def test_verify_draw_command(world, city_staff, capsys):
    plan = world.plan(city_staff)
    plan_commit(actor=city_staff, plan_id=plan.pk)
    draw = draw_now(actor=city_staff, plan_id=plan.pk)
    call_command("verify_draw", draw.draw_uid)
    assert "VERIFIED" in capsys.readouterr().out
    call_command("verify_draw", str(draw.pk))
    assert "VERIFIED" in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("verify_draw", "HN-nope")


def test_verify_draw_command_detects_tampered_rows(world, city_staff, capsys):
    """Simulates a DBA editing a selection behind the ORM (SQLite has no trigger; on PostgreSQL the trigger refuses)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        pytest.skip("the PostgreSQL trigger refuses the edit itself (test_models)")
    plan = world.plan(city_staff)
    plan_commit(actor=city_staff, plan_id=plan.pk)
    draw = draw_now(actor=city_staff, plan_id=plan.pk)
    outsider = make_enterprise(world.township_a)
    with connection.cursor() as cur:
        cur.execute(
            'UPDATE inspections_drawselection SET code = %s, enterprise_id = %s WHERE draw_id = %s AND "order" = 1',
            [outsider.uscc, outsider.pk, draw.pk],
        )
    with pytest.raises(CommandError):
        call_command("verify_draw", draw.draw_uid)
    out = capsys.readouterr().out
    assert "DIFFERS" in out and "第 1 户" in out


def test_strata_by_credit_class_and_risk_grade_read_the_risk_app(world, city_staff, now):
    from apps.inspections.draws.selectors import enterprise_strata_attributes
    from apps.risk.models import CreditClass

    high = world.caterers[:4]
    today = now.date()
    for e in high:
        CreditClass.objects.create(enterprise=e, credit_class="B", source="旧", as_of=today - dt.timedelta(days=400))
        CreditClass.objects.create(enterprise=e, credit_class="D", source="国家企业信用信息公示系统", as_of=today)
    CreditClass.objects.create(
        enterprise=world.caterers[4], credit_class="D", source="将来", as_of=today + dt.timedelta(days=5)
    )
    attrs = enterprise_strata_attributes([e.pk for e in world.caterers[:5]], on=today)
    assert [attrs[e.pk]["credit_class"] for e in world.caterers[:5]] == ["D", "D", "D", "D", ""]
    assert attrs[high[0].pk]["township"] == "xiashi" and attrs[high[0].pk]["business_type"] == "catering"
    plan = world.plan(
        city_staff,
        strata=[
            {"key": "credit=D", "label": "信用D类", "filter": {"credit_classes": ["D"]}, "proportion": "1"},
            {"key": "grade=C,D", "label": "风险C/D级", "filter": {"grades": ["C", "D"]}, "proportion": "1"},
            {"key": "rest", "label": "其余", "count": 1},
        ],
    )
    draw = plan_commit(actor=city_staff, plan_id=plan.pk)
    by_key = {s["key"]: s for s in draw.strata}
    assert by_key["credit=D"]["codes"] == sorted(e.uscc for e in high) and by_key["credit=D"]["k"] == 4
    assert by_key["grade=C,D"]["codes"] == []  # no current risk grades in this world
    assert len(by_key["rest"]["codes"]) == 50 - 4
