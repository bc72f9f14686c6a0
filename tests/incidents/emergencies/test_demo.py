"""seed_demo_incidents: idempotent, several levels and stages, one first report overdue; demo mode only."""

import pytest
from django.core.management import CommandError, call_command

from apps.incidents.emergencies import selectors as sel
from apps.incidents.models.emergencies import Incident

pytestmark = pytest.mark.django_db


def test_seed_demo_incidents_is_idempotent_with_levels_stages_and_one_overdue(settings, city_staff):
    settings.DEMO_MODE = True
    call_command("seed_demo_incidents")
    call_command("seed_demo_incidents")
    rows = list(Incident.objects.filter(title__startswith="【演示】"))
    assert len(rows) == 5
    assert {r.status for r in rows} == {"received", "handling", "final_reported", "closed"}
    assert {r.suggested_level for r in rows} >= {"II", "III", "IV"}
    states = [sel.first_report_clock(r).state for r in rows]
    assert states.count("overdue") == 1 and "late" in states and "on_time" in states and "running" in states


def test_seed_demo_incidents_refuses_outside_demo_mode(settings, city_staff):
    settings.DEMO_MODE = False
    with pytest.raises(CommandError):
        call_command("seed_demo_incidents")
