"""风险会商: a meeting with decisions that add or change plan lines (through the plan-line services), with audit
events; the page posts as a browser does (empty decision rows included), previews, then confirms; bad input names
the field and writes nothing; the formset is capped."""

import datetime as dt

import pytest

from apps.common.exceptions import DomainError
from apps.common.models import AuditEvent
from apps.sampling.choices import LineOrigin
from apps.sampling.models import ConsultationDecision, ConsultationMeeting, PlanLine
from apps.sampling.targeting import services
from tests.factories.sampling import PlanLineFactory
from tests.helpers.queries import assert_constant_queries

pytestmark = pytest.mark.django_db
NEW = "/sampling/consultations/new/"


@pytest.fixture
def line(open_plan, township_a, catalogue):
    return PlanLineFactory(plan=open_plan, township=township_a, category=catalogue["catering"], month=3, batches=10)


def _meeting(today, **over):
    data = {
        "held_on": today,
        "title": "第四季度食品安全风险会商",
        "participants": "市市场监管局、市卫健局、各镇街食安办",
        "summary": "近期小龙虾、网红糕点投诉增多，研究加抽。",
        "decisions": [],
    }
    data.update(over)
    return data


def test_service_adds_and_changes_lines_with_audit(city_staff, open_plan, line, township_b, catalogue, today):
    decisions = [
        {
            "text": "许村镇加抽糕点 5 批",
            "kind": "add",
            "plan_id": open_plan.pk,
            "township_id": township_b.pk,
            "category_id": catalogue["pastry"].pk,
            "month": 11,
            "batches": 5,
        },
        {
            "text": "硖石餐饮食品增至 15 批，提前到 2 月",
            "kind": "change",
            "line_id": line.pk,
            "batches": 15,
            "month": 2,
        },
        {"text": "继续关注投诉趋势", "kind": "none"},
    ]
    before = AuditEvent.objects.count()
    meeting = services.meeting_create(actor=city_staff, **_meeting(today, decisions=decisions))
    # the changed line becomes a consultation line too (the plans service records who changed it last)
    added = PlanLine.objects.exclude(pk=line.pk).get(origin=LineOrigin.CONSULTATION)
    assert (added.township, added.category, added.month, added.batches) == (township_b, catalogue["pastry"], 11, 5)
    first, second, third = meeting.decisions.order_by("id")
    assert added.origin_ref == f"consultation-decision:{first.pk}" and first.plan_line == added
    line.refresh_from_db()
    assert (line.batches, line.month) == (15, 2)
    assert (line.origin, line.origin_ref) == (LineOrigin.CONSULTATION, f"consultation-decision:{second.pk}")
    assert second.plan_line == line and second.change == {"batches": [10, 15], "month": [3, 2]}
    assert third.plan_line is None and third.change == {}
    actions = list(AuditEvent.objects.order_by("seq")[before:].values_list("action", flat=True))
    assert actions == ["sampling.line_create", "sampling.line_update", "sampling.consultation_create"]
    record = AuditEvent.objects.get(action="sampling.consultation_create")
    assert [d["kind"] for d in record.extra["decisions"]] == ["add", "change", "none"]
    update = AuditEvent.objects.get(action="sampling.line_update")  # the plans service's event: the line's diff
    assert update.changes["batches"] == [10, 15] and update.changes["month"] == [3, 2]
    assert update.changes["origin_ref"][1] == f"consultation-decision:{second.pk}"


def test_change_of_category_is_recorded_in_words(city_staff, line, catalogue, today):
    decisions = [
        {"text": "改抽食用农产品", "kind": "change", "line_id": line.pk, "category_id": catalogue["produce"].pk}
    ]
    meeting = services.meeting_create(actor=city_staff, **_meeting(today, decisions=decisions))
    assert meeting.decisions.get().change == {"category": ["餐饮食品", "食用农产品"]}


@pytest.mark.parametrize(
    ("decision", "field"),
    [
        ({"text": "x", "kind": "change", "line_id": 999999, "batches": 3}, "decisions-0-line"),
        ({"text": "x", "kind": "change", "line_id": "LINE", "batches": 3}, "decisions-0-line"),
        (
            {"text": "x", "kind": "add", "plan_id": None, "township_id": 1, "category_id": 1, "month": 1, "batches": 1},
            "decisions-0-plan",
        ),
        ({"text": "x", "kind": "add", "PLAN": "sub", "month": 13}, "decisions-0-plan"),
        ({"text": "", "kind": "none"}, "decisions-0-text"),
        ({"text": "x", "kind": "delete"}, "decisions-0-kind"),
    ],
)
def test_bad_decision_names_it_and_writes_nothing(city_staff, line, today, decision, field):
    before = (ConsultationMeeting.objects.count(), PlanLine.objects.count(), AuditEvent.objects.count())
    with pytest.raises(DomainError) as exc:
        services.meeting_create(actor=city_staff, **_meeting(today, decisions=[decision]))
    assert field in exc.value.fields, exc.value.fields
    assert exc.value.message.startswith("第 1 项决定")
    assert (ConsultationMeeting.objects.count(), PlanLine.objects.count(), AuditEvent.objects.count()) == before
    line.refresh_from_db()
    assert line.batches == 10


def test_a_failing_second_decision_undoes_the_first(city_staff, open_plan, line, township_a, catalogue, today):
    decisions = [
        {
            "text": "加抽",
            "kind": "add",
            "plan_id": open_plan.pk,
            "township_id": township_a.pk,
            "category_id": catalogue["pastry"].pk,
            "month": 1,
            "batches": 2,
        },
        {"text": "调整", "kind": "change", "line_id": line.pk, "batches": 0},
    ]
    with pytest.raises(DomainError) as exc:
        services.meeting_create(actor=city_staff, **_meeting(today, decisions=decisions))
    assert "decisions-1-batches" in exc.value.fields
    assert not PlanLine.objects.filter(origin=LineOrigin.CONSULTATION).exists()
    assert not ConsultationMeeting.objects.exists()


def test_meeting_fields_are_checked(city_staff, today):
    for over, field in (
        ({"held_on": today + dt.timedelta(days=1)}, "held_on"),
        ({"title": " "}, "title"),
        ({"summary": ""}, "summary"),
        ({"decisions": [{"text": "x"}] * 21}, "decisions"),
    ):
        with pytest.raises(DomainError) as exc:
            services.meeting_create(actor=city_staff, **_meeting(today, **over))
        assert field in exc.value.fields
    assert not ConsultationMeeting.objects.exists()


def _post_data(today, rows):
    """The form as a browser posts it: every field of every row, untouched ones empty."""
    data = {
        "held_on": today.isoformat(),
        "title": "第四季度会商",
        "participants": "市局、卫健局",
        "summary": "纪要",
        "decisions-TOTAL_FORMS": str(len(rows)),
        "decisions-INITIAL_FORMS": "0",
        "decisions-MIN_NUM_FORMS": "0",
        "decisions-MAX_NUM_FORMS": "20",
    }
    blank = {
        "text": "",
        "kind": "none",
        "plan": "",
        "township": "",
        "line": "",
        "category": "",
        "month": "",
        "batches": "",
        "source": "targeted",
    }
    for i, row in enumerate(rows):
        for key, value in {**blank, **row}.items():
            data[f"decisions-{i}-{key}"] = str(value)
    return data


def test_page_flow_preview_confirm(client, city_staff, open_plan, line, township_b, catalogue, today):
    client.force_login(city_staff)
    assert client.get(NEW).status_code == 200
    rows = [
        {
            "text": "许村镇加抽糕点",
            "kind": "add",
            "plan": open_plan.pk,
            "township": township_b.pk,
            "category": catalogue["pastry"].pk,
            "month": 4,
            "batches": 3,
        },
        {"text": "增加批次", "kind": "change", "line": line.pk, "batches": 12},
        {},  # an untouched row
    ]
    preview = client.post(NEW, _post_data(today, rows))
    assert preview.status_code == 200, preview.context["formset"].errors if preview.context else preview
    html = preview.content.decode()
    assert "确认保存会商记录" in html and "调整前" in html and "新增：" in html
    assert not ConsultationMeeting.objects.exists()
    done = client.post(NEW, {**preview.context["confirm"].hidden, "confirm": "yes"})
    assert done.status_code == 302
    meeting = ConsultationMeeting.objects.get()
    assert done["Location"] == f"/sampling/consultations/{meeting.pk}/"
    assert meeting.decisions.count() == 2
    line.refresh_from_db()
    assert line.batches == 12
    detail = client.get(done["Location"]).content.decode()
    assert "许村镇加抽糕点" in detail and '10<span class="change-arrow"' in detail
    listing = client.get("/sampling/consultations/").content.decode()
    assert "第四季度会商" in listing


def test_page_errors_beside_the_row(client, city_staff, line, today):
    client.force_login(city_staff)
    rows = [{"text": "", "kind": "add"}, {"text": "调整", "kind": "change"}]
    response = client.post(NEW, _post_data(today, rows))
    assert response.status_code == 400
    first, second = response.context["formset"].forms[:2]
    assert first.errors["text"] == ["请填写决定事项"]
    assert first.errors["plan"] == ["新增明细请选择计划"] and first.errors["batches"] == ["新增明细请填写批次"]
    assert second.errors["line"] == ["调整明细请填写计划明细编号"]
    assert not ConsultationMeeting.objects.exists()


def test_confirm_of_a_missing_line_is_placed_on_its_row(client, city_staff, line, today):
    client.force_login(city_staff)
    data = {**_post_data(today, [{"text": "调整", "kind": "change", "line": 999999, "batches": 2}]), "confirm": "yes"}
    response = client.post(NEW, data)
    assert response.status_code == 400
    assert response.context["formset"].forms[0].errors["line"] == ["不存在或不在管辖范围内"]
    assert not ConsultationMeeting.objects.exists()


def test_forged_total_forms_is_capped(client, city_staff, today):
    client.force_login(city_staff)
    data = _post_data(today, [])
    data["decisions-TOTAL_FORMS"] = "100000"
    response = client.post(NEW, data)
    assert response.status_code == 400
    assert "一次会商最多记录 20 项决定" in response.content.decode()
    assert len(response.context["formset"].forms) == 20


def test_only_city_staff_record_meetings(client, staff_a, leader):
    for user in (staff_a, leader):
        client.force_login(user)
        assert client.get("/sampling/consultations/").status_code == 403
        assert client.post(NEW, {}).status_code == 403


def test_meeting_list_query_count(client, city_staff, line, today):
    client.force_login(city_staff)

    def add(n):
        for i in range(n):
            meeting = ConsultationMeeting.objects.create(
                held_on=today - dt.timedelta(days=i),
                title=f"会商{i}",
                participants="p",
                summary="s",
                created_by=city_staff,
            )
            ConsultationDecision.objects.create(meeting=meeting, text="t", plan_line=line)

    assert_constant_queries(fetch=lambda: client.get("/sampling/consultations/"), add_rows=add)


def test_meeting_detail_is_404_for_a_missing_one(client, city_staff):
    client.force_login(city_staff)
    assert client.get("/sampling/consultations/999999/").status_code == 404
