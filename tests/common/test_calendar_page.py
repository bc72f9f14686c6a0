"""Issue 8 §13: entering a year's holiday schedule (form or Excel), the warnings while it is missing, and stored
deadlines that move once it is entered."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.common import calendar_entries as ce
from apps.common.models import AuditEvent, CalendarOverride
from apps.common.workdays import add_working_days, calendar_warnings, missing_calendar_years
from tests.inspections.fieldwork_helpers import field_fixture  # noqa: F401  (the `field` fixture)

pytestmark = pytest.mark.django_db
D = dt.date
SHANGHAI = ZoneInfo("Asia/Shanghai")
# 国办发明电〔2026〕… is not out yet in this test's world: a plausible 2027 schedule for 元旦 and 春节.
REST_2027 = "2027-01-01 元旦\n2027-02-06 至 2027-02-12 春节"
WORK_2027 = "2027-02-20 春节调休"


def post_year(client, year=2027, rest=REST_2027, work=WORK_2027):
    return client.post("/calendar/", {"year": str(year), "rest_days": rest, "work_days": work})


def test_a_deadline_across_2027_01_01_moves_when_the_schedule_is_entered(sys_admin):
    start = D(2026, 12, 28)
    before = add_working_days(start, 5)  # Mon–Fri fallback: 12-29, 30, 31, 1-1 (Fri), 1-4
    assert before == D(2027, 1, 4)
    assert calendar_warnings([start, before]) == ["2027 年节假日安排尚未加载，按周一至周五计算工作日"]
    entries = ce.entries_from_text(year=2027, rest_days=REST_2027, work_days=WORK_2027)
    ce.calendar_year_set(actor=sys_admin, year=2027, entries=entries)
    after = add_working_days(start, 5)
    assert after == D(2027, 1, 5)  # 元旦 is a rest day now
    assert calendar_warnings([start, after]) == []


def test_stored_open_clocks_are_recomputed(field, sys_admin, city_staff):
    """A publication clock started in December runs into 2027; entering 2027 moves its stored due date."""
    from apps.inspections.fieldwork.services.results import result_finalise

    with time_machine.travel(dt.datetime(2026, 12, 7, 10, 0, tzinfo=SHANGHAI), tick=False):
        final = result_finalise(actor=field.user, result_id=field.complete_draft().pk)
        publication = final.publication
        assert publication.due_by == D(2027, 1, 4)  # 20 working days, 1 January counted as a working day
        client_html = _publication_detail(city_staff, publication.pk)
        assert "2027 年节假日安排尚未加载" in client_html
        entries = ce.entries_from_text(year=2027, rest_days=REST_2027, work_days="")
        result = ce.calendar_year_set(actor=sys_admin, year=2027, entries=entries)
    publication.refresh_from_db()
    assert publication.due_by == D(2027, 1, 5)
    assert result["moved"]["publications"] == 1
    event = AuditEvent.objects.filter(action="calendar.year_set").latest("seq")
    assert event.actor_id == sys_admin.pk and event.object_id == "2027"
    assert event.extra["moved"]["publications"] == 1 and "2027-01-01" in event.extra["rest"]


def _publication_detail(user, pk) -> str:
    from django.test import Client

    client = Client()
    client.force_login(user)
    response = client.get(f"/inspections/publications/{pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_form_entry_replaces_the_year_with_one_audit_event(client, sys_admin):
    CalendarOverride.objects.create(date=D(2027, 3, 1), is_workday=False, note="旧的")
    client.force_login(sys_admin)
    response = post_year(client)
    assert response.status_code == 302
    days = dict(CalendarOverride.objects.filter(date__year=2027).values_list("date", "is_workday"))
    assert D(2027, 3, 1) not in days  # the year is replaced as a whole
    assert days[D(2027, 1, 1)] is False and days[D(2027, 2, 20)] is True
    assert sum(1 for w in days.values() if not w) == 8  # 1-1 and 2-6 … 2-12
    assert AuditEvent.objects.filter(action="calendar.year_set").count() == 1
    page = client.get("/calendar/?year=2027").content.decode()
    assert "已保存 2027 年节假日安排" in page and "已录入" in page


def test_bad_lines_are_refused_all_or_nothing_with_line_numbers(client, sys_admin):
    client.force_login(sys_admin)
    response = post_year(client, rest="2027-01-01 元旦\n2027-02-30 春节\n明天\n2026-12-31", work="2027-01-01")
    assert response.status_code == 400
    html = response.content.decode()
    assert "未保存任何内容" in html
    assert "放假（休息日）第 2 行：日期「2027-02-30」不存在" in html
    assert "放假（休息日）第 3 行" in html
    assert "2026-12-31 不在 2027 年内" in html
    assert "同时填为休息日和上班日" in html
    assert not CalendarOverride.objects.filter(date__year=2027).exists()
    assert not AuditEvent.objects.filter(action="calendar.year_set").exists()


def test_the_untouched_form_as_a_browser_submits_it_is_a_400_not_a_500(client, sys_admin):
    client.force_login(sys_admin)
    for data in ({"year": "", "rest_days": "", "work_days": ""}, {"year": "2027", "rest_days": "", "work_days": ""}):
        response = client.post("/calendar/", data)
        assert response.status_code == 400
    assert "没有填写任何日期" in response.content.decode()
    assert client.post("/calendar/", {"year": "99999999999"}).status_code == 400
    assert not CalendarOverride.objects.exists()


def _workbook(rows) -> bytes:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(ce.calendar_template(year=2027)))
    ws = wb[ce.TEMPLATE_SHEET]
    for i, row in enumerate(rows, start=2):
        for j, value in enumerate(row, start=1):
            ws.cell(row=i, column=j, value=value)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _upload(client, data: bytes, year="2027"):
    file = SimpleUploadedFile("calendar.xlsx", data, content_type="application/octet-stream")
    return client.post("/calendar/upload/", {"year": year, "file": file})


def test_excel_template_round_trip(client, sys_admin):
    client.force_login(sys_admin)
    template = client.get("/calendar/template/?year=2027")
    assert template.status_code == 200 and template["Content-Type"].startswith("application/vnd.openxmlformats")
    data = _workbook([(dt.datetime(2027, 1, 1), "休息日", "元旦"), ("2027-02-20", "上班日", "春节调休")])
    response = _upload(client, data)
    assert response.status_code == 302
    assert dict(CalendarOverride.objects.values_list("date", "is_workday")) == {
        D(2027, 1, 1): False,
        D(2027, 2, 20): True,
    }
    assert AuditEvent.objects.get(action="calendar.year_set").extra["source"] == "excel"


def test_excel_errors_name_their_rows_and_nothing_is_saved(client, sys_admin):
    client.force_login(sys_admin)
    data = _workbook([("2027-01-01", "休息日", "元旦"), ("2027-13-01", "休息日", ""), ("2027-02-20", "放假吧", "")])
    response = _upload(client, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "第 3 行「日期」" in html and "第 4 行「类型」" in html and "未保存任何内容" in html
    assert not CalendarOverride.objects.exists()
    assert _upload(client, b"not a workbook").status_code == 400
    assert not CalendarOverride.objects.exists()


def test_who_may_see_and_enter_the_calendar(client, leader, city_staff, sys_admin, security_admin):
    client.force_login(leader)
    assert client.get("/calendar/").status_code == 403
    client.force_login(security_admin)
    assert client.get("/calendar/").status_code == 403
    client.force_login(city_staff)
    assert client.get("/calendar/").status_code == 200
    client.force_login(sys_admin)
    page = client.get("/calendar/")
    assert page.status_code == 200 and "按 Excel 模板导入" in page.content.decode()


def test_city_staff_home_names_the_missing_year_until_it_is_entered(client, city_staff, sys_admin):
    with time_machine.travel(dt.datetime(2026, 12, 7, 10, 0, tzinfo=SHANGHAI), tick=False):
        assert missing_calendar_years() == [2027]
        client.force_login(city_staff)
        html = client.get("/").content.decode()
        assert "2027 年节假日安排尚未加载" in html and 'href="/calendar/?year=2027"' in html
        ce.calendar_year_set(
            actor=sys_admin, year=2027, entries=ce.entries_from_text(year=2027, rest_days="2027-01-01", work_days="")
        )
        assert "节假日安排尚未加载" not in client.get("/").content.decode()


def test_rectification_deadline_in_an_unknown_year_carries_the_warning(field, staff_a):
    from apps.inspections.fieldwork.services.results import result_finalise

    draft = field.complete_draft(outcome="rectify", verdict="basic", rectification_requirements="整改")
    rect = result_finalise(actor=field.user, result_id=draft.pk).rectifications.get()
    rect.deadline = D(2027, 1, 8)
    rect.save()
    from django.test import Client

    client = Client()
    client.force_login(staff_a)
    html = client.get("/inspections/rectifications/").content.decode()
    assert "2027 年节假日安排尚未加载" in html
