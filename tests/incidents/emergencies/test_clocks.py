"""The first-report clock (hours, not working days), its states, and the timeliness figures per township that the
list filter reproduces row for row."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.incidents.emergencies import selectors as sel
from apps.incidents.emergencies.contrib import rows_url
from apps.incidents.models.emergencies import ReportKind
from apps.incidents.timeliness import measures

from .helpers import H, new_incident, report

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def test_a_two_hour_clock_runs_across_midnight_and_ignores_holidays(township_a, time_machine):
    # 2026-09-30 23:10 (the eve of the National Day holiday): due 2026-10-01 01:10, a holiday, at night
    time_machine.move_to(dt.datetime(2026, 10, 1, 0, 30, tzinfo=SH), tick=False)
    learned = dt.datetime(2026, 9, 30, 23, 10, tzinfo=SH)
    inc = new_incident(township_a, learned_at=learned)
    assert timezone.localtime(inc.first_report_due) == dt.datetime(2026, 10, 1, 1, 10, tzinfo=SH)
    clock = sel.first_report_clock(inc)
    assert clock.state == "running" and clock.time_text == "剩余 0 小时 40 分"
    late = sel.first_report_clock(inc, now=dt.datetime(2026, 10, 1, 1, 11, tzinfo=SH))
    assert late.state == "overdue" and late.time_text == "已超时 0 小时 01 分"
    at_due = sel.first_report_clock(inc, now=dt.datetime(2026, 10, 1, 1, 10, tzinfo=SH))
    assert at_due.state == "running"


def test_reported_at_the_deadline_is_on_time_a_minute_later_is_late(township_a):
    a = new_incident(township_a, learned_at=timezone.now() - 5 * H)
    report(a, ReportKind.INITIAL, at=a.learned_at + 2 * H)
    b = new_incident(township_a, learned_at=timezone.now() - 5 * H)
    report(b, ReportKind.INITIAL, at=b.learned_at + 2 * H + dt.timedelta(minutes=1))
    a.refresh_from_db()
    b.refresh_from_db()
    assert sel.first_report_clock(a).state == "on_time"
    assert sel.first_report_clock(b).state == "late" and sel.first_report_clock(b).state_label == "超时初报"


@pytest.fixture
def spread(township_a, township_b):
    now = timezone.now()
    on_time = new_incident(township_a, learned_at=now - 5 * H)
    report(on_time, ReportKind.INITIAL, at=on_time.learned_at + H)
    late = new_incident(township_a, learned_at=now - 5 * H)
    report(late, ReportKind.INITIAL, at=late.learned_at + 3 * H)
    overdue = new_incident(township_a, learned_at=now - 3 * H)  # not reported, past due
    running = new_incident(township_a, learned_at=now - dt.timedelta(minutes=30))  # not reported, inside the window
    city_level = new_incident(None, learned_at=now - 4 * H)  # no township, overdue
    other = new_incident(township_b, learned_at=now - 4 * H)
    report(other, ReportKind.INITIAL, at=other.learned_at + H)
    last_year = new_incident(township_a, learned_at=now.replace(year=now.year - 1))
    return {
        "on_time": on_time,
        "late": late,
        "overdue": overdue,
        "running": running,
        "city": city_level,
        "other": other,
        "last_year": last_year,
    }


def test_timeliness_per_township_counts_reported_or_overdue(spread, city_staff, township_a, township_b):
    year = timezone.localdate().year
    counts = sel.first_report_timeliness(city_staff, year=year)
    assert counts == {township_a.pk: (1, 3), township_b.pk: (1, 1), None: (0, 1)}


def test_timeliness_is_scoped(spread, staff_a, township_a):
    assert sel.first_report_timeliness(staff_a, year=timezone.localdate().year) == {township_a.pk: (1, 3)}


def test_pending_first_report_count(spread, city_staff, staff_a, staff_b):
    assert sel.pending_first_report_count(city_staff) == 4  # overdue, running, city-level, last year's
    assert sel.pending_first_report_count(staff_a) == 3
    assert sel.pending_first_report_count(staff_b) == 0


def _rows(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return {inc.pk for inc in response.context["page"]}


def test_the_registered_measure_links_to_exactly_its_rows(client, spread, city_staff, township_a, township_b):
    measure = next(m for m in measures() if m.key == "incident_first_report")
    assert measure.label == "按时初报"
    client.force_login(city_staff)
    year = timezone.localdate().year
    counts = measure.counts(city_staff, year=year)
    for township, key in ((township_a.pk, township_a.pk), (township_b.pk, township_b.pk), ("none", None)):
        on_time, total = counts[key]
        assert len(_rows(client, measure.rows_url(year=year, township=township, on_time=True))) == on_time
        assert len(_rows(client, measure.rows_url(year=year, township=township, on_time=False))) == total - on_time
        assert len(_rows(client, measure.rows_url(year=year, township=township, on_time=None))) == total
    all_rows = _rows(client, rows_url(year=year, township=None, on_time=None))
    assert all_rows == {spread[k].pk for k in ("on_time", "late", "overdue", "city", "other")}


def test_first_report_filter_values(client, spread, city_staff):
    client.force_login(city_staff)
    url = reverse("incidents:incidents")
    assert _rows(client, f"{url}?first_report=overdue") == {spread[k].pk for k in ("overdue", "city", "last_year")}
    assert _rows(client, f"{url}?first_report=pending") == {
        spread[k].pk for k in ("overdue", "running", "city", "last_year")
    }
    assert _rows(client, f"{url}?first_report=late") == {spread[k].pk for k in ("late", "overdue", "city", "last_year")}


def test_configured_followup_and_final_clocks(township_a):
    from apps.incidents.models.emergencies import IncidentRules

    IncidentRules.objects.create(effective_from=dt.date(2020, 1, 1), followup_interval_hours=24, final_report_days=7)
    inc = new_incident(township_a, learned_at=timezone.now() - 3 * H)
    report(inc, ReportKind.INITIAL, at=inc.learned_at + H)
    inc.refresh_from_db()
    labels = {k.label: k.due for k in sel.other_clocks(inc)}
    assert labels == {"下次续报": inc.learned_at + 25 * H, "终报": inc.learned_at + dt.timedelta(days=7)}
