"""Entering a year's holiday schedule (国务院办公厅关于某年部分节假日安排的通知) — issue 8 §13.

chinese-calendar knows the schedule only up to the year its release was made for; for later years the platform
counts Monday–Friday (apps.common.workdays). The city enters the notice here, by a form or an Excel template:

- 放假（休息日）: every day off, weekends inside a holiday included or not (both are accepted);
- 调休上班日: the weekend days that are working days.

``calendar_year_set`` replaces the whole year in one transaction (the notice is the unit), tells the apps that
store computed deadlines to recompute them (``register_calendar_listener``), and records one audit event.
Input is checked all-or-nothing: one bad line or row and nothing is saved; every problem is reported with its
line or row number, in Chinese.
"""

import datetime as dt
import re
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction

from .audit import audit_record
from .exceptions import ValidationFailed
from .models import CalendarOverride
from .workdays import WorkdayCalendar, calendar_listeners, calendar_status

MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_ENTRIES = 366
REST, WORK = "rest", "work"
KIND_LABELS = {REST: "休息日", WORK: "上班日"}
KIND_BY_TEXT = {
    "休息日": REST,
    "放假": REST,
    "休息": REST,
    "上班日": WORK,
    "上班": WORK,
    "调休上班": WORK,
    "工作日": WORK,
}
WRITE_PERM = "common.change_calendaroverride"

_DATE_RE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_RANGE_SEP = re.compile(r"\s*(?:至|到|~|～|—|–)\s*")


@dataclass(frozen=True)
class Entry:
    date: dt.date
    is_workday: bool
    note: str = ""


@dataclass
class Problems:
    items: list[str] = field(default_factory=list)

    def add(self, where: str, message: str) -> None:
        if len(self.items) < 200:
            self.items.append(f"{where}：{message}")

    def __bool__(self) -> bool:
        return bool(self.items)


def _refused(message: str, problems: Problems) -> ValidationFailed:
    """All-or-nothing: the message, and every problem (line or row number first) in ``fields["problems"]``."""
    return ValidationFailed(message, fields={"problems": list(problems.items)}, code="calendar_invalid")


def check_year(value) -> int:
    try:
        year = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationFailed("年份应为四位数字，例如 2027", fields={"year": ["年份应为四位数字"]}) from None
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationFailed(
            f"年份应在 {MIN_YEAR}–{MAX_YEAR} 之间", fields={"year": [f"年份应在 {MIN_YEAR}–{MAX_YEAR} 之间"]}
        )
    return year


def _parse_day(text: str) -> dt.date:
    match = _DATE_RE.fullmatch(text.strip())
    if not match:
        raise ValueError(f"日期「{text.strip()}」无法识别，请写成 2027-01-01")
    year, month, day = (int(g) for g in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueError(f"日期「{text.strip()}」不存在") from None


def _parse_line(line: str) -> tuple[list[dt.date], str]:
    """``2027-01-01 元旦`` or ``2027-02-06 至 2027-02-12 春节`` → (dates, note)."""
    text = line.strip()
    parts = _RANGE_SEP.split(text, maxsplit=1)
    if len(parts) == 2:
        first = _parse_day(parts[0])
        match = _DATE_RE.match(parts[1])
        if not match:
            raise ValueError(f"区间「{text}」的结束日期无法识别，请写成 2027-02-06 至 2027-02-12")
        last = _parse_day(match.group(0))
        note = parts[1][match.end() :].strip()
        if last < first:
            raise ValueError(f"区间的结束日期 {last} 早于开始日期 {first}")
        if (last - first).days > 31:
            raise ValueError("一个区间不能超过 31 天，请分行填写")
        return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)], note
    match = _DATE_RE.match(text)
    if not match:
        raise ValueError(f"「{text[:30]}」不是日期，请写成 2027-01-01（可加说明，如“元旦”）")
    return [_parse_day(match.group(0))], text[match.end() :].strip()


def entries_from_text(*, year: int, rest_days: str, work_days: str) -> list[Entry]:
    """The two text areas of the form, one date or range per line; raises ValidationFailed naming each line."""
    problems = Problems()
    entries: list[Entry] = []
    for label, text, is_workday in (("放假（休息日）", rest_days, False), ("调休上班日", work_days, True)):
        for number, line in enumerate((text or "").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                days, note = _parse_line(line)
            except ValueError as exc:
                problems.add(f"{label}第 {number} 行", str(exc))
                continue
            entries += [Entry(day, is_workday, note[:100]) for day in days]
    _check_entries(entries, year=year, problems=problems, where=lambda e: f"{e.date}")
    if problems:
        raise _refused("节假日安排有误，未保存任何内容", problems)
    return entries


def _check_entries(entries, *, year, problems, where) -> None:
    seen: dict[dt.date, Entry] = {}
    for entry in entries:
        if entry.date.year != year:
            problems.add(where(entry), f"{entry.date} 不在 {year} 年内")
        previous = seen.get(entry.date)
        if previous is not None and previous.is_workday != entry.is_workday:
            problems.add(where(entry), f"{entry.date} 同时填为休息日和上班日")
        seen[entry.date] = entry
    if not entries and not problems:
        problems.add("全部", "没有填写任何日期")
    if len(seen) > MAX_ENTRIES:
        problems.add("全部", f"日期超过 {MAX_ENTRIES} 个")


# ---------------------------------------------------------------------------- Excel template
TEMPLATE_SHEET = "节假日安排"


def _columns():
    from .excel import Column

    return (
        Column("date", "日期", required=True, comment="例如 2027-01-01；每个日期一行", kind="date", width=16),
        Column("kind", "类型", required=True, comment="休息日（放假）或 上班日（调休上班）", choices="kinds", width=14),
        Column("note", "说明", comment="例如：元旦、春节、春节调休", width=24),
    )


def calendar_template(*, year: int) -> bytes:
    from .excel import write_template

    return write_template(
        _columns(),
        sheet_title=TEMPLATE_SHEET,
        lists={"kinds": ["休息日", "上班日"]},
        instructions=(
            f"按国务院办公厅《关于 {year} 年部分节假日安排的通知》逐日填写，每个日期一行。",
            "类型：放假的日子填“休息日”（可含放假区间内的周末），调休上班的周末填“上班日”。",
            f"只能填写 {year} 年的日期；上传后替换该年已录入的全部安排，任一行有误则整份不保存。",
            "示例（不要填在数据表里）：2027-01-01 休息日 元旦；2027-02-20 上班日 春节调休。",
        ),
        max_rows=MAX_ENTRIES + 1,
    )


def entries_from_workbook(data: bytes, *, year: int) -> list[Entry]:
    """All rows of the template, or ValidationFailed listing every bad row by its Excel row number."""
    from . import excel

    try:
        excel.check_size(len(data))
        report = excel.xlsx_prescan(data)
        wb = excel.xlsx_open(data)
    except excel.WorkbookRejected as exc:
        raise ValidationFailed(exc.message, fields={"file": [exc.message]}) from None
    problems = Problems()
    entries: list[Entry] = []
    rows_of: dict[Entry, int] = {}
    try:
        table = excel.read_table(wb, _columns(), prescan=report, sheet_name=TEMPLATE_SHEET)
        for row_no, (raw_date, raw_kind, raw_note) in table.rows():
            where = f"第 {row_no} 行"
            try:
                day = excel.parse_date(raw_date)
            except excel.ValueProblem as exc:
                problems.add(where + "「日期」", str(exc))
                continue
            if day is None:
                problems.add(where + "「日期」", "必填")
                continue
            kind = KIND_BY_TEXT.get(excel.clean_text(raw_kind).replace(" ", ""))
            if kind is None:
                problems.add(where + "「类型」", f"应为“休息日”或“上班日”，实际为「{excel.clean_text(raw_kind)}」")
                continue
            entry = Entry(day, kind == WORK, excel.clean_text(raw_note)[:100])
            entries.append(entry)
            rows_of.setdefault(entry, row_no)
        for issue in table.issues:
            problems.add(f"第 {issue.row} 行" if issue.row else "文件", issue.message)
    finally:
        wb.close()
    _check_entries(entries, year=year, problems=problems, where=lambda e: f"第 {rows_of.get(e, '?')} 行")
    if problems:
        raise _refused("Excel 文件有误，未保存任何内容", problems)
    return entries


# ---------------------------------------------------------------------------- the write
def calendar_year_entries(year: int) -> list[CalendarOverride]:
    return list(CalendarOverride.objects.filter(date__year=year).order_by("date"))


@transaction.atomic
def calendar_year_set(*, actor, year: int, entries: list[Entry], source: str = "form") -> dict:
    """Replace the overrides of ``year`` by ``entries``; recompute stored deadlines; one audit event."""
    if actor is None or not actor.has_perm(WRITE_PERM):
        raise PermissionDenied("无权维护工作日历")
    year = check_year(year)
    problems = Problems()
    _check_entries(entries, year=year, problems=problems, where=lambda e: f"{e.date}")
    if problems:
        raise _refused("节假日安排有误，未保存任何内容", problems)
    # one writer per year at a time: lock the rows there are (a first entry races only with itself: unique date)
    before = list(
        CalendarOverride.objects.select_for_update().filter(date__year=year).values_list("date", "is_workday")
    )
    status_before = calendar_status(year)
    unique = {e.date: e for e in entries}
    CalendarOverride.objects.filter(date__year=year).delete()
    CalendarOverride.objects.bulk_create(
        [
            CalendarOverride(date=e.date, is_workday=e.is_workday, note=e.note)
            for e in sorted(unique.values(), key=lambda e: e.date)
        ]
    )
    calendar = WorkdayCalendar()
    moved = {}
    for listener in calendar_listeners():
        moved.update(listener(years={year}, calendar=calendar, actor=actor) or {})
    rest = sorted(d.isoformat() for d, e in unique.items() if not e.is_workday)
    work = sorted(d.isoformat() for d, e in unique.items() if e.is_workday)
    audit_record(
        "calendar.year_set",
        object_type="common.calendaroverride",
        object_id=str(year),
        object_repr=f"{year} 年节假日安排",
        actor=actor,
        changes={
            "rest_days": [sum(1 for _, w in before if not w), len(rest)],
            "work_days": [sum(1 for _, w in before if w), len(work)],
        },
        extra={"source": source, "status_before": status_before, "rest": rest, "work": work, "moved": moved},
    )
    return {"year": year, "rest": len(rest), "work": len(work), "moved": moved}
