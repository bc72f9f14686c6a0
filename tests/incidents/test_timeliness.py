"""时效考核 (/incidents/timeliness/): the complaint measures' definitions, one row per township and one column per
registered measure, every number opening exactly its rows as the role, the year selector, the scope, the Excel."""

import datetime as dt
import io

import pytest
import time_machine
from django.urls import reverse

from apps.incidents import timeliness
from apps.incidents.complaints import services
from apps.incidents.complaints.selectors import acceptance_timeliness, feedback_timeliness
from apps.incidents.timeliness import TimelinessMeasure
from tests.dashboard.test_counts_agree import rows_behind

from .complaints_helpers import advance, new_complaint, officer

pytestmark = pytest.mark.django_db
TZ = dt.timezone(dt.timedelta(hours=8))
URL = "/incidents/timeliness/"


def _at(y, m, d, h=10):
    return dt.datetime(y, m, d, h, tzinfo=TZ)


NOW = _at(2026, 6, 30)  # "today" of the tests below (received 2026-06-01: acceptance due 2026-06-09)


@pytest.fixture
def cases(township_a, township_b):
    """township_a: accepted on time, accepted late, undecided past due (late); township_b: on time, one still
    inside its deadline (not counted); no township: rejected on time, its feedback overdue; last year: late."""
    with time_machine.travel(_at(2025, 6, 1), tick=False):
        last_year = new_complaint(township_a, received_at=_at(2025, 6, 1))
    with time_machine.travel(_at(2025, 7, 1), tick=False):
        services.complaint_accept(actor=officer(), complaint_id=last_year.pk)
    with time_machine.travel(_at(2026, 6, 1), tick=False):
        a_on_time = new_complaint(township_a, received_at=_at(2026, 6, 1))
        a_late = new_complaint(township_a, received_at=_at(2026, 6, 1))
        a_open = new_complaint(township_a, received_at=_at(2026, 6, 1))
        b_on_time = new_complaint(township_b, received_at=_at(2026, 6, 1))
        no_township = new_complaint(None, received_at=_at(2026, 6, 1))
        services.complaint_accept(actor=officer(), complaint_id=a_on_time.pk)
        services.complaint_accept(actor=officer(), complaint_id=b_on_time.pk)
        services.complaint_reject(actor=officer(), complaint_id=no_township.pk, reason="不属于本局职责")
    with time_machine.travel(_at(2026, 6, 20), tick=False):
        services.complaint_accept(actor=officer(), complaint_id=a_late.pk)
        a_on_time.refresh_from_db()
        advance(a_on_time, "closed")
    with time_machine.travel(_at(2026, 6, 22), tick=False):
        services.complaint_feedback(actor=officer(), complaint_id=a_on_time.pk, feedback_text="已处理")
    with time_machine.travel(_at(2026, 6, 29), tick=False):
        b_inside = new_complaint(township_b, received_at=_at(2026, 6, 29))
    return {
        "a_on_time": a_on_time,
        "a_late": a_late,
        "a_open": a_open,
        "b_on_time": b_on_time,
        "b_inside": b_inside,
        "no_township": no_township,
        "last_year": last_year,
    }


def test_the_complaint_measures_count_done_and_overdue_cases_only(cases, township_a, township_b):
    with time_machine.travel(NOW, tick=False):
        acc = acceptance_timeliness(officer(), year=2026)
        fb = feedback_timeliness(officer(), year=2026)
        assert acceptance_timeliness(officer(), year=2025) == {township_a.pk: (0, 1)}
    # a late-but-done case is late, an overdue open case is late, a case inside its deadline is not counted
    assert acc == {township_a.pk: (1, 3), township_b.pk: (1, 1), None: (1, 1)}
    # feedback: a_on_time fed back within 5 working days; the rejection's feedback is overdue
    assert fb == {township_a.pk: (1, 1), None: (0, 1)}


def test_the_measures_are_registered_in_order():
    keys = [m.key for m in timeliness.measures()]
    assert keys.index("complaint_acceptance") < keys.index("complaint_feedback")


def _links(response):
    table = response.context["table"]
    for row in [*table.rows, table.total]:
        for cell in row.cells:
            if cell.total:
                yield f"{row.label} {cell.label} 按时", cell.on_time_url, cell.on_time
                yield f"{row.label} {cell.label} 应计", cell.total_url, cell.total


@pytest.mark.parametrize("actor", ["city_staff", "leader", "staff_a"])
def test_every_number_opens_a_list_of_exactly_its_rows_as_the_role(client, request, cases, actor):
    user = request.getfixturevalue(actor)
    client.force_login(user)
    with time_machine.travel(NOW, tick=False):
        response = client.get(URL)
        assert response.status_code == 200
        html = response.content.decode()
        checked = 0
        for what, url, value in _links(response):
            assert f'href="{url.replace("&", "&amp;")}"' in html, what
            assert rows_behind(client, url) == value, what
            checked += 1
    assert checked >= 4


def test_city_staff_see_every_township_and_the_no_township_row(client, city_staff, cases, township_a, township_b):
    client.force_login(city_staff)
    with time_machine.travel(NOW, tick=False):
        table = client.get(URL).context["table"]
    rows = {r.label: r for r in table.rows}
    assert "市级/未定镇街" in rows
    assert township_a.name in rows and township_b.name in rows
    acc = [(c.on_time, c.total) for c in rows[township_a.name].cells[:2]]
    assert acc == [(1, 3), (1, 1)]
    assert [(c.on_time, c.total) for c in table.total.cells[:2]] == [(3, 5), (1, 2)]
    assert table.total.cells[0].rate == 60.0


def test_township_staff_see_their_own_row_only(client, staff_a, cases, township_a):
    client.force_login(staff_a)
    with time_machine.travel(NOW, tick=False):
        response = client.get(URL)
    table = response.context["table"]
    assert [r.label for r in table.rows] == [township_a.name]
    assert [(c.on_time, c.total) for c in table.total.cells[:2]] == [(1, 3), (1, 1)]
    assert "市级/未定镇街" not in response.content.decode()


def test_the_page_shows_whatever_measures_are_registered(client, city_staff, township_a, monkeypatch):
    """Incidents and 舆情 register their measures later: the page has one column per measure, N of them."""
    registry = dict(timeliness._MEASURES)
    registry["fake_first_report"] = TimelinessMeasure(
        key="fake_first_report",
        label="按时初报（测试）",
        order=90,
        counts=lambda actor, *, year: {township_a.pk: (2, 4), None: (1, 1)},
        rows_url=lambda *, year, township, on_time: f"/fake/?year={year}&township={township}&on_time={on_time}",
    )
    registry["fake_opinion"] = TimelinessMeasure(
        key="fake_opinion",
        label="按时回应舆情（测试）",
        order=91,
        counts=lambda actor, *, year: {},
        rows_url=lambda *, year, township, on_time: "/fake/",
    )
    monkeypatch.setattr(timeliness, "_MEASURES", registry)
    client.force_login(city_staff)
    response = client.get(URL)
    html = response.content.decode()
    table = response.context["table"]
    assert [m.label for m in table.measures][-2:] == ["按时初报（测试）", "按时回应舆情（测试）"]
    assert all(len(r.cells) == len(table.measures) for r in [*table.rows, table.total])
    row = {r.label: r for r in table.rows}[township_a.name]
    assert (row.cells[-2].on_time, row.cells[-2].total, row.cells[-2].rate) == (2, 4, 50.0)
    year = response.context["year"]
    assert f"/fake/?year={year}&amp;township={township_a.pk}&amp;on_time=True" in html
    assert f"/fake/?year={year}&amp;township=none&amp;on_time=None" in html  # the 市级/未定镇街 row
    assert (table.total.cells[-2].on_time, table.total.cells[-2].total) == (3, 5)
    assert "按时回应舆情" in html


def test_the_year_selector(client, city_staff, cases, township_a):
    client.force_login(city_staff)
    with time_machine.travel(NOW, tick=False):
        default = client.get(URL)
        assert default.context["year"] == 2026
        as_submitted = client.get(URL, {"year": ""})  # the untouched form, as a browser submits it
        assert as_submitted.status_code == 200 and as_submitted.context["year"] == 2026
        last = client.get(URL, {"year": "2025"})
        assert [
            (r.label, r.cells[0].on_time, r.cells[0].total) for r in last.context["table"].rows if r.cells[0].total
        ] == [(township_a.name, 0, 1)]
        for bad in ("abc", "1999", "2031", "2026.5"):
            response = client.get(URL, {"year": bad})
            assert response.status_code == 400, bad
            assert "年度须为" in response.content.decode()


@pytest.mark.parametrize("actor", ["complaint_officer", "inspector_a", "user_without_perms"])
def test_who_may_not_open_it(client, request, actor):
    client.force_login(request.getfixturevalue(actor))
    assert client.get(URL).status_code == 403
    assert client.get(reverse("incidents:timeliness_export")).status_code == 403


def test_anonymous_goes_to_login(client, reference):
    assert client.get(URL).status_code == 302


def test_queries_do_not_grow_with_the_rows(client, city_staff, reference):
    from apps.accounts.models import Township
    from tests.helpers.queries import assert_constant_queries

    townships = list(Township.objects.filter(is_active=True).order_by("pk"))
    made = []

    def add_rows(n):
        for _ in range(n):
            t = townships[len(made) % len(townships)]
            c = new_complaint(t)
            services.complaint_accept(actor=officer(), complaint_id=c.pk)
            made.append(c)

    client.force_login(city_staff)
    assert_constant_queries(lambda: client.get(URL), add_rows)


def test_the_excel_export_is_the_same_table(client, city_staff, cases, township_a):
    from openpyxl import load_workbook

    client.force_login(city_staff)
    with time_machine.travel(NOW, tick=False):
        response = client.get(reverse("incidents:timeliness_export"), {"year": "2026"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    ws = load_workbook(io.BytesIO(response.content))["2026年时效考核"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:4] == ("镇街", "按时受理·按时（件）", "按时受理·应计（件）", "按时受理·按时率（%）")
    by_name = {r[0]: r for r in rows[1:]}
    assert by_name[township_a.name][1:7] == (1, 3, 33.3, 1, 1, 100)
    assert by_name["市级/未定镇街"][1:7] == (1, 1, 100, 0, 1, 0)
    assert by_name["合计"][1:3] == (3, 5)
    with time_machine.travel(NOW, tick=False):
        assert client.get(reverse("incidents:timeliness_export"), {"year": "x"}).status_code == 400


def test_the_list_filters_in_the_api_and_the_page(client, api_client, city_staff, cases):
    api_client.force_authenticate(city_staff)
    with time_machine.travel(NOW, tick=False):
        body = api_client.get("/api/v1/incidents/complaints/", {"year": "2026", "acceptance": "late"}).json()
        numbers = {r["number"] for r in body["results"]}
        assert numbers == {cases["a_late"].number, cases["a_open"].number}
        body = api_client.get("/api/v1/incidents/complaints/", {"township": "none"}).json()
        assert {r["number"] for r in body["results"]} == {cases["no_township"].number}
        for bad in ({"acceptance": "soon"}, {"township": "abc"}, {"year": "x"}, {"feedback": "1"}):
            assert api_client.get("/api/v1/incidents/complaints/", bad).status_code == 400, bad
        client.force_login(city_staff)
        untouched = {"q": "", "kind": "", "channel": "", "status": "", "township": "", "year": "", "acceptance": ""}
        assert rows_behind(client, "/incidents/complaints/?" + "&".join(f"{k}=" for k in untouched)) == 7
        assert rows_behind(client, "/incidents/complaints/?township=999999") == 0
        response = client.get("/incidents/complaints/", {"acceptance": "soon"})
        assert response.status_code == 200 and "受理时效" in str(response.context["filter_errors"])


@pytest.mark.parametrize("actor", ["city_staff", "leader"])
def test_all_four_measures_link_to_exactly_their_rows_on_the_demo_data(client, request, settings, actor):
    """按时受理、按时反馈 (complaints), 按时初报 (incidents), 舆情按时回应: each figure on the page, as the role,
    opens a list with exactly that many rows (issue 11 point 6)."""
    from django.core.management import call_command

    from apps.accounts.services import demo_accounts_create

    settings.DEMO_MODE = True
    demo_accounts_create(password="Demo-Passw0rd-x")
    for command in ("seed_demo_complaints", "seed_demo_incidents", "seed_demo_opinion"):
        call_command(command)
    user = request.getfixturevalue(actor)
    client.force_login(user)
    response = client.get(URL)
    labels = [m.label for m in response.context["table"].measures]
    assert {"按时受理", "按时反馈", "按时初报", "舆情按时回应"} <= set(labels), labels
    seen = set()
    for what, url, value in _links(response):
        assert rows_behind(client, url) == value, what
        seen.add(what.split(" ")[1])
    assert {"按时初报", "舆情按时回应"} <= seen  # the demo has counted incidents and 舆情 events
