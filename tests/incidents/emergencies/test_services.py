"""The writes of incidents: the pipeline, every refusal of issue 11 (Chinese, 4xx, nothing written), the suggested
level following the counts, the confirmed level, one audit event per write."""

import datetime as dt

import pytest
from django.utils import timezone

from apps.common.exceptions import InvalidTransition, OutOfScope, ValidationFailed
from apps.common.models import AuditEvent
from apps.incidents.emergencies import services
from apps.incidents.models.emergencies import Incident, IncidentEvent, IncidentReport, ReportKind

from .helpers import H, advance, city, new_incident, report

pytestmark = pytest.mark.django_db
K = ReportKind


def audits(action):
    return AuditEvent.objects.filter(action=action).count()


def test_create_sets_number_clock_suggestion_history_and_audit(township_a):
    learned = timezone.now() - 30 * dt.timedelta(minutes=1)
    inc = new_incident(township_a, learned_at=learned, affected=35)
    assert inc.number.startswith(f"SJ{timezone.localtime(learned):%Y}")
    assert inc.status == "received"
    assert inc.first_report_due == learned + 2 * H
    assert inc.suggested_level == "IV" and inc.level == ""
    assert list(inc.events.values_list("action", flat=True)) == ["接报登记"]
    assert audits("incidents.incident_create") == 1


@pytest.mark.parametrize(
    ("kw", "field", "message"),
    [
        ({"dead_count": -1}, "dead_count", "人数不能小于 0"),
        ({"affected_count": -3}, "affected_count", "人数不能小于 0"),
        ({"affected_count": 2, "dead_count": 3}, "dead_count", "死亡人数不能多于涉及人数"),
        ({"townships_count": 0}, "townships_count", "涉及镇街数"),
        ({"title": "  "}, "title", "请填写事件名称"),
    ],
)
def test_create_refuses_bad_counts_and_writes_nothing(township_a, kw, field, message):
    args = {
        "actor": city(),
        "title": "某事件",
        "occurred_at": timezone.now() - 2 * H,
        "learned_at": timezone.now() - H,
        "township": township_a,
        "affected_count": 10,
        "dead_count": 0,
    }
    args.update(kw)
    with pytest.raises(ValidationFailed) as exc:
        services.incident_create(**args)
    assert field in exc.value.fields and message in exc.value.fields[field][0]
    assert exc.value.status_code == 400
    assert not Incident.objects.exists() and audits("incidents.incident_create") == 0


def test_create_refuses_learning_before_it_happened(township_a):
    now = timezone.now()
    with pytest.raises(ValidationFailed, match="获知时间不能早于发生时间"):
        services.incident_create(
            actor=city(), title="x", occurred_at=now - H, learned_at=now - 2 * H, township=township_a
        )


def test_township_staff_create_only_in_their_township(staff_a, township_a, township_b):
    now = timezone.now()
    with pytest.raises(ValidationFailed, match="本人所属的镇街"):
        services.incident_create(actor=staff_a, title="x", occurred_at=now - H, learned_at=now, township=township_b)
    inc = services.incident_create(actor=staff_a, title="x", occurred_at=now - H, learned_at=now, township=township_a)
    assert inc.township == township_a


def test_the_pipeline_initial_followup_final_close(township_a):
    inc = new_incident(township_a, affected=40)
    report(inc, K.INITIAL, at=inc.learned_at + H)
    inc.refresh_from_db()
    assert inc.status == "handling" and inc.first_reported_at == inc.learned_at + H
    report(inc, K.FOLLOWUP)
    report(inc, K.FOLLOWUP)
    report(inc, K.FINAL)
    inc.refresh_from_db()
    assert inc.status == "final_reported" and inc.final_reported_at is not None
    services.incident_level_confirm(actor=city(), incident_id=inc.pk, level="IV")
    services.incident_close(actor=city(), incident_id=inc.pk, summary="原因查明")
    inc.refresh_from_db()
    assert inc.status == "closed" and inc.closing_summary == "原因查明" and inc.closed_at
    assert list(inc.reports.values_list("kind", flat=True)) == ["initial", "followup", "followup", "final"]
    assert audits("incidents.incident_report") == 4 and audits("incidents.incident_close") == 1
    statuses = [(e.from_status, e.to_status) for e in inc.events.exclude(to_status="")]
    assert statuses == [
        ("", "received"),
        ("received", "handling"),
        ("handling", "final_reported"),
        ("final_reported", "closed"),
    ]


def test_a_report_before_the_incident_was_learned_of_is_refused(township_a):
    inc = new_incident(township_a)
    with pytest.raises(ValidationFailed) as exc:
        report(inc, K.INITIAL, at=inc.learned_at - dt.timedelta(minutes=1))
    assert exc.value.fields["submitted_at"] == ["报送时间不能早于获知事件的时间"]
    assert not IncidentReport.objects.exists()
    report(inc, K.INITIAL, at=inc.learned_at)  # at the very minute: accepted


def test_a_report_in_the_future_is_refused(township_a):
    inc = new_incident(township_a)
    with pytest.raises(ValidationFailed, match="报送时间不能晚于现在"):
        report(inc, K.INITIAL, at=timezone.now() + H)


@pytest.mark.parametrize("kind", [K.FOLLOWUP, K.FINAL])
def test_followup_or_final_before_the_initial_report_is_refused(township_a, kind):
    inc = new_incident(township_a)
    with pytest.raises(InvalidTransition, match="请先报送初报") as exc:
        report(inc, kind)
    assert exc.value.status_code == 409
    assert not IncidentReport.objects.exists()


def test_a_second_initial_report_is_refused(township_a):
    inc = new_incident(township_a)
    report(inc, K.INITIAL)
    with pytest.raises(InvalidTransition, match="初报已报送"):
        report(inc, K.INITIAL)


def test_final_report_twice_is_refused(township_a):
    inc = advance(new_incident(township_a), "final_reported")
    with pytest.raises(InvalidTransition, match="终报已报送"):
        report(inc, K.FINAL)
    with pytest.raises(InvalidTransition, match="终报已报送"):
        report(inc, K.FOLLOWUP)
    assert inc.reports.filter(kind="final").count() == 1


def test_a_report_earlier_than_the_previous_one_is_refused(township_a):
    inc = new_incident(township_a, learned_at=timezone.now() - 5 * H)
    report(inc, K.INITIAL, at=inc.learned_at + 2 * H)
    with pytest.raises(ValidationFailed, match="不能早于上一次报告"):
        report(inc, K.FOLLOWUP, at=inc.learned_at + H)


def test_empty_report_content_is_refused(township_a):
    inc = new_incident(township_a)
    with pytest.raises(ValidationFailed) as exc:
        report(inc, K.INITIAL, content="  ")
    assert exc.value.fields["content"] == ["请填写报告内容"]


def test_closing_without_final_report_is_refused(township_a):
    inc = advance(new_incident(township_a), "handling")
    services.incident_level_confirm(actor=city(), incident_id=inc.pk, level="IV", note="一般")
    with pytest.raises(InvalidTransition, match="报送终报后才能结案"):
        services.incident_close(actor=city(), incident_id=inc.pk, summary="总结")
    inc.refresh_from_db()
    assert inc.status == "handling" and audits("incidents.incident_close") == 0


def test_closing_needs_a_summary_and_a_confirmed_level(township_a):
    inc = advance(new_incident(township_a), "final_reported")
    with pytest.raises(ValidationFailed, match="请填写结案总结"):
        services.incident_close(actor=city(), incident_id=inc.pk, summary="")
    with pytest.raises(InvalidTransition, match="请先确认事件级别"):
        services.incident_close(actor=city(), incident_id=inc.pk, summary="总结")


def test_a_closed_incident_is_not_edited(township_a):
    inc = advance(new_incident(township_a), "closed")
    before = AuditEvent.objects.count()
    calls = [
        lambda: services.incident_update(actor=city(), incident_id=inc.pk, data={"affected_count": 99}),
        lambda: report(inc, K.FOLLOWUP),
        lambda: services.incident_action_add(actor=city(), incident_id=inc.pk, at=timezone.now(), text="补充"),
        lambda: services.incident_level_confirm(actor=city(), incident_id=inc.pk, level="III", note="改"),
        lambda: services.incident_close(actor=city(), incident_id=inc.pk, summary="再结一次"),
    ]
    for call in calls:
        with pytest.raises(InvalidTransition, match="事件已结案"):
            call()
    inc.refresh_from_db()
    assert inc.affected_count == 10 and AuditEvent.objects.count() == before


def test_the_suggested_level_follows_the_counts(township_a):
    inc = new_incident(township_a, affected=10)
    assert inc.suggested_level == ""
    for affected, dead, expected in [(30, 0, "IV"), (100, 0, "III"), (100, 1, "II"), (40, 0, "IV")]:
        inc = services.incident_update(
            actor=city(), incident_id=inc.pk, data={"affected_count": affected, "dead_count": dead}
        )
        assert inc.suggested_level == expected
    assert inc.level == ""  # the suggestion never sets the confirmed level
    assert IncidentEvent.objects.filter(incident=inc, note__startswith="建议级别变为").count() == 4


def test_update_refuses_dead_above_affected_and_keeps_the_row(township_a):
    inc = new_incident(township_a, affected=10)
    with pytest.raises(ValidationFailed, match="死亡人数不能多于涉及人数"):
        services.incident_update(actor=city(), incident_id=inc.pk, data={"dead_count": 11})
    with pytest.raises(ValidationFailed, match="人数不能小于 0"):
        services.incident_update(actor=city(), incident_id=inc.pk, data={"dead_count": -1})
    inc.refresh_from_db()
    assert inc.dead_count == 0 and audits("incidents.incident_update") == 0


def test_moving_learned_at_recomputes_the_deadline_but_not_past_a_report(township_a):
    inc = new_incident(township_a, learned_at=timezone.now() - 5 * H)
    earlier = inc.learned_at - H
    inc = services.incident_update(actor=city(), incident_id=inc.pk, data={"learned_at": earlier})
    assert inc.first_report_due == earlier + 2 * H
    report(inc, K.INITIAL, at=earlier + H)
    with pytest.raises(ValidationFailed, match="不能晚于已报送的报告"):
        services.incident_update(
            actor=city(), incident_id=inc.pk, data={"learned_at": earlier + 90 * dt.timedelta(minutes=1)}
        )


def test_level_confirmation_differs_from_the_suggestion_only_with_a_reason(township_a):
    inc = new_incident(township_a, affected=120)
    with pytest.raises(ValidationFailed, match="请说明理由"):
        services.incident_level_confirm(actor=city(), incident_id=inc.pk, level="II")
    with pytest.raises(ValidationFailed, match="请选择确认的级别"):
        services.incident_level_confirm(actor=city(), incident_id=inc.pk, level="")
    services.incident_level_confirm(actor=city(), incident_id=inc.pk, level="III")
    inc = services.incident_level_confirm(actor=city(), incident_id=inc.pk, level="II", note="社会影响大")
    assert inc.level == "II" and inc.level_confirmed_by == city()
    event = AuditEvent.objects.filter(action="incidents.incident_level_confirm").order_by("-seq").first()
    assert event.changes["level"] == ["III", "II"] and event.extra["suggested_level"] == "III"


def test_township_staff_cannot_confirm_levels_or_close(staff_a, township_a):
    from django.core.exceptions import PermissionDenied

    inc = new_incident(township_a)
    with pytest.raises(PermissionDenied):
        services.incident_level_confirm(actor=staff_a, incident_id=inc.pk, level="IV")


def test_township_staff_cannot_write_to_another_townships_incident(staff_b, township_a):
    inc = new_incident(township_a)
    with pytest.raises(OutOfScope):
        services.incident_report_submit(
            actor=staff_b, incident_id=inc.pk, kind=K.INITIAL, content="x", submitted_at=timezone.now()
        )


def test_actions_are_recorded_and_not_before_the_incident(township_a):
    inc = new_incident(township_a)
    with pytest.raises(ValidationFailed, match="请填写处置措施"):
        services.incident_action_add(actor=city(), incident_id=inc.pk, at=timezone.now(), text="")
    with pytest.raises(ValidationFailed, match="不能早于事件发生时间"):
        services.incident_action_add(actor=city(), incident_id=inc.pk, at=inc.occurred_at - H, text="封存")
    services.incident_action_add(actor=city(), incident_id=inc.pk, at=timezone.now(), text="封存可疑食品")
    assert list(inc.actions.values_list("text", flat=True)) == ["封存可疑食品"]
    assert audits("incidents.incident_action") == 1


def test_enterprises_and_sample_refs_are_linked(township_a):
    from tests.inspections.factories import make_enterprise

    ent = make_enterprise(township_a)
    inc = new_incident(township_a, enterprises=[ent], sample_refs=["sampling-sample:7", "sampling-sample:7"])
    assert list(inc.enterprises.all()) == [ent]
    assert list(inc.links.values_list("ref", flat=True)) == ["sampling-sample:7"]
    services.incident_update(actor=city(), incident_id=inc.pk, data={}, sample_refs=["sampling-sample:8"])
    assert list(inc.links.values_list("ref", flat=True)) == ["sampling-sample:8"]
