"""Scores against hand-computed expectations (fake measures, conftest.py), the default scheme, and the bands."""

from decimal import Decimal as D

import pytest

from apps.assessment.models import AssessmentScheme
from apps.assessment.schemes import scoring, services
from apps.common.models import Job

from .helpers import YEAR, computed_round, item, run_compute, score, submit_coordinators

pytestmark = pytest.mark.django_db


def test_default_scheme_ships_as_data_labelled_for_the_city_to_confirm(reference, city_staff, client):
    scheme = AssessmentScheme.objects.get(version=1)
    assert scheme.is_default
    indicators = list(scheme.indicators.all())
    assert sum(i.weight for i in indicators) == D(100)
    manual = {i.code for i in indicators if i.is_manual}
    assert manual == {"coordinators", "citizen_supervision"}
    assert all(i.measure_code for i in indicators if not i.is_manual)
    client.force_login(city_staff)
    page = client.get(f"/assessment/schemes/{scheme.pk}/").content.decode()
    assert "默认方案，待市局确认" in page
    assert "专职协管员配备" in page and "食品安全市民监督团" in page


def test_bands():
    bands = [{"at": "4.5", "points": 100}, {"at": "3.6", "points": 80}]
    assert scoring.band_points(bands, "higher", D("4.5")) == D(100)
    assert scoring.band_points(bands, "higher", D("4.49")) == D(80)
    assert scoring.band_points(bands, "higher", D("1")) == D(0)
    low = [{"at": "0", "points": 100}, {"at": "5", "points": 80}]
    assert scoring.band_points(low, "lower", D("0")) == D(100)
    assert scoring.band_points(low, "lower", D("5")) == D(80)
    assert scoring.band_points(low, "lower", D("6")) == D(0)


def test_compute_matches_hand_computed_scores(fake_measures, city_staff, staff_a, township_a, township_b):
    rnd = services.round_create(actor=city_staff, year=YEAR)
    submit_coordinators(staff_a, rnd, township_a, "2")
    job = run_compute(city_staff, rnd)
    job = Job.objects.get(pk=job.pk)
    assert job.status == "done" and job.progress == 100
    rnd.refresh_from_db()
    # A: food 50/10000×1000 = 5.00 ≥ 4.5 → 100% × 10 = 10.00; debt 3 ≤ 5 → 80% × 5 = 4.00;
    #    health certificates 0/0: nothing to count → full 5.00; coordinators 2 ≥ 1 → 4.00. Others unregistered: 0.
    a = score(rnd, township_a)
    assert a.total == D("23.00") and a.rank == 1 and a.stars == 1
    # B: food 3.00 ≥ 2.7 → 60% × 10 = 6.00; debt 30 > 20 → 0; health 95% → 80% × 5 = 4.00; no manual value → 0.
    b = score(rnd, township_b)
    assert b.total == D("10.00") and b.rank == 2
    food = item(rnd, township_a, "food_sampling")
    assert (food.numerator, food.denominator, food.value, food.points, food.weighted) == (
        D(50),
        D(10000),
        D("5.00"),
        D(100),
        D("10.00"),
    )
    assert food.url == f"/rows/sampling.food_batches_per_1000/?township={township_a.pk}"
    assert food.denominator_url == f"/den/?t={township_a.pk}"
    health = item(rnd, township_a, "health_certificates")
    assert health.value is None and health.points == D(100) and "满分" in health.note
    missing = item(rnd, township_a, "complaint_timeliness")
    assert missing.points == D(0) and "未登记" in missing.note
    assert item(rnd, township_b, "coordinators").note == "未填报"
    assert rnd.inputs["values"]["food_sampling"][str(township_a.pk)]["numerator"] == 50


def test_equal_totals_share_a_rank(fake_measures, fake_data, city_staff, township_a, township_b):
    fake_data["sampling.food_batches_per_1000"]["xucun"] = (50, 10000)
    fake_data["risk.coverage_debt"]["xucun"] = (3, None)
    fake_data["enterprises.health_certificates"]["xucun"] = (0, 0)
    rnd = computed_round(city_staff)
    assert score(rnd, township_a).rank == score(rnd, township_b).rank == 1


def test_stars_from_the_thresholds(reference):
    scheme = AssessmentScheme.objects.get(version=1)
    assert [scheme.stars_for(D(x)) for x in ("95", "90", "89.99", "80", "70", "60", "59.99", "0")] == [
        5,
        5,
        4,
        4,
        3,
        2,
        1,
        1,
    ]
