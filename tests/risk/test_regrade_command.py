import io

import pytest
from django.core.management import call_command

from apps.risk.models import RiskAssessment
from tests.factories import EnterpriseFactory


@pytest.mark.django_db
def test_regrade_command_grades_operating_businesses_once(reference, township_a):
    EnterpriseFactory.create_batch(3, township=township_a)
    out = io.StringIO()
    call_command("regrade", stdout=out)
    assert "本次新评定 3 家" in out.getvalue()
    assert RiskAssessment.objects.count() == 3
    again = io.StringIO()
    call_command("regrade", stdout=again)
    assert "本次新评定 0 家" in again.getvalue() and RiskAssessment.objects.count() == 3
