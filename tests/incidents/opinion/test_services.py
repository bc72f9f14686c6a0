"""舆情 services: the pipeline, the response clock (configuration in force by date, over midnight), validation
(Chinese 4xx, nothing written), double submissions, audit and history."""

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from apps.common.exceptions import Conflict, InvalidTransition, ValidationFailed
from apps.common.models import AuditEvent
from apps.incidents.models import OpinionAction, OpinionEvent, OpinionRules
from apps.incidents.opinion import services
from apps.incidents.opinion.selectors import response_clock_of

from .helpers import advance, city_user, new_event

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def test_default_rule_is_24_hours_from_the_data_migration(reference):
    rule = OpinionRules.objects.in_force(dt.date(2026, 12, 1))
    assert rule.response_hours == 24 and rule.effective_from == dt.date(2019, 1, 1)


def test_create_sets_number_clock_history_and_one_audit_event(township_a):
    e = new_event(township_a, hours_ago=2)
    assert e.number.startswith("YQ") and e.status == "pending"
    assert e.response_hours == 24 and e.response_due == e.discovered_at + dt.timedelta(hours=24)
    assert list(e.history.values_list("action", flat=True)) == ["登记"]
    assert AuditEvent.objects.filter(action="incidents.opinion_create", object_id=str(e.pk)).count() == 1


def test_full_pipeline_and_on_time_response(township_a):
    e = advance(new_event(township_a, hours_ago=5), "closed", responded_after_hours=3)
    assert e.status == "closed" and e.closing_summary == "舆情平息"
    assert response_clock_of(e).state == "on_time"
    assert [h.to_status for h in e.history.order_by("id")] == ["pending", "handling", "responded", "closed"]
    actions = set(AuditEvent.objects.filter(object_id=str(e.pk)).values_list("action", flat=True))
    assert {"incidents.opinion_assess", "incidents.opinion_respond", "incidents.opinion_close"} <= actions


def test_late_response_and_overdue_clock(township_a):
    late = advance(new_event(township_a, hours_ago=30), "responded", responded_after_hours=26)
    assert response_clock_of(late).state == "late"
    overdue = new_event(township_a, hours_ago=25)
    assert response_clock_of(overdue).state == "overdue"
    running = new_event(township_a, hours_ago=23)
    assert response_clock_of(running).state == "running"


@pytest.mark.parametrize(
    ("discovered", "hours", "due"),
    [
        # discovered late in the evening: the 24-hour rule in force that day, due the next evening
        (dt.datetime(2026, 3, 1, 23, 30, tzinfo=TZ), 24, dt.datetime(2026, 3, 2, 23, 30, tzinfo=TZ)),
        # half an hour later, past midnight: the 12-hour rule that took effect on 2 March
        (dt.datetime(2026, 3, 2, 0, 30, tzinfo=TZ), 12, dt.datetime(2026, 3, 2, 12, 30, tzinfo=TZ)),
        # elapsed hours across a holiday (Labour Day 2026): not working days
        (dt.datetime(2026, 5, 1, 9, 0, tzinfo=TZ), 12, dt.datetime(2026, 5, 1, 21, 0, tzinfo=TZ)),
    ],
)
def test_the_clock_uses_the_rule_in_force_on_the_local_date_of_discovery(township_a, discovered, hours, due):
    OpinionRules.objects.create(effective_from=dt.date(2026, 3, 2), response_hours=12)
    e = new_event(township_a, discovered_at=discovered)
    assert e.response_hours == hours and e.response_due == due


def test_editing_the_discovery_time_moves_the_clock(township_a):
    OpinionRules.objects.create(effective_from=dt.date(2026, 3, 2), response_hours=12)
    e = new_event(township_a, discovered_at=dt.datetime(2026, 3, 1, 20, 0, tzinfo=TZ))
    data = {f: getattr(e, f) for f in services.EDIT_FIELDS}
    data.update(township=township_a, discovered_at=dt.datetime(2026, 3, 2, 8, 0, tzinfo=TZ))
    e = services.event_update(actor=city_user(), event_id=e.pk, data=data)
    assert e.response_hours == 12 and e.response_due == dt.datetime(2026, 3, 2, 20, 0, tzinfo=TZ)
    assert AuditEvent.objects.filter(action="incidents.opinion_update", object_id=str(e.pk)).count() == 1


def _count():
    return (OpinionEvent.objects.count(), OpinionAction.objects.count(), AuditEvent.objects.count())


def test_discovered_in_the_future_is_refused(township_a):
    before = _count()
    with pytest.raises(ValidationFailed, match="发现时间不能晚于现在") as exc:
        new_event(township_a, discovered_at=timezone.now() + dt.timedelta(hours=1))
    assert exc.value.status_code == 400 and "discovered_at" in exc.value.fields
    assert _count() == before


@pytest.mark.parametrize("heat", [0, 6, -1, "x", None, ""])
def test_heat_out_of_1_to_5_is_refused(township_a, heat):
    e = new_event(township_a)
    with pytest.raises(ValidationFailed) as exc:
        services.event_assess(actor=city_user(), event_id=e.pk, heat=heat, risk="low")
    assert "热度" in exc.value.message and exc.value.status_code == 400
    e.refresh_from_db()
    assert e.status == "pending" and e.heat is None


def test_responded_before_discovered_is_refused(township_a):
    e = advance(new_event(township_a, hours_ago=3), "handling")
    with pytest.raises(ValidationFailed, match="回应时间不能早于发现时间"):
        services.event_respond(
            actor=city_user(), event_id=e.pk, text="回应", responded_at=e.discovered_at - dt.timedelta(minutes=1)
        )
    with pytest.raises(ValidationFailed, match="回应时间不能晚于现在"):
        services.event_respond(
            actor=city_user(), event_id=e.pk, text="回应", responded_at=timezone.now() + dt.timedelta(hours=2)
        )
    e.refresh_from_db()
    assert e.status == "handling" and e.responded_at is None


def test_respond_before_assessment_is_a_409(township_a):
    e = new_event(township_a)
    with pytest.raises(InvalidTransition, match="请先研判"):
        services.event_respond(actor=city_user(), event_id=e.pk, text="回应")


def test_closing_without_a_response_is_refused(township_a):
    for stage in ("pending", "handling"):
        e = advance(new_event(township_a), stage)
        with pytest.raises(ValidationFailed, match="尚未回应") as exc:
            services.event_close(actor=city_user(), event_id=e.pk, summary="结束")
        assert exc.value.status_code == 400
        e.refresh_from_db()
        assert e.status == stage and e.closed_at is None


def test_source_detail_is_text_and_never_fetched(township_a, monkeypatch):
    import socket

    def no_network(*args, **kwargs):
        raise AssertionError("the source URL must never be fetched")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    e = new_event(township_a, source_detail="  http://169.254.169.254/latest/meta-data/  ")
    assert e.source_detail == "http://169.254.169.254/latest/meta-data/"
    with pytest.raises(ValidationFailed, match="一行文字"):
        new_event(township_a, source_detail="第一行\n第二行")
    with pytest.raises(ValidationFailed, match="500"):
        new_event(township_a, source_detail="x" * 501)


def test_create_names_every_missing_field_in_chinese(township_a):
    with pytest.raises(ValidationFailed) as exc:
        services.event_create(actor=city_user(), data={"township": township_a})
    assert set(exc.value.fields) == {"title", "source", "content", "discovered_at"}


def test_the_same_form_submitted_twice_is_a_409_and_writes_once(township_a):
    token = uuid.uuid4()
    data = {
        "title": "重复提交",
        "source": "media",
        "content": "内容",
        "township": township_a,
        "discovered_at": timezone.now(),
    }
    first = services.event_create(actor=city_user(), data=data, submit_token=token)
    with pytest.raises(Conflict) as exc:
        services.event_create(actor=city_user(), data=data, submit_token=token)
    assert exc.value.status_code == 409
    assert list(OpinionEvent.objects.values_list("pk", flat=True)) == [first.pk]


def test_actions_recorded_once_per_form_and_not_before_discovery_or_after_closing(township_a):
    e = new_event(township_a, hours_ago=4)
    token = uuid.uuid4()
    services.action_add(actor=city_user(), event_id=e.pk, text="通知镇街核查", submit_token=token)
    with pytest.raises(Conflict):
        services.action_add(actor=city_user(), event_id=e.pk, text="通知镇街核查", submit_token=token)
    with pytest.raises(ValidationFailed, match="不能早于发现时间"):
        services.action_add(actor=city_user(), event_id=e.pk, text="早", at=e.discovered_at - dt.timedelta(hours=1))
    with pytest.raises(ValidationFailed, match="请填写处置措施"):
        services.action_add(actor=city_user(), event_id=e.pk, text="  ")
    closed = advance(e, "closed")
    with pytest.raises(InvalidTransition):
        services.action_add(actor=city_user(), event_id=closed.pk, text="晚了")
    assert OpinionAction.objects.filter(event=e).count() == 1


def test_township_staff_record_for_their_township_only(staff_a, township_a, township_b):
    with pytest.raises(ValidationFailed, match="本人所属的镇街"):
        new_event(township_b, actor=staff_a)
    with pytest.raises(ValidationFailed, match="本人所属的镇街"):
        new_event(None, actor=staff_a)
    assert new_event(township_a, actor=staff_a).township == township_a


def test_leader_cannot_write(leader, township_a):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        new_event(township_a, actor=leader)
    e = new_event(township_a)
    with pytest.raises(PermissionDenied):
        services.event_assess(actor=leader, event_id=e.pk, heat=2, risk="low")


def test_the_database_refuses_what_the_services_refuse(township_a):
    from django.db import IntegrityError, transaction

    e = new_event(township_a)
    for bad in ({"heat": 6}, {"responded_at": e.discovered_at - dt.timedelta(hours=1)}, {"closed_at": timezone.now()}):
        with pytest.raises(IntegrityError), transaction.atomic():
            OpinionEvent.objects.filter(pk=e.pk).update(**bad)


def test_a_second_response_or_close_is_a_409_and_changes_nothing(township_a):
    e = advance(new_event(township_a, hours_ago=3), "responded")
    first = (e.responded_at, e.response_text, e.history.count())
    with pytest.raises(InvalidTransition):
        services.event_respond(actor=city_user(), event_id=e.pk, text="又一次")
    e.refresh_from_db()
    assert (e.responded_at, e.response_text, e.history.count()) == first
    e = advance(e, "closed")
    with pytest.raises(InvalidTransition):
        services.event_close(actor=city_user(), event_id=e.pk, summary="再关一次")
