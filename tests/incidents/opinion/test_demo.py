"""``seed_demo_opinion``: demo mode only, one event at each stage, idempotent; wired into setup_demo."""

import pytest
from django.core.management import CommandError, call_command

from apps.incidents.models import OpinionEvent

pytestmark = pytest.mark.django_db


def test_refused_outside_demo_mode(settings, reference):
    settings.DEMO_MODE = False
    with pytest.raises(CommandError):
        call_command("seed_demo_opinion")


def test_seeds_each_stage_once(settings, reference):
    from apps.accounts.services import demo_accounts_create

    settings.DEMO_MODE = True
    demo_accounts_create(password="Demo-Passw0rd-x")
    call_command("seed_demo_opinion")
    statuses = sorted(OpinionEvent.objects.values_list("status", flat=True))
    assert statuses == ["closed", "handling", "pending", "responded"]
    call_command("seed_demo_opinion")
    assert OpinionEvent.objects.count() == 4


def test_setup_demo_calls_it():
    import inspect

    from apps.common.management.commands import setup_demo

    assert '"seed_demo_opinion"' in inspect.getsource(setup_demo)
