"""Model-level guarantees: append-only draw tables, database constraints, task scoping for inspectors."""

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction

from apps.inspections.models import (
    Draw,
    DrawOutcome,
    DrawPlan,
    DrawSelection,
    DrawTableImmutable,
    InspectionTask,
)
from tests.conftest import make_user

from .factories import make_enterprise, make_inspector, make_task


def _plan(**kw):
    return DrawPlan.objects.create(name="测试计划", year=2026, round_label="第一批", **kw)


def _draw(plan, **kw):
    defaults = dict(
        round=plan.round_label,
        draw_uid=f"HN{plan.year}-{plan.pk:05d}-{kw.get('attempt', 1)}",
        seed_commitment="0" * 64,
        inputs_hash="0" * 64,
        draw_date=dt.date(2026, 5, 1),
    )
    defaults.update(kw)
    return Draw.objects.create(plan=plan, **defaults)


@pytest.mark.django_db
class TestDrawTablesAreAppendOnly:
    def test_saving_an_existing_draw_is_refused(self):
        draw = _draw(_plan())
        draw.seed_commitment = "f" * 64
        with pytest.raises(DrawTableImmutable):
            draw.save()
        assert Draw.objects.get(pk=draw.pk).seed_commitment == "0" * 64

    def test_delete_and_queryset_update_are_refused(self, township_a):
        draw = _draw(_plan())
        sel = DrawSelection.objects.create(
            draw=draw, stratum_key="all", enterprise=make_enterprise(township_a), code="X", rank="a" * 64, order=1
        )
        with pytest.raises(DrawTableImmutable):
            draw.delete()
        with pytest.raises(DrawTableImmutable):
            Draw.objects.filter(pk=draw.pk).update(round="x")
        with pytest.raises(DrawTableImmutable):
            Draw.objects.all().delete()
        with pytest.raises(DrawTableImmutable):
            sel.delete()
        with pytest.raises(DrawTableImmutable):
            DrawSelection.objects.filter(pk=sel.pk).update(code="Y")
        assert Draw.objects.count() == 1 and DrawSelection.objects.get().code == "X"

    def test_a_draw_has_at_most_one_outcome(self):
        draw = _draw(_plan())
        now = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
        DrawOutcome.objects.create(draw=draw, seed="1" * 64, drawn_at=now, result_hash="2" * 64)
        with pytest.raises(IntegrityError), transaction.atomic():
            DrawOutcome.objects.create(draw=draw, seed="3" * 64, drawn_at=now, result_hash="4" * 64)
        draw = Draw.objects.get(pk=draw.pk)
        assert draw.status == "drawn" and draw.seed_hex == "1" * 64


@pytest.mark.django_db
class TestDrawConstraints:
    def test_one_primary_draw_per_plan_and_round(self):
        plan = _plan()
        _draw(plan)
        with pytest.raises(IntegrityError), transaction.atomic():
            _draw(plan, draw_uid="other")
        assert Draw.objects.filter(plan=plan).count() == 1

    def test_redraw_needs_reason_and_a_different_approver(self, reference):
        plan = _plan()
        first = _draw(plan)
        alice, bob = make_user("alice", "city_staff"), make_user("bob", "city_staff")
        with pytest.raises(IntegrityError), transaction.atomic():
            _draw(plan, attempt=2, parent=first, reason="原对象库有误", requested_by=alice, approved_by=alice)
        with pytest.raises(IntegrityError), transaction.atomic():
            _draw(plan, attempt=2, parent=first, reason="", requested_by=alice, approved_by=bob)
        redraw = _draw(plan, attempt=2, parent=first, reason="原对象库有误", requested_by=alice, approved_by=bob)
        assert redraw.is_redraw and first.redraw == redraw

    def test_plan_needs_at_least_two_inspectors_per_task(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            _plan(inspectors_per_task=1)


@pytest.mark.django_db
class TestTaskScoping:
    def test_inspector_sees_only_tasks_assigned_to_them(self, township_a, inspector_a):
        me = make_inspector(township=township_a, user=inspector_a)
        colleague = make_inspector(township=township_a)
        mine = make_task(make_enterprise(township_a), inspectors=[me, colleague])
        not_mine = make_task(make_enterprise(township_a), inspectors=[colleague])
        visible = set(InspectionTask.objects.visible_to(inspector_a))
        assert visible == {mine}
        assert not_mine not in visible

    def test_township_staff_and_city_staff_follow_township_rule(self, township_a, township_b, staff_a, city_staff):
        a = make_task(make_enterprise(township_a))
        b = make_task(make_enterprise(township_b))
        assert set(InspectionTask.objects.visible_to(staff_a)) == {a}
        assert set(InspectionTask.objects.visible_to(city_staff)) == {a, b}

    def test_inspector_plus_township_role_sees_both(self, township_a, township_b, user_factory):
        user = user_factory("both", "inspector", [township_a])
        user.groups.add(*make_user("tmp", "township_staff").groups.all())
        me = make_inspector(user=user)
        own_township = make_task(make_enterprise(township_a))
        assigned_elsewhere = make_task(make_enterprise(township_b), inspectors=[me])
        make_task(make_enterprise(township_b))
        assert set(InspectionTask.objects.visible_to(user)) == {own_township, assigned_elsewhere}


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgres_trigger_refuses_raw_update_and_delete_of_draw_rows():
    draw = _draw(_plan())
    for sql in (
        "UPDATE inspections_draw SET seed_commitment = 'x' WHERE id = %s",
        "DELETE FROM inspections_draw WHERE id = %s",
    ):
        with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql, [draw.pk])
    assert Draw.objects.get(pk=draw.pk).seed_commitment == "0" * 64
