"""Inspector visibility across apps: tasks (own only) and enterprises (own township + those of assigned tasks)."""

import datetime as dt

import pytest
from django.utils import timezone

from apps.enterprises.models import Enterprise
from apps.inspections.choices import TaskKind, TaskStatus
from apps.inspections.fieldwork.selectors import completed_inspections
from apps.inspections.models import InspectionTask

from .factories import make_enterprise, make_inspector, make_task

pytestmark = pytest.mark.django_db


def test_inspector_sees_the_enterprise_of_a_task_in_another_township(township_a, township_b, inspector_a):
    me = make_inspector(township=township_a, user=inspector_a)
    assigned_elsewhere = make_enterprise(township_b)
    other_in_b = make_enterprise(township_b)
    own_township = make_enterprise(township_a)
    make_task(assigned_elsewhere, inspectors=[me])
    visible = set(Enterprise.objects.visible_to(inspector_a))
    assert assigned_elsewhere in visible and own_township in visible
    assert other_in_b not in visible
    assert set(InspectionTask.objects.visible_to(inspector_a)) == set(
        InspectionTask.objects.filter(enterprise=assigned_elsewhere)
    )


def test_township_staff_enterprise_scope_is_unchanged(township_a, township_b, staff_a):
    mine, theirs = make_enterprise(township_a), make_enterprise(township_b)
    inspector = make_inspector(township=township_b)
    make_task(theirs, inspectors=[inspector])
    assert set(Enterprise.objects.visible_to(staff_a)) == {mine}


def test_completed_inspections_feed_the_risk_coverage_registry(township_a):
    from apps.risk.coverage import registered_sources

    assert completed_inspections in registered_sources()
    ent = make_enterprise(township_a)
    done = timezone.now() - dt.timedelta(days=10)
    make_task(ent, status=TaskStatus.FINALISED, completed_at=done, kind=TaskKind.FLYING)
    make_task(ent, status=TaskStatus.FINALISED, completed_at=done, kind=TaskKind.FOLLOW_UP)
    make_task(ent, status=TaskStatus.ASSIGNED)
    rows = completed_inspections([ent.pk], timezone.localdate().year)
    assert sorted(rows[ent.pk], key=lambda r: r[1]) == [
        (timezone.localdate(done), False),
        (timezone.localdate(done), True),
    ]
