import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.utils import timezone

from apps.assessment.models import AssessmentRound, SchemeIndicator, ScoreItem, TownshipScore
from apps.assessment.schemes import services

YEAR = timezone.localdate().year - 1


def pdf_upload(name="花名册.pdf"):
    return SimpleUploadedFile(
        name, b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", content_type="application/pdf"
    )


def indicator(rnd, code) -> SchemeIndicator:
    return rnd.scheme.indicators.get(code=code)


def computed_round(city_staff, *, year=YEAR) -> AssessmentRound:
    rnd = services.round_create(actor=city_staff, year=year)
    run_compute(city_staff, rnd)
    rnd.refresh_from_db()
    return rnd


def run_compute(actor, rnd):
    """Start the compute job; it runs (eager Celery) when the transaction's on_commit callbacks run."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        job = services.round_compute_start(actor=actor, round_id=rnd.pk)
    return job


def score(rnd, township) -> TownshipScore:
    return TownshipScore.objects.get(round=rnd, township=township)


def item(rnd, township, code) -> ScoreItem:
    return ScoreItem.objects.get(score__round=rnd, score__township=township, indicator__code=code)


def submit_coordinators(actor, rnd, township, value="2"):
    return services.manual_value_submit(
        actor=actor,
        round_id=rnd.pk,
        data={"township": township.pk, "indicator": indicator(rnd, "coordinators").pk, "value": value},
        evidence=pdf_upload(),
    )


__all__ = ["dt"]
