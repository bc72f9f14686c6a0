"""The ``inspections.flying_create`` provider (apps/common/hooks.py): registered at start-up; a flying inspection of a
visible enterprise with two inspectors picked as for key inspections (回避 honoured), in the caller's transaction;
Chinese refusals when it cannot."""

import pytest

from apps.common import hooks
from apps.common.exceptions import OutOfScope, ValidationFailed
from apps.inspections.models import InspectionTask, InspectorConflict

from .factories import make_enterprise, make_inspector

pytestmark = pytest.mark.django_db


def _provider():
    return hooks.providers("inspections.flying_create")["inspections"]


def test_registered_and_creates_a_flying_task_with_two_inspectors(city_staff, township_a, township_b):
    shop = make_enterprise(township_a)
    own = [make_inspector(township=township_a), make_inspector(township=township_a)]
    make_inspector(township=township_b)
    made = _provider()(city_staff, enterprise_id=shop.pk, reason="舆情反映后厨卫生差", source_ref="opinion-event:7")
    task = InspectionTask.objects.get(pk=made["task_id"])
    assert made["ref"] == f"inspection-task:{task.pk}" and made["url"] == f"/inspections/tasks/{task.pk}/"
    assert task.kind == "flying" and task.enterprise == shop
    assert "舆情反映后厨卫生差" in task.reason and "opinion-event:7" in task.reason
    assert set(task.inspectors.all()) == set(own)  # the enterprise's own township first


def test_conflicts_are_avoided_and_too_few_inspectors_is_a_chinese_400(city_staff, township_a):
    shop = make_enterprise(township_a)
    a, b = make_inspector(township=township_a), make_inspector(township=township_a)
    InspectorConflict.objects.create(inspector=a, enterprise=shop, reason="亲属")
    with pytest.raises(ValidationFailed, match="没有两名可派的检查人员"):
        _provider()(city_staff, enterprise_id=shop.pk, reason="舆情反映问题", source_ref="opinion-event:1")
    assert not InspectionTask.objects.exists()
    assert b.pk


def test_outside_scope_and_without_permission(staff_a, leader, township_b):
    from django.core.exceptions import PermissionDenied

    shop = make_enterprise(township_b)
    with pytest.raises(PermissionDenied):
        _provider()(staff_a, enterprise_id=shop.pk, reason="舆情反映问题", source_ref="x")
    with pytest.raises(PermissionDenied):
        _provider()(leader, enterprise_id=shop.pk, reason="舆情反映问题", source_ref="x")


def test_a_visible_but_missing_enterprise_is_out_of_scope(city_staff, reference):
    with pytest.raises(OutOfScope):
        _provider()(city_staff, enterprise_id=999999, reason="舆情反映问题", source_ref="x")
