"""舆情 pages as a browser submits them (empty fields included), by role and township; refused steps are Chinese
4xx that write nothing; the list's filters (timeliness and dashboard links give exactly the counted rows), constant
query counts, the Excel export in scope."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.common.models import AuditEvent
from apps.incidents.models import OpinionAction, OpinionEvent
from apps.incidents.opinion.selectors import opinion_response_timeliness, pending_response_count
from tests.helpers.queries import assert_constant_queries

from .helpers import advance, city_user, new_event

pytestmark = pytest.mark.django_db
EMPTY_FORM = {
    "submit_token": "",
    "title": "",
    "source": "",
    "source_detail": "",
    "discovered_at": "",
    "content": "",
    "subject_name": "",
    "address": "",
    "township": "",
}
FILTERS = ("q", "source", "status", "risk", "township", "year", "discovered_from", "discovered_to", "response")


def _local(value):
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def test_record_as_a_browser_submits_it(client, staff_a, township_a):
    client.force_login(staff_a)
    form = client.get(reverse("incidents:opinion_event_create"))
    assert form.status_code == 200
    token = form.context["form"].initial["submit_token"]
    data = {
        **EMPTY_FORM,
        "submit_token": str(token),
        "title": "网传小吃店卫生差",
        "source": "online",
        "source_detail": "本地论坛",
        "discovered_at": _local(timezone.now() - dt.timedelta(hours=1)),
        "content": "网帖称小吃店卫生差",
        "township": township_a.pk,
    }
    response = client.post(reverse("incidents:opinion_event_create"), data)
    assert response.status_code == 302
    e = OpinionEvent.objects.get()
    assert e.township == township_a and e.created_by == staff_a and e.subject_name == ""
    # the same form again (double click, back and resend): 409, one event
    again = client.post(reverse("incidents:opinion_event_create"), data)
    assert again.status_code == 409 and "请勿重复提交" in again.content.decode()
    assert OpinionEvent.objects.count() == 1


def test_empty_form_is_a_chinese_400_that_writes_nothing(client, city_staff):
    client.force_login(city_staff)
    response = client.post(reverse("incidents:opinion_event_create"), EMPTY_FORM)
    body = response.content.decode()
    assert response.status_code == 400
    for message in ("请填写标题", "请选择来源", "请填写舆情内容", "请填写发现时间"):
        assert message in body
    assert (
        not OpinionEvent.objects.exists()
        and not AuditEvent.objects.filter(action__startswith="incidents.opinion").exists()
    )


def test_future_discovery_keeps_what_was_typed(client, city_staff, township_a):
    client.force_login(city_staff)
    data = {
        **EMPTY_FORM,
        "title": "标题保留",
        "source": "media",
        "content": "内容保留",
        "discovered_at": _local(timezone.now() + dt.timedelta(days=1)),
    }
    response = client.post(reverse("incidents:opinion_event_create"), data)
    body = response.content.decode()
    assert response.status_code == 400 and "发现时间不能晚于现在" in body
    assert "标题保留" in body and "内容保留" in body
    assert not OpinionEvent.objects.exists()


def test_the_pipeline_through_the_pages(client, city_staff, township_a):
    e = new_event(township_a, hours_ago=3)
    client.force_login(city_staff)
    detail = reverse("incidents:opinion_event_detail", args=[e.pk])
    page = client.get(detail)
    assert page.status_code == 200 and "回应期限" in page.content.decode()
    assert (
        client.post(
            reverse("incidents:opinion_assess", args=[e.pk]),
            {"assess-heat": "4", "assess-risk": "high", "assess-note": ""},
        ).status_code
        == 302
    )
    token = client.get(detail).context["steps"]["action"].initial["submit_token"]
    action = {"action-submit_token": str(token), "action-at": "", "action-text": "约谈商家"}
    assert client.post(reverse("incidents:opinion_action", args=[e.pk]), action).status_code == 302
    dup = client.post(reverse("incidents:opinion_action", args=[e.pk]), action)
    assert dup.status_code == 409 and OpinionAction.objects.count() == 1
    responded = {"respond-responded_at": "", "respond-response_text": "官方账号发布核查情况"}
    assert client.post(reverse("incidents:opinion_respond", args=[e.pk]), responded).status_code == 302
    assert (
        client.post(reverse("incidents:opinion_close", args=[e.pk]), {"close-closing_summary": "已平息"}).status_code
        == 302
    )
    e.refresh_from_db()
    assert e.status == "closed" and e.heat == 4 and e.risk == "high"
    body = client.get(detail).content.decode()
    assert "约谈商家" in body and "按时回应" in body and "已平息" in body
    assert client.get(reverse("incidents:opinion_event_edit", args=[e.pk])).status_code == 302  # closed: not editable


@pytest.mark.parametrize(
    ("url", "stage", "data", "message", "status"),
    [
        ("incidents:opinion_assess", "pending", {"assess-heat": "9", "assess-risk": "low"}, "提交的内容有误", 400),
        ("incidents:opinion_assess", "pending", {"assess-heat": "", "assess-risk": "low"}, "热度", 400),
        ("incidents:opinion_respond", "pending", {"respond-response_text": "回应"}, "请先研判", 409),
        ("incidents:opinion_respond", "handling", {"respond-response_text": ""}, "请填写回应内容", 400),
        (
            "incidents:opinion_respond",
            "handling",
            {"respond-responded_at": "2020-01-01T00:00", "respond-response_text": "x"},
            "回应时间不能早于发现时间",
            400,
        ),
        ("incidents:opinion_close", "handling", {"close-closing_summary": "结束"}, "尚未回应", 400),
        ("incidents:opinion_close", "responded", {"close-closing_summary": ""}, "请填写处置总结", 400),
    ],
)
def test_refused_steps_are_chinese_4xx_and_write_nothing(
    client, city_staff, township_a, url, stage, data, message, status
):
    e = advance(new_event(township_a, hours_ago=3), stage)
    client.force_login(city_staff)
    before = (AuditEvent.objects.count(), e.history.count())
    response = client.post(reverse(url, args=[e.pk]), data)
    assert response.status_code == status and message in response.content.decode()
    e.refresh_from_db()
    assert e.status == stage and (AuditEvent.objects.count(), e.history.count()) == before


def test_township_staff_see_and_act_on_their_township_only(client, staff_a, township_a, township_b):
    mine, other, city = new_event(township_a), new_event(township_b), new_event(None)
    client.force_login(staff_a)
    rows = client.get(reverse("incidents:opinion_events")).context["page"].paginator.count
    assert rows == 1
    assert client.get(reverse("incidents:opinion_event_detail", args=[mine.pk])).status_code == 200
    for e in (other, city):
        assert client.get(reverse("incidents:opinion_event_detail", args=[e.pk])).status_code == 404
        assert (
            client.post(
                reverse("incidents:opinion_assess", args=[e.pk]), {"assess-heat": "2", "assess-risk": "low"}
            ).status_code
            == 404
        )


def test_leader_sees_everything_but_cannot_act(client, leader, township_a, township_b):
    e = new_event(township_a)
    new_event(township_b)
    client.force_login(leader)
    assert client.get(reverse("incidents:opinion_events")).context["page"].paginator.count == 2
    page = client.get(reverse("incidents:opinion_event_detail", args=[e.pk])).content.decode()
    assert (
        "保存研判</button>" not in page and "确认关联</button>" not in page and "<form" not in page.split("<main")[-1]
    )
    assert client.get(reverse("incidents:opinion_event_create")).status_code == 403
    assert (
        client.post(
            reverse("incidents:opinion_assess", args=[e.pk]), {"assess-heat": "2", "assess-risk": "low"}
        ).status_code
        == 403
    )
    assert client.get(reverse("incidents:opinion_export")).status_code == 403


def test_roles_without_the_permission_get_403(client, inspector_a, complaint_officer):
    for user in (inspector_a, complaint_officer):
        client.force_login(user)
        assert client.get(reverse("incidents:opinion_events")).status_code == 403


def test_untouched_filters_are_no_filter_and_bad_ones_show_an_error(client, city_staff, township_a):
    new_event(township_a)
    new_event(None, source="media")
    client.force_login(city_staff)
    empty = {k: "" for k in FILTERS}
    url = reverse("incidents:opinion_events")
    assert client.get(url, empty).context["page"].paginator.count == 2
    assert client.get(url, {**empty, "township": "none"}).context["page"].paginator.count == 1
    assert client.get(url, {**empty, "source": "media"}).context["page"].paginator.count == 1
    bad = client.get(url, {**empty, "response": "nope"})
    assert bad.status_code == 200 and bad.context["filter_errors"]


def test_timeliness_per_township_and_its_rows(client, city_staff, township_a, township_b):
    year = timezone.localdate().year
    on_time = advance(new_event(township_a, hours_ago=5), "responded", responded_after_hours=2)
    advance(new_event(township_a, hours_ago=30), "responded", responded_after_hours=25)  # late
    new_event(township_a, hours_ago=26)  # overdue, no response: late
    new_event(township_a, hours_ago=1)  # still inside its 24 hours: not counted
    advance(new_event(None, hours_ago=3), "responded")  # no township: under None
    new_event(township_b, hours_ago=2)
    counts = opinion_response_timeliness(city_staff, year=year)
    assert counts == {township_a.pk: (1, 3), None: (1, 1)}
    assert on_time.pk
    from apps.incidents.timeliness import measures

    measure = next(m for m in measures() if m.key == "opinion_response")
    assert measure.label == "舆情按时回应"
    client.force_login(city_staff)
    for township, flag, expected in (
        (township_a.pk, True, 1),
        (township_a.pk, False, 2),
        (township_a.pk, None, 3),
        ("none", True, 1),
        (None, None, 4),
    ):
        url = measure.rows_url(year=year, township=township, on_time=flag)
        assert client.get(url).context["page"].paginator.count == expected, url
    assert measure.counts(city_staff, year=year) == counts


def test_pending_response_figure_links_to_exactly_its_rows(client, city_staff, staff_a, township_a, township_b):
    from apps.dashboard.figures import pending_opinion

    new_event(township_a)
    new_event(township_b, hours_ago=30)
    advance(new_event(township_a), "responded")
    advance(new_event(township_a), "closed")
    for user, expected in ((city_staff, 2), (staff_a, 1)):
        kpi = pending_opinion(user)
        assert kpi.value == expected == pending_response_count(user)
        client.force_login(user)
        assert client.get(kpi.url).context["page"].paginator.count == expected
    client.force_login(city_staff)
    assert "待回应舆情" in client.get("/").content.decode()


def test_list_query_count_is_constant(client, city_staff, township_a):
    client.force_login(city_staff)

    def add(n):
        for _ in range(n):
            advance(new_event(township_a, hours_ago=2), "responded")

    assert_constant_queries(lambda: client.get(reverse("incidents:opinion_events")), add)


def test_detail_query_count_is_constant_in_actions_history_and_links(client, city_staff, township_a):
    from apps.incidents.opinion import services
    from tests.inspections.factories import make_enterprise

    e = new_event(township_a, hours_ago=5, subject_name="老街")
    client.force_login(city_staff)

    def add(n):
        for i in range(n):
            services.action_add(actor=city_user(), event_id=e.pk, text=f"措施{i}")
            shop = make_enterprise(township_a, name=f"老街小吃{OpinionAction.objects.count()}")
            services.enterprise_link(actor=city_user(), event_id=e.pk, enterprise_id=shop.pk)
            make_enterprise(township_a, name=f"老街面馆{OpinionAction.objects.count()}")  # a suggestion

    assert_constant_queries(lambda: client.get(reverse("incidents:opinion_event_detail", args=[e.pk])), add)


def test_export_is_an_xlsx_in_scope_with_the_list_filters(client, staff_a, township_a, township_b):
    from openpyxl import load_workbook

    mine = new_event(township_a, title="本镇舆情")
    new_event(township_a, title="另一条", source="media")
    other = new_event(township_b)
    client.force_login(staff_a)
    response = client.get(reverse("incidents:opinion_export"), {"q": "", "source": "online"})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    ws = load_workbook(io.BytesIO(response.content)).worksheets[0]
    numbers = [row[0] for row in ws.iter_rows(min_row=2, values_only=True) if row[0]]
    assert mine.number in numbers and other.number not in numbers and len(numbers) == 1


def test_large_export_becomes_a_job(client, city_staff, township_a, monkeypatch, settings):
    from apps.common.models import Job
    from apps.incidents.opinion import views

    monkeypatch.setattr(views.OpinionExportView, "sync_max_rows", 1)
    new_event(township_a)
    new_event(township_a)
    client.force_login(city_staff)
    response = client.get(reverse("incidents:opinion_export"), {"source": "online"})
    assert response.status_code == 302
    job = Job.objects.get(kind="incidents.opinion_export")
    assert job.payload == {"filters": {"source": ["online"]}}
