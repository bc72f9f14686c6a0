"""`make run`'s assessment demo: last year's round closed with a star entry per township, this year's open with one
pending appeal; a second run changes nothing."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from apps.accounts.services import demo_accounts_create
from apps.assessment.models import AssessmentRound, ScoreAppeal, StarRating


@pytest.mark.django_db
def test_demo_rounds_and_idempotence(reference, settings):
    settings.DEMO_MODE = True
    demo_accounts_create(password="Demo#Assess-2026")
    year = timezone.localdate().year
    call_command("seed_demo_assessment")
    last, this = AssessmentRound.objects.get(year=year - 1), AssessmentRound.objects.get(year=year)
    assert last.is_closed and not this.is_closed and this.computed_at is not None
    assert StarRating.objects.filter(round=last).count() == last.scores.count() > 0
    assert ScoreAppeal.objects.filter(round=this, status="pending").count() == 1
    call_command("seed_demo_assessment")
    assert AssessmentRound.objects.count() == 2 and ScoreAppeal.objects.count() == 1
