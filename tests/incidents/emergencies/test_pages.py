"""Pages of incidents as each role, forms submitted as a browser does (every field, empty ones included), refusals
re-rendered with the Chinese message and a 4xx (nothing written), and township scoping."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.common.models import AuditEvent
from apps.incidents.models.emergencies import Incident, IncidentReport, ReportKind
from tests.helpers.queries import assert_constant_queries

from .helpers import H, advance, new_incident, report

pytestmark = pytest.mark.django_db
LIST = reverse("incidents:incidents")
FORM = {
    "title": "",
    "township": "",
    "occurred_at": "",
    "learned_at": "",
    "affected_count": "",
    "dead_count": "",
    "townships_count": "",
    "places": "",
    "description": "",
    "enterprise_refs": "",
    "sample_numbers": "",
}


def local(value):
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def form(**kw):
    data = dict(FORM)
    data.update(kw)
    return data


@pytest.mark.parametrize("role", ["city_staff", "leader", "staff_a"])
def test_list_and_detail_open_for_each_viewing_role(client, request, role, township_a):
    inc = new_incident(township_a)
    client.force_login(request.getfixturevalue(role))
    assert client.get(LIST).status_code == 200
    body = client.get(reverse("incidents:incident_detail", args=[inc.pk])).content.decode()
    assert inc.title in body and "初报时限" in body and "默认值待确认" in body


def test_leader_sees_no_write_controls_and_cannot_post(client, leader, township_a):
    inc = new_incident(township_a)
    client.force_login(leader)
    body = client.get(reverse("incidents:incident_detail", args=[inc.pk])).content.decode()
    url = reverse("incidents:incident_report", args=[inc.pk])
    assert url not in body and reverse("incidents:incident_level", args=[inc.pk]) not in body
    assert client.post(url, {"report-kind": "initial", "report-content": "x"}).status_code == 403
    assert client.get(reverse("incidents:incident_create")).status_code == 403


def test_township_b_cannot_see_township_as_incident(client, staff_b, township_a, township_b):
    mine = new_incident(township_b, title="乙镇事件")
    theirs = new_incident(township_a, title="甲镇事件")
    client.force_login(staff_b)
    page = client.get(LIST)
    assert [i.pk for i in page.context["page"]] == [mine.pk]
    for name in ("incident_detail", "incident_edit"):
        assert client.get(reverse(f"incidents:{name}", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("incidents:incident_report", args=[theirs.pk]), {}).status_code == 404


def test_create_with_an_empty_form_is_a_400_with_chinese_messages(client, city_staff):
    client.force_login(city_staff)
    response = client.post(reverse("incidents:incident_create"), form())
    assert response.status_code == 400
    body = response.content.decode()
    assert "请填写事件名称" in body and "请填写发生时间" in body
    assert not Incident.objects.exists()


def test_create_refuses_dead_above_affected_keeping_what_was_typed(client, city_staff, township_a):
    client.force_login(city_staff)
    now = timezone.now()
    data = form(
        title="学校食堂腹泻",
        township=township_a.pk,
        occurred_at=local(now - 2 * H),
        learned_at=local(now - H),
        affected_count="3",
        dead_count="5",
        places="某小学食堂",
    )
    response = client.post(reverse("incidents:incident_create"), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "死亡人数不能多于涉及人数" in body and "某小学食堂" in body and "学校食堂腹泻" in body
    negative = client.post(reverse("incidents:incident_create"), {**data, "dead_count": "-1"})
    assert negative.status_code == 400 and "人数不能小于 0" in negative.content.decode()
    assert not Incident.objects.exists()


def test_create_as_browser_then_detail_shows_clock_and_suggestion(client, city_staff, township_a):
    from tests.inspections.factories import make_enterprise

    ent = make_enterprise(township_a)
    client.force_login(city_staff)
    now = timezone.now()
    data = form(
        title="学校食堂腹泻",
        township=township_a.pk,
        occurred_at=local(now - 2 * H),
        learned_at=local(now - H),
        affected_count="55",
        dead_count="",
        townships_count="",
        schools_involved="on",
        enterprise_refs=ent.uscc,
    )
    response = client.post(reverse("incidents:incident_create"), data)
    assert response.status_code == 302
    inc = Incident.objects.get()
    assert inc.dead_count == 0 and inc.townships_count == 1 and inc.schools_involved
    assert inc.suggested_level == "II" and list(inc.enterprises.all()) == [ent]
    body = client.get(response["Location"]).content.decode()
    assert "Ⅱ级（重大）" in body and "待初报" in body and "剩余" in body and ent.name in body


def test_unknown_enterprise_or_sample_is_a_400(client, city_staff, township_a):
    client.force_login(city_staff)
    now = timezone.now()
    data = form(
        title="x", occurred_at=local(now - 2 * H), learned_at=local(now - H), enterprise_refs="91330481MA00000000"
    )
    assert client.post(reverse("incidents:incident_create"), data).status_code == 400
    data = form(title="x", occurred_at=local(now - 2 * H), learned_at=local(now - H), sample_numbers="DC26000000000")
    response = client.post(reverse("incidents:incident_create"), data)
    assert response.status_code == 400 and "没有这些抽样单" in response.content.decode()
    assert not Incident.objects.exists()


def test_linked_sample_is_resolved_to_its_number_and_page(client, city_staff, township_a):
    from tests.factories.sampling import SampleFactory

    sample = SampleFactory(task__plan_line__township=township_a)
    client.force_login(city_staff)
    now = timezone.now()
    data = form(title="x", occurred_at=local(now - 2 * H), learned_at=local(now - H), sample_numbers=sample.number)
    response = client.post(reverse("incidents:incident_create"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    inc = Incident.objects.get()
    assert list(inc.links.values_list("ref", flat=True)) == [f"sampling-sample:{sample.pk}"]
    body = client.get(response["Location"]).content.decode()
    assert sample.number in body and reverse("sampling:sample_detail", args=[sample.pk]) in body


def test_report_form_refusals_rerender_the_detail_with_a_4xx(client, city_staff, township_a):
    inc = new_incident(township_a, learned_at=timezone.now() - 3 * H)
    client.force_login(city_staff)
    url = reverse("incidents:incident_report", args=[inc.pk])
    early = client.post(
        url,
        {"report-kind": "initial", "report-submitted_at": local(inc.learned_at - H), "report-content": "初报内容"},
    )
    assert early.status_code == 400
    body = early.content.decode()
    assert "报送时间不能早于获知事件的时间" in body and "初报内容" in body
    followup = client.post(url, {"report-kind": "followup", "report-submitted_at": "", "report-content": "续报"})
    assert followup.status_code == 400  # the form offers only 初报 now: 续报 is not a valid choice
    assert not IncidentReport.objects.exists()
    ok = client.post(url, {"report-kind": "initial", "report-submitted_at": "", "report-content": "初报内容"})
    assert ok.status_code == 302
    inc.refresh_from_db()
    assert inc.status == "handling"


def test_final_report_twice_through_the_page_is_a_409(client, city_staff, township_a):
    inc = advance(new_incident(township_a), "handling")
    client.force_login(city_staff)
    url = reverse("incidents:incident_report", args=[inc.pk])
    assert (
        client.post(url, {"report-kind": "final", "report-submitted_at": "", "report-content": "终报"}).status_code
        == 302
    )
    again = client.post(url, {"report-kind": "final", "report-submitted_at": "", "report-content": "终报"})
    assert again.status_code in (400, 409)
    assert inc.reports.filter(kind="final").count() == 1


def test_action_form_empty_is_a_400(client, city_staff, township_a):
    inc = new_incident(township_a)
    client.force_login(city_staff)
    url = reverse("incidents:incident_action", args=[inc.pk])
    response = client.post(url, {"action-at": "", "action-text": ""})
    assert response.status_code == 400 and "请填写处置措施" in response.content.decode()
    assert client.post(url, {"action-at": "", "action-text": "封存可疑食品"}).status_code == 302
    assert inc.actions.count() == 1


def test_level_confirm_previews_then_confirms_audited(client, city_staff, township_a):
    inc = new_incident(township_a, affected=120)
    client.force_login(city_staff)
    url = reverse("incidents:incident_level", args=[inc.pk])
    preview = client.get(url)
    body = preview.content.decode()
    assert preview.status_code == 200 and "Ⅲ级（较大）" in body and "确认级别" in body
    unconfirmed = client.post(url, {"level": "III", "note": ""})
    assert unconfirmed.status_code == 400
    inc.refresh_from_db()
    assert inc.level == ""
    no_reason = client.post(url, {"confirm": "yes", "level": "II", "note": ""})
    assert no_reason.status_code == 400 and "请说明理由" in no_reason.content.decode()
    assert client.post(url, {"confirm": "yes", "level": "III", "note": ""}).status_code == 302
    inc.refresh_from_db()
    assert inc.level == "III"
    assert AuditEvent.objects.filter(action="incidents.incident_level_confirm").count() == 1


def test_staff_a_cannot_open_the_level_or_close_pages(client, staff_a, township_a):
    inc = new_incident(township_a)
    client.force_login(staff_a)
    assert client.get(reverse("incidents:incident_level", args=[inc.pk])).status_code == 403
    assert client.get(reverse("incidents:incident_close", args=[inc.pk])).status_code == 403


def test_close_without_final_report_is_blocked_and_refused(client, city_staff, township_a):
    inc = advance(new_incident(township_a), "handling")
    client.force_login(city_staff)
    url = reverse("incidents:incident_close", args=[inc.pk])
    body = client.get(url).content.decode()
    assert "报送终报后才能结案" in body and "disabled" in body
    response = client.post(url, {"confirm": "yes", "summary": "总结"})
    assert response.status_code == 409 and "报送终报后才能结案" in response.content.decode()
    inc.refresh_from_db()
    assert inc.status == "handling"


def test_close_then_edit_is_refused(client, city_staff, township_a):
    inc = advance(new_incident(township_a), "final_reported")
    client.force_login(city_staff)
    inc.refresh_from_db()
    client.post(reverse("incidents:incident_level", args=[inc.pk]), {"confirm": "yes", "level": "IV", "note": "一般"})
    url = reverse("incidents:incident_close", args=[inc.pk])
    empty = client.post(url, {"confirm": "yes", "summary": ""})
    assert empty.status_code == 400 and "请填写结案总结" in empty.content.decode()
    assert client.post(url, {"confirm": "yes", "summary": "原因查明"}).status_code == 302
    inc.refresh_from_db()
    assert inc.status == "closed"
    edit = reverse("incidents:incident_edit", args=[inc.pk])
    assert client.get(edit).status_code == 302
    refused = client.post(edit, form(title="改名", affected_count="99"))
    assert refused.status_code == 409 and "事件已结案" in refused.content.decode()
    inc.refresh_from_db()
    assert inc.title != "改名"
    detail = client.get(reverse("incidents:incident_detail", args=[inc.pk])).content.decode()
    assert "原因查明" in detail and reverse("incidents:incident_report", args=[inc.pk]) not in detail


def test_edit_updates_counts_and_the_suggestion(client, city_staff, township_a):
    inc = new_incident(township_a, affected=10)
    client.force_login(city_staff)
    url = reverse("incidents:incident_edit", args=[inc.pk])
    assert client.get(url).status_code == 200
    data = form(
        title=inc.title,
        township=township_a.pk,
        occurred_at=local(inc.occurred_at),
        learned_at=local(inc.learned_at),
        affected_count="100",
        dead_count="1",
        townships_count="1",
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:1500]
    inc.refresh_from_db()
    assert inc.affected_count == 100 and inc.suggested_level == "II"


def test_list_filters_and_a_bad_filter(client, city_staff, township_a):
    new_incident(township_a)
    client.force_login(city_staff)
    untouched = client.get(LIST + "?q=&status=&level=&township=&year=&first_report=")
    assert untouched.context["page"].paginator.count == 1
    bad = client.get(LIST + "?first_report=soon")
    assert bad.status_code == 200 and bad.context["page"].paginator.count == 0 and bad.context["filter_errors"]
    none = client.get(LIST + "?township=none")
    assert none.context["page"].paginator.count == 0


def test_list_page_query_count_is_constant(client, city_staff, township_a):
    client.force_login(city_staff)
    assert_constant_queries(
        lambda: client.get(LIST), lambda n: [advance(new_incident(township_a), "handling") for _ in range(n)]
    )


def test_export_holds_the_filtered_rows(client, city_staff, township_a, township_b):
    from io import BytesIO

    from openpyxl import load_workbook

    a = new_incident(township_a, title="甲镇事件")
    new_incident(township_b, title="乙镇事件")
    report(a, ReportKind.INITIAL)
    client.force_login(city_staff)
    response = client.get(reverse("incidents:incident_export") + f"?township={township_a.pk}&q=")
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    wb = load_workbook(BytesIO(response.content))
    ws = wb.worksheets[0]
    cells = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    assert "甲镇事件" in cells and "乙镇事件" not in cells and "按时初报" in cells


def test_export_as_a_job_is_scoped(city_staff, staff_a, township_a, township_b):
    from apps.common.jobs import job_create
    from apps.incidents.emergencies.job_handlers import EXPORT_JOB_KIND, incident_export_job

    new_incident(township_a, title="甲镇事件")
    new_incident(township_b, title="乙镇事件")
    job = job_create(kind=EXPORT_JOB_KIND, payload={"filters": {}}, actor=staff_a, title="导出")
    result = incident_export_job(job, lambda *a, **k: None)
    assert result["rows"] == 1


def test_dashboard_figure_links_to_exactly_its_rows(client, city_staff, staff_a, township_a, township_b):
    new_incident(township_a, learned_at=timezone.now() - 5 * H)
    new_incident(township_b, learned_at=timezone.now() - dt.timedelta(minutes=10))
    advance(new_incident(township_a), "handling")
    for user, expected in ((city_staff, 2), (staff_a, 1)):
        client.force_login(user)
        kpi = next(k for k in client.get("/").context["kpis"] if k.label == "待初报事件")
        assert kpi.value == expected
        assert client.get(kpi.url).context["page"].paginator.count == expected
