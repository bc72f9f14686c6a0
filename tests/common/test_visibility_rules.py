"""Visibility rules registered by the app that owns the relation (apps/common/scoping.py), issue 9 point 3."""

import pathlib

from apps.common.scoping import register_visibility_rule, visibility_rules
from apps.enterprises.models import Enterprise
from apps.inspections.visibility import enterprises_of_assigned_tasks

ENTERPRISES_DIR = pathlib.Path(__file__).resolve().parents[2] / "apps" / "enterprises"


def test_inspections_registers_the_inspector_rule_on_enterprises():
    assert enterprises_of_assigned_tasks in visibility_rules(Enterprise)


def test_registering_twice_keeps_one_rule():
    register_visibility_rule("enterprises.Enterprise", enterprises_of_assigned_tasks)
    assert visibility_rules(Enterprise).count(enterprises_of_assigned_tasks) == 1


def test_enterprises_does_not_name_inspections_orm_paths():
    offenders = []
    for path in ENTERPRISES_DIR.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        for needle in ("inspection_tasks__", "task_inspectors", "inspector__user"):
            if needle in text:
                offenders.append(f"{path.name}: {needle}")
    assert offenders == []


# The behaviour (an inspector opens the enterprise of a task in another township; staff scope unchanged) is tested in
# tests/inspections/test_scoping.py.
