"""Working-day calendar (issue #2 point 7): chinese-calendar with 调休, CalendarOverride wins, Mon–Fri fallback."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.common.models import CalendarOverride
from apps.common.workdays import (
    SOURCE_CHINESE_CALENDAR,
    SOURCE_FALLBACK,
    SOURCE_OVERRIDE,
    WorkdayCalendar,
    add_working_days,
    calendar_status,
    calendar_warnings,
    is_working_day,
    working_days_between,
)

pytestmark = pytest.mark.django_db
D = dt.date


# ------------------------------------------------------------------------------------------------ fixed examples
def test_ten_working_days_after_2025_09_28_is_2025_10_17():
    # 9-28 (Sun) and 10-11 (Sat) are make-up working days; 10-01..10-08 National Day + Mid-Autumn holiday.
    assert add_working_days(D(2025, 9, 28), 10) == D(2025, 10, 17)
    assert working_days_between(D(2025, 9, 28), D(2025, 10, 17)) == 10


def test_two_working_days_after_2026_02_13_is_2026_02_24():
    # 2-14 (Sat) is a make-up working day, 2-15..2-23 the Spring Festival holiday.
    assert add_working_days(D(2026, 2, 13), 2) == D(2026, 2, 24)
    assert working_days_between(D(2026, 2, 13), D(2026, 2, 24)) == 2


def test_is_working_day_knows_holidays_and_make_up_days():
    assert is_working_day(D(2025, 9, 28))  # Sunday, 调休 working day
    assert not is_working_day(D(2025, 10, 1))  # National Day
    assert is_working_day(D(2025, 10, 9))
    assert not is_working_day(D(2025, 10, 12))  # ordinary Sunday
    assert is_working_day(dt.datetime(2025, 10, 9, 23, 59))  # datetimes are taken by their date


def test_interval_is_exclusive_of_start_inclusive_of_end():
    assert working_days_between(D(2025, 10, 9), D(2025, 10, 9)) == 0
    assert working_days_between(D(2025, 10, 9), D(2025, 10, 10)) == 1  # Thu -> Fri: Friday counts
    assert working_days_between(D(2025, 10, 17), D(2025, 10, 20)) == 1  # Fri -> Mon: only Monday
    assert working_days_between(D(2025, 10, 10), D(2025, 10, 13)) == 2  # ... unless Saturday is a 调休 day (10-11)
    assert working_days_between(D(2025, 10, 20), D(2025, 10, 17)) == -1
    assert add_working_days(D(2025, 10, 9), 0) == D(2025, 10, 9)
    assert add_working_days(D(2025, 10, 20), -1) == D(2025, 10, 17)  # backwards: the working day before
    assert add_working_days(D(2025, 10, 9), -1) == D(2025, 9, 30)  # skips the holiday week


# ------------------------------------------------------------------------------------------------ overrides
def test_override_wins_over_chinese_calendar():
    # A typhoon day off on an ordinary Thursday, and a Saturday made a working day.
    CalendarOverride.objects.create(date=D(2025, 10, 16), is_workday=False, note="台风停工")
    CalendarOverride.objects.create(date=D(2025, 10, 18), is_workday=True, note="补班")
    assert not is_working_day(D(2025, 10, 16))
    assert is_working_day(D(2025, 10, 18))
    # 9-29, 9-30, 10-09, 10-10, 10-11, 10-13, 10-14, 10-15, 10-17, 10-18
    assert add_working_days(D(2025, 9, 28), 10) == D(2025, 10, 18)
    # An override may also turn a statutory holiday into a working day.
    CalendarOverride.objects.create(date=D(2025, 10, 8), is_workday=True)
    assert is_working_day(D(2025, 10, 8))
    assert calendar_status(2025) == SOURCE_CHINESE_CALENDAR


def test_override_lookups_are_cached_per_call_not_per_day():
    CalendarOverride.objects.create(date=D(2025, 12, 31), is_workday=False)
    with CaptureQueriesContext(connection) as ctx:
        add_working_days(D(2025, 9, 28), 20)
    assert len(ctx) == 1  # one query for the year's overrides, not one per day
    with CaptureQueriesContext(connection) as ctx:
        assert working_days_between(D(2025, 12, 1), D(2026, 1, 31)) > 0
    assert len(ctx) == 2  # one per calendar year touched
    calendar = WorkdayCalendar()
    with CaptureQueriesContext(connection) as ctx:
        for n in range(1, 30):
            add_working_days(D(2025, 3, 1), n, calendar=calendar)
    assert len(ctx) == 1  # a shared calendar reuses its cache


# ------------------------------------------------------------------------------------------------ fallback years
def test_2027_falls_back_to_monday_to_friday_and_is_flagged():
    assert calendar_status(2027) == SOURCE_FALLBACK
    assert calendar_warnings([2025, 2027, 2027]) == ["2027 年节假日安排尚未加载，按周一至周五计算工作日"]
    assert calendar_warnings([D(2026, 12, 30), D(2027, 1, 8)]) == ["2027 年节假日安排尚未加载，按周一至周五计算工作日"]
    assert calendar_warnings([2026]) == []
    assert is_working_day(D(2027, 1, 1))  # New Year's Day is a Friday; unknown here, so a working day
    assert not is_working_day(D(2027, 1, 2))
    assert add_working_days(D(2027, 1, 1), 5) == D(2027, 1, 8)
    assert calendar_status(2003) == SOURCE_FALLBACK


def test_a_year_entered_as_overrides_is_not_flagged():
    CalendarOverride.objects.create(date=D(2027, 1, 1), is_workday=False, note="元旦")
    assert calendar_status(2027) == SOURCE_OVERRIDE
    assert calendar_warnings([2027]) == []
    assert not is_working_day(D(2027, 1, 1))
    assert add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 4)


# ------------------------------------------------------------------------------------------------ properties
dates = st.dates(min_value=D(2004, 1, 1), max_value=D(2028, 12, 31))
counts = st.integers(min_value=1, max_value=60)
PROPERTY_SETTINGS = settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@PROPERTY_SETTINGS
@given(start=dates, n=counts)
def test_result_is_a_working_day_and_counts_back(start, n):
    end = add_working_days(start, n)
    assert end > start
    assert is_working_day(end)
    assert working_days_between(start, end) == n
    assert working_days_between(start, end - dt.timedelta(days=1)) == n - 1  # it is the first such day


@PROPERTY_SETTINGS
@given(start=dates, n=counts, m=counts)
def test_monotonic_in_n_and_in_start(start, n, m):
    assert (add_working_days(start, n) < add_working_days(start, n + m)) is True
    later_start = start + dt.timedelta(days=m)
    assert add_working_days(start, n) <= add_working_days(later_start, n)


@PROPERTY_SETTINGS
@given(start=dates, n=counts)
def test_backwards_then_forwards_returns_to_a_working_day(start, n):
    if not is_working_day(start):
        start = add_working_days(start, 1)
    back = add_working_days(start, -n)
    assert is_working_day(back) and back < start
    assert add_working_days(back, n) == start
    assert working_days_between(back, start) == n
