"""The complaint pipeline through the pages: staff entry, each step, the history and clocks, duplicates, scoping."""

import pytest
from django.urls import reverse

from apps.common.models import AuditEvent
from apps.incidents.models import Complaint, ComplaintEvent
from tests.factories.enterprises import EnterpriseFactory

from .complaints_helpers import advance, new_complaint

pytestmark = pytest.mark.django_db

EMPTY_STAFF_FORM = {
    "kind": "",
    "channel": "",
    "received_at": "",
    "content": "",
    "enterprise_ref": "",
    "subject_name": "",
    "address": "",
    "township": "",
    "name": "",
    "phone": "",
    "contact": "",
    "id_number": "",
}


def test_staff_entry_as_a_browser_submits_it(client, staff_a, township_a):
    client.force_login(staff_a)
    data = {
        **EMPTY_STAFF_FORM,
        "kind": "complaint",
        "channel": "12345",
        "content": "买到过期牛奶",
        "township": township_a.pk,
    }
    response = client.post(reverse("incidents:complaint_create"), data)
    assert response.status_code == 302, response.content.decode()
    c = Complaint.objects.get()
    assert c.township == township_a and c.anonymous and c.status == "pending"
    assert c.number.startswith("TS")
    assert ComplaintEvent.objects.filter(complaint=c, action="收到").exists()


def test_empty_staff_form_is_a_chinese_400_and_writes_nothing(client, staff_a):
    client.force_login(staff_a)
    response = client.post(reverse("incidents:complaint_create"), EMPTY_STAFF_FORM)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert {"kind", "channel"} <= set(errors)
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in m) for msgs in errors.values() for m in msgs)
    assert not Complaint.objects.exists()


def test_content_left_empty_is_named_in_chinese(client, staff_a, township_a):
    client.force_login(staff_a)
    data = {**EMPTY_STAFF_FORM, "kind": "complaint", "channel": "12345", "township": township_a.pk}
    response = client.post(reverse("incidents:complaint_create"), data)
    assert response.status_code == 400
    assert "请填写投诉举报的内容" in response.content.decode()
    assert not Complaint.objects.exists()


def test_township_staff_cannot_enter_for_another_township(client, staff_a, township_b):
    client.force_login(staff_a)
    data = {**EMPTY_STAFF_FORM, "kind": "complaint", "channel": "12345", "content": "内容", "township": township_b.pk}
    response = client.post(reverse("incidents:complaint_create"), data)
    assert response.status_code == 400
    assert not Complaint.objects.exists()


def test_the_pipeline_through_the_pages(client, complaint_officer, township_a):
    c = new_complaint(township_a)
    client.force_login(complaint_officer)
    url = lambda name: reverse(f"incidents:complaint_{name}", args=[c.pk])  # noqa: E731
    assert client.post(url("accept"), {"accept-note": ""}).status_code == 302
    assert client.post(url("route"), {"route-township": township_a.pk, "route-note": ""}).status_code == 302
    assert client.post(url("start"), {"start-note": ""}).status_code == 302
    assert client.post(url("close"), {"close-upheld": "1", "close-result_text": "查实，立案"}).status_code == 302
    assert client.post(url("feedback"), {"feedback-feedback_text": "已立案查处"}).status_code == 302
    c.refresh_from_db()
    assert c.status == "fed_back" and c.upheld is True
    assert [e.to_status for e in c.events.order_by("at", "id")] == [
        "pending",
        "accepted",
        "routed",
        "handling",
        "closed",
        "fed_back",
    ]
    page = client.get(reverse("incidents:complaint_detail", args=[c.pk])).content.decode()
    assert "按时完成" in page and "已立案查处" in page
    assert AuditEvent.objects.filter(action="incidents.complaint_feedback", object_id=str(c.pk)).exists()


@pytest.mark.parametrize(
    "step,data,message",
    [
        ("reject", {"reject-note": ""}, "不予受理须写明理由"),
        ("close", {"close-upheld": "", "close-result_text": ""}, "当前状态"),
        ("feedback", {"feedback-feedback_text": ""}, "请填写反馈内容"),
    ],
)
def test_refused_steps_are_chinese_4xx_and_write_nothing(client, complaint_officer, township_a, step, data, message):
    c = new_complaint(township_a)
    client.force_login(complaint_officer)
    before = (ComplaintEvent.objects.count(), AuditEvent.objects.count())
    response = client.post(reverse(f"incidents:complaint_{step}", args=[c.pk]), data)
    assert 400 <= response.status_code < 500
    body = response.content.decode()
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body)
    c.refresh_from_db()
    assert c.status == "pending"
    assert (ComplaintEvent.objects.count(), AuditEvent.objects.count()) == before


def test_close_on_a_pending_complaint_is_a_409(client, complaint_officer, township_a):
    c = new_complaint(township_a)
    client.force_login(complaint_officer)
    response = client.post(
        reverse("incidents:complaint_close", args=[c.pk]), {"close-upheld": "1", "close-result_text": "查实"}
    )
    assert response.status_code == 409
    assert "不能" in response.content.decode()


def test_township_staff_see_their_township_only(client, staff_a, township_a, township_b):
    mine, other = new_complaint(township_a), new_complaint(township_b)
    client.force_login(staff_a)
    body = client.get(reverse("incidents:complaints")).content.decode()
    assert mine.number in body and other.number not in body
    assert client.get(reverse("incidents:complaint_detail", args=[other.pk])).status_code == 404
    assert client.post(reverse("incidents:complaint_accept", args=[other.pk]), {}).status_code == 404


def test_city_leader_sees_but_cannot_act(client, leader, township_a):
    c = new_complaint(township_a)
    client.force_login(leader)
    assert client.get(reverse("incidents:complaint_detail", args=[c.pk])).status_code == 200
    assert client.post(reverse("incidents:complaint_accept", args=[c.pk]), {}).status_code == 403
    assert client.get(reverse("incidents:complaint_unmask", args=[c.pk])).status_code == 403


def test_duplicate_suggestion_same_enterprise_or_address_within_30_days(client, complaint_officer, township_a):
    import datetime as dt

    from django.utils import timezone

    ent = EnterpriseFactory(township=township_a)
    now = timezone.now()
    a = new_complaint(township_a, enterprise=ent, received_at=now - dt.timedelta(days=10))
    b = new_complaint(township_a, enterprise=ent, received_at=now)
    old = new_complaint(township_a, enterprise=ent, received_at=now - dt.timedelta(days=40))
    by_address = new_complaint(township_a, address="硖石街道 文苑路 12 号", received_at=now)
    same_address = new_complaint(township_a, address="硖石街道文苑路12号", received_at=now - dt.timedelta(days=2))
    client.force_login(complaint_officer)
    page = client.get(reverse("incidents:complaint_detail", args=[b.pk])).content.decode()
    assert a.number in page and old.number not in page
    page = client.get(reverse("incidents:complaint_detail", args=[by_address.pk])).content.decode()
    assert same_address.number in page
    response = client.post(reverse("incidents:complaint_duplicate", args=[b.pk]), {"original": a.pk})
    assert response.status_code == 302
    b.refresh_from_db()
    assert b.duplicate_of == a


def test_list_query_count_is_constant(client, complaint_officer, township_a):
    from tests.helpers.queries import assert_constant_queries

    client.force_login(complaint_officer)

    def add(n):
        for _ in range(n):
            advance(new_complaint(township_a), "closed")

    assert_constant_queries(lambda: client.get(reverse("incidents:complaints")), add)


def test_filters_untouched_as_a_browser_submits_them_are_no_filter(client, complaint_officer, township_a):
    new_complaint(township_a)
    new_complaint(None, kind="complaint")
    client.force_login(complaint_officer)
    empty = {k: "" for k in ("q", "kind", "channel", "status", "township", "received_from", "received_to", "overdue")}
    assert client.get(reverse("incidents:complaints"), empty).context["page"].paginator.count == 2
    assert (
        client.get(reverse("incidents:complaints"), {**empty, "kind": "complaint"}).context["page"].paginator.count == 1
    )
    bad = client.get(reverse("incidents:complaints"), {**empty, "status": "nope"})
    assert bad.status_code == 200 and bad.context["filter_errors"]


def test_export_is_an_xlsx_in_scope(client, staff_a, township_a, township_b):
    import io

    from openpyxl import load_workbook

    mine, other = new_complaint(township_a), new_complaint(township_b)
    client.force_login(staff_a)
    response = client.get(reverse("incidents:complaint_export"), {"q": ""})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    ws = load_workbook(io.BytesIO(response.content)).worksheets[0]
    numbers = [row[0] for row in ws.iter_rows(min_row=2, values_only=True)]
    assert mine.number in numbers and other.number not in numbers


def test_attachments_are_served_no_store_in_scope(client, staff_a, staff_b, township_a, reference):
    from django.core.files.base import ContentFile

    from apps.incidents.models import ComplaintAttachment

    c = new_complaint(township_a)
    att = ComplaintAttachment(complaint=c, content_type="application/pdf", size=8)
    att.file.save("x.pdf", ContentFile(b"%PDF-1.4"), save=False)
    att.save()
    url = reverse("incidents:complaint_attachment", args=[c.pk, att.pk])
    client.force_login(staff_a)
    response = client.get(url)
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert response["Content-Disposition"].startswith("attachment")
    client.force_login(staff_b)
    assert client.get(url).status_code == 404
