"""The targeting demo rows: demo mode only, idempotent, called by setup_demo through seed_demo_sampling."""

import io

import pytest
from django.core.management import CommandError, call_command

from apps.common.models import AuditEvent
from apps.sampling.models import ConsultationMeeting, SuggestionWeights

pytestmark = pytest.mark.django_db


def test_seed_demo_sampling_is_idempotent(settings, reference):
    settings.DEMO_MODE = True
    out = io.StringIO()
    call_command("seed_demo_sampling", stdout=out)
    assert "靶向抽检权重新建" in out.getvalue()
    call_command("seed_demo_sampling", stdout=io.StringIO())
    assert SuggestionWeights.objects.count() == 1 and ConsultationMeeting.objects.count() == 1
    assert AuditEvent.objects.filter(action="sampling.targeting_demo_seed").count() == 1


def test_seed_demo_sampling_refuses_outside_demo_mode(settings, reference):
    settings.DEMO_MODE = False
    with pytest.raises(CommandError):
        call_command("seed_demo_sampling", stdout=io.StringIO())
    assert not SuggestionWeights.objects.exists()
