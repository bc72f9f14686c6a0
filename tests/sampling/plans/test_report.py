"""The quota report (issue 10 point 3): the job builds the workbook (read back with python-calamine), reports
progress, is downloadable by who may see it; the Celery beat entry only creates the job, once a month."""

import datetime as dt
import io

import pytest
from django.conf import settings

from apps.common.jobs import job_run
from apps.common.models import Job, JobStatus
from apps.sampling.choices import SamplingPurpose
from apps.sampling.plans import services
from apps.sampling.plans.report import report_file_path
from tests.conftest import make_user

from .conftest import YEAR
from .helpers import Samples

pytestmark = pytest.mark.django_db
KIND = "sampling.quota_report"


@pytest.fixture(autouse=True)
def _media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def world(categories, rates, township_a, township_b):
    s = Samples(categories["veg"])
    s.add(township_a, on=dt.date(2026, 1, 5))
    s.add(township_a, on=dt.date(2026, 2, 5), category=categories["cooked"])
    s.add(township_a, on=dt.date(2026, 2, 6), purpose=SamplingPurpose.MONITORING, category=categories["meat"])
    s.add(township_a, on=dt.date(2026, 2, 7), quick=True)
    s.add(township_a, on=dt.date(2026, 11, 30))  # after the as-of day of the tests below
    s.add(township_b, on=dt.date(2026, 1, 9))
    return s


def _sheets(content: bytes) -> dict[str, list[list]]:
    import python_calamine

    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


def _run(actor, year=YEAR, as_of="2026-10-31"):
    job = Job.objects.create(kind=KIND, payload={"year": year, "as_of": as_of}, created_by=actor)
    assert job_run(job.pk) == JobStatus.DONE, Job.objects.get(pk=job.pk).error
    return Job.objects.get(pk=job.pk)


def test_the_workbook(city_staff, world):
    job = _run(city_staff)
    assert job.progress == 100 and job.result["rows"] > 0
    assert job.result["next_url"] == f"/sampling/quotas/report/{job.pk}/download/"
    sheets = _sheets(report_file_path(job.pk).read_bytes())
    assert list(sheets)[0] == "汇总" and list(sheets)[-1] == "导出说明" and len(sheets) == 14
    summary = sheets["汇总"]
    header = summary[0]
    assert header[:4] == ["镇街", "常住人口", "人口口径", "食品抽检配额（批次）"]
    xiashi = dict(zip(header, summary[1], strict=True))
    assert xiashi["镇街"] == "硖石街道" and xiashi["常住人口"] == 127950 and xiashi["人口口径"] == "2022 年（估算）"
    assert xiashi["食品抽检配额（批次）"] == 576 and xiashi["食品抽检已完成"] == 2  # the November one is after as-of
    assert xiashi["食品抽检缺口"] == 574 and xiashi["风险监测已完成"] == 1 and xiashi["快检（不计入配额）"] == 1
    assert xiashi["食品抽检每千人"] == pytest.approx(0.02) and xiashi["已覆盖大类"] == 2
    total = dict(zip(header, summary[-1], strict=True))
    assert total["镇街"] == "全市合计" and total["食品抽检配额（批次）"] == 4962 and total["食品抽检已完成"] == 3
    township = sheets["硖石街道"]
    assert township[0][:3] == ["食品大类", "品类风险程度", "食品抽检配额（批次）"]
    rows = {r[0]: dict(zip(township[0], r, strict=True)) for r in township[1:]}
    # 576 over hazards 5 / 3 / 1: 320, 192, 64
    assert [rows[n]["食品抽检配额（批次）"] for n in ("肉制品", "蔬菜", "饮料")] == [320, 192, 64]
    assert rows["肉制品"]["食品抽检已完成"] == 1 and rows["肉制品"]["风险监测已完成"] == 1  # 熟肉制品 → 肉制品
    assert rows["蔬菜"]["食品抽检已完成"] == 1 and rows["蔬菜"]["食品抽检缺口"] == 191
    assert rows["合计（各大类）"]["食品抽检配额（批次）"] == 576
    about = dict((r[0], r[1]) for r in sheets["导出说明"])
    assert about["统计截至"] == "2026-10-31" and "快检不计入" in about["计数口径"] and "估算" in about["人口口径"]


def test_the_job_is_idempotent(city_staff, world):
    job = _run(city_staff)
    path = report_file_path(job.pk)
    stamp = path.stat().st_mtime_ns
    Job.objects.filter(pk=job.pk).update(status=JobStatus.PENDING)
    assert job_run(job.pk) == JobStatus.DONE
    assert path.stat().st_mtime_ns == stamp


def test_a_system_report_covers_every_township(world):
    job = _run(None)
    summary = _sheets(report_file_path(job.pk).read_bytes())["汇总"]
    assert len(summary) == 14 and summary[-1][0] == "全市合计"


def test_on_demand_button_creates_the_job_and_goes_to_its_page(
    client, city_staff, world, django_capture_on_commit_callbacks
):
    client.force_login(city_staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/sampling/quotas/report/", {"year": str(YEAR)})
    job = Job.objects.get(kind=KIND)
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert job.created_by == city_staff and job.status == JobStatus.DONE
    detail = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "抽检配额报表" in detail and f"/sampling/quotas/report/{job.pk}/download/" in detail
    download = client.get(f"/sampling/quotas/report/{job.pk}/download/")
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content)[:2] == b"PK"
    overview = client.get("/sampling/quotas/", {"year": YEAR})
    assert [j.pk for j in overview.context["reports"]] == [job.pk]


def test_report_request_bad_input_and_permission(client, city_staff, staff_a, leader, world):
    client.force_login(city_staff)
    response = client.post("/sampling/quotas/report/", {"year": "1999"})
    assert response.status_code == 302 and not Job.objects.filter(kind=KIND).exists()
    for user in (staff_a, leader):
        client.force_login(user)
        assert client.post("/sampling/quotas/report/", {"year": str(YEAR)}).status_code == 403
    assert not Job.objects.filter(kind=KIND).exists()
    assert client.get("/sampling/quotas/report/", {"year": YEAR}).status_code in (403, 405)


def test_who_may_download(client, city_staff, staff_a, world):
    mine = _run(city_staff)
    monthly = _run(None)
    other = make_user("city_staff_2", "city_staff")
    client.force_login(other)
    assert client.get(f"/sampling/quotas/report/{monthly.pk}/download/").status_code == 200  # the monthly report
    assert client.get(f"/sampling/quotas/report/{mine.pk}/download/").status_code == 404  # someone else's
    client.force_login(staff_a)
    assert client.get(f"/sampling/quotas/report/{monthly.pk}/download/").status_code == 403
    client.force_login(city_staff)
    missing = "00000000-0000-0000-0000-000000000000"
    assert client.get(f"/sampling/quotas/report/{missing}/download/").status_code == 404


def test_a_pending_report_of_the_same_year_is_reused(city_staff, reference):
    first = services.quota_report_request(actor=city_staff, year=YEAR)
    again = services.quota_report_request(actor=city_staff, year=YEAR)
    assert first.pk == again.pk and Job.objects.filter(kind=KIND).count() == 1


# ------------------------------------------------------------------------------------------------ beat
def test_the_beat_entry(reference):
    entry = settings.CELERY_BEAT_SCHEDULE["sampling-quota-report-monthly"]
    assert entry["task"] == "sampling.quota_report_monthly"
    schedule = entry["schedule"]
    assert schedule.day_of_month == {1} and schedule.hour == {6} and schedule.minute == {0}
    from haining_foodsafety.celery import app

    app.loader.import_default_modules()  # what a worker and beat do at start-up (autodiscovery)
    assert "sampling.quota_report_monthly" in app.tasks


def test_the_beat_task_creates_one_job_per_month(reference):
    import time_machine

    from apps.sampling.plans.tasks import quota_report_monthly_task

    with time_machine.travel(dt.datetime(2026, 11, 1, 6, 0, tzinfo=dt.UTC), tick=False):
        first = quota_report_monthly_task.run()
        second = quota_report_monthly_task.run()
    assert first == second
    job = Job.objects.get(pk=first)
    assert job.kind == KIND and job.created_by is None
    assert job.payload == {"year": 2026, "as_of": "2026-10-31", "monthly": True}
    with time_machine.travel(dt.datetime(2027, 1, 1, 6, 0, tzinfo=dt.UTC), tick=False):
        january = Job.objects.get(pk=quota_report_monthly_task.run())
    assert january.payload["year"] == 2026 and january.payload["as_of"] == "2026-12-31"  # last year's whole year
