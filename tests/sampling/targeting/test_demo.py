"""The targeting demo rows: demo mode only, idempotent, called by setup_demo through seed_demo_sampling (which seeds
the fieldwork demo first, then targeting's)."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from apps.accounts.services import demo_accounts_create
from apps.common.models import AuditEvent
from apps.sampling.models import ConsultationMeeting, Organisation, SuggestionWeights
from apps.sampling.plans.defaults import CONFIG_EFFECTIVE_FROM

pytestmark = pytest.mark.django_db


def _weights() -> list[dt.date]:
    return list(SuggestionWeights.objects.order_by("effective_from").values_list("effective_from", flat=True))


def test_seed_demo_sampling_is_idempotent(settings, reference):
    settings.DEMO_MODE = True
    demo_accounts_create(password="Demo#pass-2026")  # as setup_demo does before seeding (the fieldwork demo's members)
    assert _weights() == [CONFIG_EFFECTIVE_FROM]  # the default row (sampling migration 0004)
    out = io.StringIO()
    call_command("seed_demo_sampling", stdout=out)
    assert "靶向抽检权重新建" in out.getvalue() and "风险会商记录新建" in out.getvalue()
    organisations = Organisation.objects.count()
    assert organisations > 0  # the fieldwork demo ran first
    again = io.StringIO()
    call_command("seed_demo_sampling", stdout=again)
    assert "靶向抽检权重已存在" in again.getvalue() and "风险会商记录已存在" in again.getvalue()
    assert _weights() == [CONFIG_EFFECTIVE_FROM, dt.date(timezone.localdate().year, 1, 1)]
    assert ConsultationMeeting.objects.count() == 1 and Organisation.objects.count() == organisations
    assert AuditEvent.objects.filter(action="sampling.targeting_demo_seed").count() == 1


def test_seed_demo_sampling_refuses_outside_demo_mode(settings, reference):
    settings.DEMO_MODE = False
    with pytest.raises(CommandError):
        call_command("seed_demo_sampling", stdout=io.StringIO())
    assert _weights() == [CONFIG_EFFECTIVE_FROM]  # only the default row
    assert not ConsultationMeeting.objects.exists() and not Organisation.objects.exists()
