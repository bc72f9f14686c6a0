"""Monthly and annual reports (issue 12 point 6, docs/reports.md): the job's workbook and PDF carry the measures'
values against the targets (fake measures, hand-computed), beat creates one job per period, the list and the
downloads are scoped, bad form input is a Chinese 400."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from apps.assessment.campaigns.selectors import KpiTarget
from apps.common import measures as measures_module
from apps.common.measures import COUNT, RATE, Measure, MeasureValue, register_measure
from apps.common.models import Job, JobStatus
from apps.dashboard import reports
from apps.dashboard.models import Report, ReportKind
from apps.dashboard.tasks import report_annual_task, report_monthly_task

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
LAST = TODAY.replace(day=1) - dt.timedelta(days=1)  # the last day of the past month
CALLS = []
# kpi_targets' interface with the seed's numbers for these codes (the tests do not depend on the stored targets).
TARGETS = {
    "sampling.food_batches_per_1000": KpiTarget(
        "sampling.food_batches_per_1000", "食品抽检（批次/千人·年）", Decimal("4.5"), "township"
    ),
    "enterprises.rural_banquet_centres": KpiTarget(
        "enterprises.rural_banquet_centres", "农村家宴中心（个）", Decimal("150"), "city"
    ),
}


@pytest.fixture(autouse=True)
def _media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def _no_pdf(request, monkeypatch):
    """WeasyPrint takes a while per page: the tests that do not read the PDF write a placeholder."""
    if "real_pdf" not in request.fixturenames:
        monkeypatch.setattr(reports, "report_pdf", lambda data, township=None: b"%PDF-placeholder")


@pytest.fixture(autouse=True)
def fake_measures(monkeypatch, township_a, township_b):
    """Three measures with the interface of apps.common.measures, on codes that have seed targets (4.5 per township,
    150 for the city) and one without (lower is better). Only townships A and B have anything to count."""
    monkeypatch.setattr(measures_module, "_MEASURES", {})
    monkeypatch.setattr(reports, "kpi_targets", lambda *, year: TARGETS)
    CALLS.clear()
    a, b = township_a.pk, township_b.pk

    def per_township(values, city, *, denominators=None):
        def compute(actor, *, year, township_ids, as_of):
            CALLS.append((actor, year, as_of))
            out = {}
            for tid in township_ids:
                num = values.get(tid, 0)
                den = (denominators or {}).get(tid, 0) if denominators is not None else None
                out[tid] = MeasureValue(num, den, url=f"/x/?township={tid}")
            out[None] = MeasureValue(*city, url="/x/")
            return out

        return compute

    register_measure(
        Measure(
            code="sampling.food_batches_per_1000",
            label="食品抽检批次/千人",
            unit="批次/千人",
            kind=RATE,
            per=1000,
            order=1,
            compute=per_township({a: 9, b: 3}, (12, 2000), denominators={a: 1000, b: 1000}),
        )
    )
    register_measure(
        Measure(
            code="enterprises.rural_banquet_centres",
            label="农村家宴中心",
            unit="个",
            kind=COUNT,
            order=2,
            compute=per_township({a: 100, b: 20}, (120, None)),
        )
    )
    register_measure(
        Measure(
            code="risk.coverage_debt",
            label="逾期未检（覆盖欠账）",
            unit="家",
            kind=COUNT,
            higher_is_better=False,
            order=3,
            compute=per_township({a: 5, b: 7}, (12, None)),
        )
    )


def _sheets(content: bytes) -> dict[str, list[list]]:
    import python_calamine

    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


def _request(actor, django_capture_on_commit_callbacks, **kw):
    kw = kw or {"kind": "monthly", "year": LAST.year, "month": LAST.month}
    with django_capture_on_commit_callbacks(execute=True):
        job = reports.report_request(actor=actor, **kw)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    return job


def test_the_city_workbook_carries_the_measures_against_the_targets(
    city_staff, township_a, township_b, django_capture_on_commit_callbacks
):
    job = _request(city_staff, django_capture_on_commit_callbacks)
    assert job.progress == 100 and job.result["reports"] == 1 + 12  # the city and each of the 12 townships
    # The measures were computed as the creator, for the year to the end of the past month.
    assert {c[0] for c in CALLS} == {city_staff} and {(c[1], c[2]) for c in CALLS} == {(LAST.year, LAST)}
    city = Report.objects.get(job=job, township=None)
    assert (city.kind, city.year, city.month, city.as_of, city.scheduled) == (
        "monthly",
        LAST.year,
        LAST.month,
        LAST,
        False,
    )
    sheets = _sheets(reports.report_file_path(city, "xlsx").read_bytes())
    assert list(sheets) == ["指标汇总", "镇街对比", "未达目标", "导出说明"]
    summary = {row[0]: row for row in sheets["指标汇总"][1:]}
    # 12 batches / 2000 residents × 1000 = 6.00 ≥ 4.5: met, gap +1.5
    assert summary["食品抽检批次/千人"][2:8] == [6.0, 12.0, 2000.0, 4.5, 1.5, "达标"]
    # 120 centres against the city's 150: behind by 30
    assert summary["农村家宴中心"][2:8] == [120.0, 120.0, "", 150.0, -30.0, "未达目标"]
    # no target: shown, not compared
    assert summary["逾期未检（覆盖欠账）"][2] == 12.0 and summary["逾期未检（覆盖欠账）"][5:8] == ["", "", "—"]
    comparison = {row[0]: row[1:] for row in sheets["镇街对比"][1:]}
    assert comparison["目标"] == [4.5, 150.0, ""]
    assert comparison[township_a.name] == [9.0, 100.0, 5.0]  # 9 / 1000 × 1000
    assert comparison[township_b.name] == [3.0, 20.0, 7.0]
    assert comparison["全市"] == [6.0, 120.0, 12.0]
    assert len(comparison) == 1 + 12 + 1
    behind = [row[:5] for row in sheets["未达目标"][1:]]
    # The city's 150 centres, then township B's 3 batches per 1,000 (the 150 is not a township target); townships
    # with nothing counted have no value and are not listed.
    assert behind == [
        ["全市", "农村家宴中心", 120.0, 150.0, -30.0],
        [township_b.name, "食品抽检批次/千人", 3.0, 4.5, -1.5],
    ]
    assert city.behind_count == 2
    about = dict(row[:2] for row in sheets["导出说明"])
    assert about["统计期间"] == f"{LAST.year}-01-01 至 {LAST:%Y-%m-%d}（年度累计）"


def test_a_township_report_has_its_township_only(
    city_staff, township_a, township_b, django_capture_on_commit_callbacks
):
    job = _request(city_staff, django_capture_on_commit_callbacks)
    report_b = Report.objects.get(job=job, township=township_b)
    sheets = _sheets(reports.report_file_path(report_b, "xlsx").read_bytes())
    assert list(sheets) == ["指标汇总", "未达目标", "导出说明"]  # no comparison with the other townships
    summary = {row[0]: row for row in sheets["指标汇总"][1:]}
    assert summary["食品抽检批次/千人"][2:8] == [3.0, 3.0, 1000.0, 4.5, -1.5, "未达目标"]
    assert summary["农村家宴中心"][2] == 20.0 and summary["农村家宴中心"][5] == ""  # a city target: not compared
    assert [row[:5] for row in sheets["未达目标"][1:]] == [[township_b.name, "食品抽检批次/千人", 3.0, 4.5, -1.5]]
    assert report_b.behind_count == 1
    assert township_a.name not in str(sheets)


@pytest.fixture
def real_pdf():
    """Asked for by the tests that render the PDF for real (WeasyPrint + Noto CJK)."""


def test_the_pdf_has_the_chinese_title_and_the_townships(
    real_pdf, city_staff, township_a, django_capture_on_commit_callbacks, monkeypatch
):
    from pypdf import PdfReader

    data = reports.report_data(reader=city_staff, period=reports.Period(ReportKind.ANNUAL, LAST.year))
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(reports.report_pdf(data))).pages)
    compact = text.replace(" ", "").replace("\n", "")
    assert f"海宁市食品安全工作{LAST.year}年年报" in compact
    assert township_a.name in compact and "镇街对比" in compact and "未达目标事项" in compact
    assert "农村家宴中心" in compact


def test_the_job_writes_real_pdfs(real_pdf, city_staff, township_a, django_capture_on_commit_callbacks, monkeypatch):
    from pypdf import PdfReader

    from apps.accounts.models import Township

    Township.objects.exclude(pk=township_a.pk).update(is_active=False)  # one township: two PDFs, quickly
    job = _request(city_staff, django_capture_on_commit_callbacks, kind="annual", year=LAST.year)
    report = Report.objects.get(job=job, township=township_a)
    text = "".join(p.extract_text() for p in PdfReader(reports.report_file_path(report, "pdf")).pages)
    compact = text.replace(" ", "").replace("\n", "")
    assert f"海宁市食品安全工作{LAST.year}年年报" in compact and township_a.name in compact


def test_beat_creates_one_job_per_period(django_capture_on_commit_callbacks):
    monthly = settings.CELERY_BEAT_SCHEDULE["dashboard-report-monthly"]
    assert monthly["task"] == "dashboard.report_monthly" and monthly["schedule"].day_of_month == {1}
    annual = settings.CELERY_BEAT_SCHEDULE["dashboard-report-annual"]
    assert annual["task"] == "dashboard.report_annual"
    assert annual["schedule"].day_of_month == {1} and annual["schedule"].month_of_year == {1}
    with django_capture_on_commit_callbacks(execute=True):
        first = report_monthly_task()
    with django_capture_on_commit_callbacks(execute=True):
        second = report_monthly_task()  # beat firing twice
    assert first == second
    assert Job.objects.filter(kind=reports.REPORT_KIND).count() == 1
    job = Job.objects.get(pk=first)
    assert job.status == JobStatus.DONE and job.created_by is None
    assert job.payload == {"kind": "monthly", "year": LAST.year, "month": LAST.month, "scheduled": True}
    assert Report.objects.filter(job=job).count() == 13 and Report.objects.filter(job=job, scheduled=True).count() == 13
    # The system reads city-wide.
    assert all(isinstance(c[0], reports.SystemReader) for c in CALLS)
    with django_capture_on_commit_callbacks(execute=True):
        a1 = report_annual_task()
        a2 = report_annual_task()
    assert a1 == a2 and Job.objects.filter(kind=reports.REPORT_KIND).count() == 2
    assert Report.objects.get(job_id=a1, township=None).period_label == f"{TODAY.year - 1} 年"


def test_demo_reports_command_makes_last_months_report_once(django_capture_on_commit_callbacks):
    """`make run` (setup_demo with a demo registry) ends with last month's report, as the beat makes it; run twice,
    one job."""
    from django.core.management import call_command

    outputs = []
    for _ in range(2):
        out = io.StringIO()
        with django_capture_on_commit_callbacks(execute=True):
            call_command("seed_demo_reports", stdout=out)
        outputs.append(out.getvalue())
    job = Job.objects.get(kind=reports.REPORT_KIND)
    assert job.status == JobStatus.DONE and job.payload["month"] == LAST.month and job.payload["scheduled"] is True
    assert Report.objects.filter(job=job).count() == 13
    # (under the test transaction the job runs when the capture ends, after the first run has printed)
    assert f"{LAST.year} 年 {LAST.month} 月月报已生成" in outputs[1]


def test_beat_periods():
    assert reports.monthly_report_create(today=dt.date(2026, 1, 1)).payload["month"] == 12
    job = reports.monthly_report_create(today=dt.date(2026, 1, 1))  # same period: the same job
    assert job.payload["year"] == 2025 and Job.objects.filter(kind=reports.REPORT_KIND).count() == 1
    assert reports.annual_report_create(today=dt.date(2026, 1, 1)).payload == {
        "kind": "annual",
        "year": 2025,
        "month": None,
        "scheduled": True,
    }
    assert reports.Period(ReportKind.MONTHLY, 2024, 2).as_of == dt.date(2024, 2, 29)
    assert reports.Period(ReportKind.MONTHLY, 2025, 12).as_of == dt.date(2025, 12, 31)


def test_a_redelivered_job_changes_nothing(city_staff, django_capture_on_commit_callbacks):
    from apps.common.jobs import job_run

    job = _request(city_staff, django_capture_on_commit_callbacks)
    ids = set(Report.objects.filter(job=job).values_list("pk", flat=True))
    Job.objects.filter(pk=job.pk).update(status=JobStatus.PENDING)
    assert job_run(job.pk) == JobStatus.DONE
    assert set(Report.objects.filter(job=job).values_list("pk", flat=True)) == ids


# ------------------------------------------------------------------------------------------------ pages
def _city_and_township_reports(city_staff, django_capture_on_commit_callbacks):
    job = _request(city_staff, django_capture_on_commit_callbacks)
    return {r.township_id: r for r in Report.objects.filter(job=job)}


def test_the_list_is_scoped(
    client, city_staff, leader, staff_a, township_a, township_b, django_capture_on_commit_callbacks
):
    by_township = _city_and_township_reports(city_staff, django_capture_on_commit_callbacks)
    url = reverse("dashboard_reports:list")
    client.force_login(staff_a)
    page = client.get(url)
    assert page.status_code == 200
    assert [r.pk for r in page.context["page"]] == [by_township[township_a.pk].pk]
    assert "生成报告" not in page.content.decode()  # a township cannot generate
    client.force_login(leader)
    page = client.get(url)
    assert page.context["page"].paginator.count == 13 and page.context["page"][0].township_id is None
    assert "生成报告" in page.content.decode()
    page = client.get(url, {"township": township_b.pk, "kind": "", "year": "", "month": ""})
    assert [r.pk for r in page.context["page"]] == [by_township[township_b.pk].pk]
    page = client.get(url, {"township": "city"})
    assert [r.pk for r in page.context["page"]] == [by_township[None].pk]
    page = client.get(url, {"month": "13"})  # an invalid filter: the error beside the form, no rows
    assert page.status_code == 200 and page.context["page"].paginator.count == 0 and page.context["filter_errors"]
    client.force_login(staff_a)
    page = client.get(url, {"township": str(township_b.pk)})  # another township: nothing, not an error
    assert page.context["page"].paginator.count == 0


def test_the_downloads_are_scoped(
    client, city_staff, leader, staff_a, staff_b, township_a, township_b, django_capture_on_commit_callbacks
):
    by_township = _city_and_township_reports(city_staff, django_capture_on_commit_callbacks)
    own, other, city = by_township[township_a.pk], by_township[township_b.pk], by_township[None]
    dl = lambda r, f: reverse("dashboard_reports:download", args=[r.pk, f])  # noqa: E731
    client.force_login(staff_a)
    response = client.get(dl(own, "xlsx"))
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert b"".join(response.streaming_content)[:2] == b"PK"
    assert client.get(dl(own, "pdf")).status_code == 200
    assert client.get(dl(other, "xlsx")).status_code == 404  # another township's: does not exist for them
    assert client.get(dl(city, "pdf")).status_code == 404  # the city's compares every township
    client.force_login(leader)
    assert client.get(dl(city, "xlsx")).status_code == 200 and client.get(dl(other, "pdf")).status_code == 200
    assert client.get(dl(city, "doc")).status_code == 404


def test_the_form_starts_a_job(client, leader, django_capture_on_commit_callbacks):
    client.force_login(leader)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("dashboard_reports:generate"), {"kind": "annual", "year": LAST.year, "month": ""}
        )
    job = Job.objects.get(kind=reports.REPORT_KIND)
    assert response.status_code == 302 and response["Location"] == reverse("jobs:detail", kwargs={"pk": job.pk})
    job.refresh_from_db()
    assert job.created_by == leader and job.status == JobStatus.DONE
    assert job.result["next_url"] == reverse("dashboard_reports:list") + f"?kind=annual&year={LAST.year}"
    page = client.get(job.result["next_url"])
    assert page.context["page"].paginator.count == 13


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "weekly", "year": "2025"}, "报告类型应为“月报”或“年报”"),
        ({"kind": "monthly", "year": "abc", "month": "1"}, "年度应为整数"),
        ({"kind": "monthly", "year": "1999", "month": "1"}, "年度应在 2000–"),
        ({"kind": "monthly", "year": "2025", "month": ""}, "月报须选择月份（1–12）"),
        ({"kind": "monthly", "year": "2025", "month": "13"}, "月份应在 1–12 之间"),
        ({"kind": "annual", "year": "2025", "month": "3"}, "年报不选月份"),
        ({"kind": "annual", "year": str(TODAY.year + 1), "month": ""}, "年度应在 2000–"),
        ({}, "请选择报告类型"),
    ],
)
def test_bad_form_input_is_a_chinese_400(client, city_staff, data, message):
    client.force_login(city_staff)
    response = client.post(reverse("dashboard_reports:generate"), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Job.objects.filter(kind=reports.REPORT_KIND).exists()


def test_a_future_month_is_refused(client, city_staff):
    nxt = TODAY.replace(day=28) + dt.timedelta(days=5)
    client.force_login(city_staff)
    response = client.post(
        reverse("dashboard_reports:generate"), {"kind": "monthly", "year": nxt.year, "month": nxt.month}
    )
    assert response.status_code == 400
    assert ("不能生成尚未开始的月份的月报" if nxt.year == TODAY.year else "年度应在") in response.content.decode()


def test_permissions(client, staff_a, user_without_perms):
    client.force_login(staff_a)
    assert client.get(reverse("dashboard_reports:generate")).status_code == 403
    assert client.post(reverse("dashboard_reports:generate"), {"kind": "annual", "year": "2025"}).status_code == 403
    with pytest.raises(Exception) as exc:
        reports.report_request(actor=staff_a, kind="annual", year=2025)
    assert type(exc.value).__name__ == "PermissionDenied"
    client.force_login(user_without_perms)
    assert client.get(reverse("dashboard_reports:list")).status_code == 403


def test_the_list_runs_a_constant_number_of_queries(client, leader, city_staff, django_capture_on_commit_callbacks):
    from tests.helpers.queries import assert_constant_queries

    client.force_login(leader)
    months = iter(range(1, 13))

    def add(n):
        for _ in range(n):
            _request(
                city_staff, django_capture_on_commit_callbacks, kind="monthly", year=LAST.year - 1, month=next(months)
            )

    assert_constant_queries(lambda: client.get(reverse("dashboard_reports:list")), add, first=1, second=3)


def test_the_report_data_runs_one_compute_per_measure(city_staff):
    data = reports.report_data(reader=city_staff, period=reports.Period(ReportKind.ANNUAL, 2025))
    assert len(CALLS) == 3 and [r.measure.code for r in data.rows][0] == "sampling.food_batches_per_1000"
    assert data.rows[0].city.value.value == Decimal("6.00")
