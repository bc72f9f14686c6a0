import pytest
from django.core.management import CommandError, call_command

from apps.incidents.models import Complaint, Reward

pytestmark = pytest.mark.django_db


def test_seed_demo_complaints_is_idempotent_and_has_each_stage(settings, complaint_officer):
    settings.DEMO_MODE = True
    call_command("seed_demo_complaints")
    call_command("seed_demo_complaints")
    statuses = set(Complaint.objects.values_list("status", flat=True))
    assert Complaint.objects.count() == 6
    assert {"pending", "handling", "closed", "rejected", "fed_back"} <= statuses
    reward = Reward.objects.get()
    assert reward.status == "paid" and reward.paid_fen == reward.amount_fen == 600_000


def test_seed_demo_complaints_refuses_outside_demo_mode(settings, complaint_officer):
    settings.DEMO_MODE = False
    with pytest.raises(CommandError):
        call_command("seed_demo_complaints")
