"""Working-day arithmetic for legal deadlines (issue #2, point 7).

Whether a day is a working day is decided, in this order, by:

1. a ``CalendarOverride`` row for that date (set by the city; wins over everything);
2. ``chinese_calendar`` — the State Council holiday schedule with 调休 make-up working days, known for 2004–2026
   in the pinned version (it raises ``NotImplementedError`` for other years);
3. Monday–Friday, for years neither of the above covers. Such years are flagged: ``calendar_warnings`` returns
   the Chinese message the UI shows next to any deadline computed in them.

A year that chinese-calendar does not know counts as *loaded* once it has CalendarOverride rows: the city enters
the whole published schedule for it (holidays on weekdays as rest days, make-up weekend days as working days).

Intervals: ``working_days_between(a, b)`` counts the working days in ``(a, b]`` — exclusive of ``a``, inclusive
of ``b`` — the way a deadline "N working days after a" is counted, so
``working_days_between(d, add_working_days(d, n)) == n``. If ``b < a`` the result is the negative count of
``(b, a]``.

Overrides are read once per calendar year per call (not once per day); pass a ``WorkdayCalendar`` to share the
cache across many computations in one request or job.
"""

import datetime as dt
from collections.abc import Iterable

import chinese_calendar

from .models import CalendarOverride

SOURCE_CHINESE_CALENDAR = "chinese_calendar"
SOURCE_OVERRIDE = "override"
SOURCE_FALLBACK = "fallback"

FALLBACK_WARNING = "{year} 年节假日安排尚未加载，按周一至周五计算工作日"

# Safety net against a runaway loop (e.g. a whole year of overrides marked as rest days).
_MAX_SCAN_DAYS = 366 * 5


def chinese_calendar_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(dt.date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


class WorkdayCalendar:
    """Memoises override rows per year; one instance per request/job is fine, it is not shared across threads."""

    def __init__(self):
        self._overrides: dict[int, dict[dt.date, bool]] = {}
        self._known: dict[int, bool] = {}

    def overrides_for_year(self, year: int) -> dict[dt.date, bool]:
        if year not in self._overrides:
            rows = CalendarOverride.objects.filter(
                date__gte=dt.date(year, 1, 1), date__lte=dt.date(year, 12, 31)
            ).values_list("date", "is_workday")
            self._overrides[year] = dict(rows)
        return self._overrides[year]

    def knows(self, year: int) -> bool:
        if year not in self._known:
            self._known[year] = chinese_calendar_knows(year)
        return self._known[year]

    def is_working_day(self, day: dt.date) -> bool:
        day = _as_date(day)
        override = self.overrides_for_year(day.year).get(day)
        if override is not None:
            return override
        if self.knows(day.year):
            return chinese_calendar.is_workday(day)
        return day.weekday() < 5

    def status(self, year: int) -> str:
        if self.knows(year):
            return SOURCE_CHINESE_CALENDAR
        if self.overrides_for_year(year):
            return SOURCE_OVERRIDE
        return SOURCE_FALLBACK

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        start = _as_date(start)
        if n == 0:
            return start
        step = dt.timedelta(days=1 if n > 0 else -1)
        remaining = abs(n)
        day = start
        scanned = 0
        while remaining:
            day += step
            scanned += 1
            if scanned > _MAX_SCAN_DAYS + abs(n) * 7:
                raise ValueError("工作日日历异常：长期没有工作日，请检查工作日调整设置")
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, a: dt.date, b: dt.date) -> int:
        a, b = _as_date(a), _as_date(b)
        if b < a:
            return -self.working_days_between(b, a)
        count = 0
        day = a + dt.timedelta(days=1)
        while day <= b:
            count += self.is_working_day(day)
            day += dt.timedelta(days=1)
        return count


def _as_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raise TypeError(f"expected a date, got {type(value).__name__}")


def is_working_day(day: dt.date, *, calendar: WorkdayCalendar | None = None) -> bool:
    return (calendar or WorkdayCalendar()).is_working_day(day)


def add_working_days(start: dt.date, n: int, *, calendar: WorkdayCalendar | None = None) -> dt.date:
    """The n-th working day after ``start`` (``start`` itself is not counted; n=0 returns ``start``).

    A negative n counts backwards: the |n|-th working day before ``start``."""
    return (calendar or WorkdayCalendar()).add_working_days(start, n)


def working_days_between(a: dt.date, b: dt.date, *, calendar: WorkdayCalendar | None = None) -> int:
    """Working days in ``(a, b]`` (exclusive of a, inclusive of b); negative when b is before a."""
    return (calendar or WorkdayCalendar()).working_days_between(a, b)


def calendar_status(year: int, *, calendar: WorkdayCalendar | None = None) -> str:
    """``"chinese_calendar"``, ``"override"`` (year entered by the city) or ``"fallback"`` (Monday–Friday)."""
    return (calendar or WorkdayCalendar()).status(year)


def calendar_warnings(years: Iterable[int | dt.date], *, calendar: WorkdayCalendar | None = None) -> list[str]:
    """Chinese warnings for the years whose working days are only a Monday–Friday guess, in year order.

    Accepts years or dates (e.g. ``calendar_warnings([start, deadline])``)."""
    calendar = calendar or WorkdayCalendar()
    wanted = sorted({y.year if isinstance(y, dt.date) else int(y) for y in years})
    return [FALLBACK_WARNING.format(year=year) for year in wanted if calendar.status(year) == SOURCE_FALLBACK]


def missing_calendar_years(*, today: dt.date | None = None, ahead: int = 1, calendar: WorkdayCalendar | None = None):
    """Years from this one to ``ahead`` years on whose working days are only the Monday–Friday guess.

    Clocks started now (20 working days for publication, rectification deadlines) run into next year, so the
    home page of the city staff and the calendar page name these years until their schedule is entered.
    """
    from django.utils import timezone

    calendar = calendar or WorkdayCalendar()
    year = (today or timezone.localdate()).year
    return [y for y in range(year, year + ahead + 1) if calendar.status(y) == SOURCE_FALLBACK]


# ---------------------------------------------------------------------------- apps that store computed deadlines
# A stored deadline computed on the Monday–Friday fallback is wrong once the year's schedule is entered. An app
# that stores such dates registers a listener (in its AppConfig.ready); the calendar service calls every listener
# inside its transaction with the years that changed and a fresh calendar, and records what they moved.
_CALENDAR_LISTENERS: list = []


def register_calendar_listener(fn) -> None:
    """``fn(*, years: set[int], calendar: WorkdayCalendar, actor) -> dict`` (a summary for the audit event)."""
    if fn not in _CALENDAR_LISTENERS:
        _CALENDAR_LISTENERS.append(fn)


def calendar_listeners() -> list:
    return list(_CALENDAR_LISTENERS)
