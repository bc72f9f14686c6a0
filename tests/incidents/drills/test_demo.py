import datetime as dt

import pytest
from django.core.management import CommandError, call_command

from apps.incidents.drills.selectors import drills_per_township
from apps.incidents.models import Drill, EmergencyPlan

pytestmark = pytest.mark.django_db


def test_seed_demo_drills_is_idempotent(settings, city_staff, township_a):
    settings.DEMO_MODE = True
    call_command("seed_demo_drills")
    call_command("seed_demo_drills")
    plan = EmergencyPlan.objects.get(title__startswith="【演示】")
    assert sorted(plan.versions.values_list("number", flat=True)) == [1, 2]
    this = dt.date.today().year
    assert Drill.objects.count() == 7
    assert len(drills_per_township(city_staff, year=this)) >= 3 and drills_per_township(city_staff, year=this - 1)


def test_seed_demo_drills_refuses_outside_demo_mode(settings):
    settings.DEMO_MODE = False
    with pytest.raises(CommandError):
        call_command("seed_demo_drills")
