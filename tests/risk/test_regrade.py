"""Yearly regrade: idempotent, set-based (query count independent of N), run as a job with progress, on 1 January."""

import datetime as dt

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.common.models import AuditEvent, Job
from apps.risk import services
from apps.risk.models import RiskAssessment, RiskEvent
from apps.risk.tasks import regrade_yearly_task

pytestmark = pytest.mark.django_db


def test_regrade_is_idempotent(city_staff, enterprise_factory, township_a, township_b):
    ents = [enterprise_factory(township_a) for _ in range(3)] + [enterprise_factory(township_b, "food_sales", ["S01"])]
    enterprise_factory(township_a, cancelled=True)  # not operating: not graded
    first = services.regrade_year(year=2025, actor=city_staff)
    assert (first["enterprises"], first["created"], first["unchanged"]) == (4, 4, 0)
    snapshot = list(RiskAssessment.objects.order_by("pk").values_list("pk", "grade", "total_score", "updated_at"))
    again = services.regrade_year(year=2025, actor=city_staff)
    assert (again["created"], again["unchanged"]) == (0, 4)
    assert (
        list(RiskAssessment.objects.order_by("pk").values_list("pk", "grade", "total_score", "updated_at")) == snapshot
    )
    assert RiskAssessment.objects.filter(is_current=True).count() == len(ents)


def test_regrade_supersedes_the_previous_year(city_staff, enterprise_factory, township_a):
    ent = enterprise_factory(township_a, "small_restaurant", ["C01"], "micro")
    services.regrade_year(year=2024, actor=city_staff)
    RiskEvent.objects.create(enterprise=ent, event_type="incident", occurred_on=dt.date(2024, 8, 1), description="x")
    services.regrade_year(year=2025, actor=city_staff)
    rows = list(
        RiskAssessment.objects.filter(enterprise=ent).order_by("year").values_list("year", "grade", "is_current")
    )
    assert rows == [(2024, "A", False), (2025, "C", True)]


def test_a_later_single_assessment_stays_current(city_staff, enterprise_factory, township_a):
    ent = enterprise_factory(township_a)
    manual = services.assessment_recompute(enterprise_id=ent.pk, actor=city_staff, on=dt.date(2025, 3, 1))
    services.regrade_year(year=2025, actor=city_staff)  # dated 1 January: older than the manual grade
    manual.refresh_from_db()
    assert manual.is_current
    assert RiskAssessment.objects.get(enterprise=ent, kind="yearly").is_current is False


def test_query_count_does_not_grow_with_enterprises(city_staff, enterprise_factory, township_a):
    def run(year, chunk_size=100):
        with CaptureQueriesContext(connection) as ctx:
            services.regrade_year(year=year, actor=None, chunk_size=chunk_size)
        return len(ctx)

    for _ in range(3):
        enterprise_factory(township_a)
    run(2023)  # everyone has a current grade from here on
    small = run(2024)
    for _ in range(30):
        e = enterprise_factory(township_a, "food_production", ["P05", "P14"], "large")
        RiskEvent.objects.create(
            enterprise=e, event_type="failed_sample", occurred_on=dt.date(2024, 5, 1), description="x"
        )
    run(2023)
    big = run(2025)
    assert small == big, (small, big)
    # 33 enterprises in 3 chunks of 11: a constant number of queries per extra chunk
    per_chunk = (run(2026, chunk_size=11) - big) / 2
    assert per_chunk == int(per_chunk) and per_chunk <= 16, per_chunk


def test_regrade_runs_as_a_job_with_progress(
    city_staff, enterprise_factory, township_a, django_capture_on_commit_callbacks
):
    enterprise_factory(township_a)
    with django_capture_on_commit_callbacks(execute=True):
        job = services.regrade_start(year=2025, actor=city_staff)
    job.refresh_from_db()
    assert (job.kind, job.status, job.progress) == ("risk.regrade", "done", 100)
    assert job.result["created"] == 1 and job.result["year"] == 2025
    assert AuditEvent.objects.filter(action="risk.regrade").exists()


def test_regrade_needs_permission(staff_a):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.regrade_start(year=2025, actor=staff_a)


def test_beat_schedules_the_regrade_on_1_january_once(
    enterprise_factory, township_a, django_capture_on_commit_callbacks
):
    entry = settings.CELERY_BEAT_SCHEDULE["risk-regrade-yearly"]
    assert entry["task"] == "risk.regrade_yearly"
    schedule = entry["schedule"]
    assert schedule.month_of_year == {1} and schedule.day_of_month == {1}
    enterprise_factory(township_a)
    with django_capture_on_commit_callbacks(execute=True):
        first = regrade_yearly_task(2025)
    with django_capture_on_commit_callbacks(execute=True):
        second = regrade_yearly_task(2025)  # beat firing twice
    assert first == second
    assert Job.objects.filter(kind="risk.regrade").count() == 1
    assert RiskAssessment.objects.filter(year=2025, kind="yearly").count() == 1
