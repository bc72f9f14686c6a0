"""manage.py seed_haining_scale (benchmarks/dashboard.py's data): refused outside demo mode; tasks idempotent."""

import pytest
from django.core.management import CommandError, call_command

from apps.dashboard.management.commands.seed_haining_scale import TASK_PREFIX, Command
from apps.inspections.choices import TaskStatus
from apps.inspections.models import InspectionTask
from tests.inspections.factories import make_enterprise

pytestmark = pytest.mark.django_db


def test_refused_outside_demo_mode(settings, reference):
    settings.DEMO_MODE = False
    with pytest.raises(CommandError, match="演示模式"):
        call_command("seed_haining_scale", enterprises=1, inspections=1, samples=0)


def test_tasks_over_five_years_added_once(township_a, township_b):
    make_enterprise(township_a)
    make_enterprise(township_b)
    assert Command().add_tasks(200, seed=1) == 200
    tasks = InspectionTask.objects.filter(number__startswith=TASK_PREFIX)
    assert tasks.count() == 200
    assert len({d.year for d in tasks.values_list("due_date", flat=True)}) == 5
    assert set(tasks.values_list("status", flat=True)) <= set(TaskStatus.values)
    assert not tasks.filter(status=TaskStatus.FINALISED, completed_at__isnull=True).exists()
    assert Command().add_tasks(200, seed=1) == 0  # a second run adds nothing
    assert Command().add_tasks(250, seed=1) == 50
