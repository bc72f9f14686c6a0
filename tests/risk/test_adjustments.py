"""Adjustments: events of the previous year(s) raise or lower the grade as the scheme's rules say; a manual override
needs a reason and a second person."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from apps.common.exceptions import Conflict, DomainError, ValidationFailed
from apps.common.models import AuditEvent
from apps.risk import services
from apps.risk.models import RiskAssessment

pytestmark = pytest.mark.django_db
ON = dt.date(2025, 6, 1)


@pytest.fixture
def low_risk(enterprise_factory, township_a):
    """A small restaurant graded A from its static score alone (total 22.5)."""
    return enterprise_factory(township_a, "small_restaurant", ["C01"], "micro")


def record(ent, actor, event_type, day):
    return services.risk_event_record(
        enterprise_id=ent.pk, event_type=event_type, occurred_on=day, description="测试事件", actor=actor
    )


def grade(ent, actor, on=ON):
    return services.assessment_recompute(enterprise_id=ent.pk, actor=actor, on=on)


@pytest.mark.parametrize(
    "events, expected",
    [
        ([], "A"),
        (["failed_sample"], "B"),
        (["failed_sample", "failed_sample"], "C"),  # two failed batches: the 2-level rule
        (["incident"], "C"),
        (["obstruction", "recall_failure"], "B"),  # several 1-level rules: the largest raise, not the sum
        (["dishonesty_list"], "D"),
        (["failed_sample", "dishonesty_list", "certification"], "D"),
    ],
)
def test_events_of_last_year_raise_this_years_grade(city_staff, low_risk, events, expected):
    for n, kind in enumerate(events):
        record(low_risk, city_staff, kind, dt.date(2024, 3, 1 + n))
    a = grade(low_risk, city_staff)
    assert a.score_grade == "A" and a.grade == expected
    applied = [x for x in a.adjustments if x["applied"]]
    assert {x["event_type"] for x in applied} == set(events) - {"certification"}


def test_events_of_the_current_year_wait_for_next_year(city_staff, low_risk):
    record(low_risk, city_staff, "incident", dt.date(2025, 2, 1))
    assert grade(low_risk, city_staff).grade == "A"
    assert grade(low_risk, city_staff, on=dt.date(2026, 1, 1)).grade == "C"


def test_lowering_applies_only_without_raising_events(city_staff, enterprise_factory, township_a):
    ent = enterprise_factory(township_a, "catering", ["C02"], "medium")  # static 19 → 47.5 → C
    record(ent, city_staff, "certification", dt.date(2023, 5, 1))  # 3-year window
    a = grade(ent, city_staff)
    assert (a.score_grade, a.grade) == ("C", "B")
    record(ent, city_staff, "deliberate_violation", dt.date(2024, 5, 1))
    b = grade(ent, city_staff)
    assert b.grade == "D"  # raised one level from C; the certification does not count
    assert [x["applied"] for x in b.adjustments if x["event_type"] == "certification"] == [False]


def test_voided_event_no_longer_counts_but_old_grades_keep_their_snapshot(city_staff, low_risk):
    ev = record(low_risk, city_staff, "failed_sample", dt.date(2024, 3, 1))
    before = grade(low_risk, city_staff)
    assert before.grade == "B"
    services.risk_event_void(event_id=ev.pk, reason="抽检结论经复检撤销", actor=city_staff)
    assert grade(low_risk, city_staff).grade == "A"
    assert services.regrade_check(before)["ok"]


def test_event_recording_is_validated_scoped_and_audited(staff_a, staff_b, leader, low_risk):
    with pytest.raises(ValidationFailed):
        record(low_risk, staff_a, "failed_sample", dt.date.today() + dt.timedelta(days=1))
    with pytest.raises(ValidationFailed):
        record(low_risk, staff_a, "nonsense", ON)
    with pytest.raises(PermissionDenied):
        record(low_risk, leader, "failed_sample", ON)
    with pytest.raises(DomainError):  # OutOfScope
        record(low_risk, staff_b, "failed_sample", ON)
    ev = record(low_risk, staff_a, "failed_sample", ON)
    assert AuditEvent.objects.filter(action="risk.event.record", object_id=str(ev.pk)).exists()


def test_rules_are_configuration(city_staff, cfda, low_risk):
    """Change the rule in a new version: a failed sample now goes straight to D."""
    from apps.risk.schemes_io import scheme_dump

    rules = scheme_dump(cfda)["adjustment_rules"]
    for r in rules:
        if r["event_type"] == "failed_sample":
            r.update(action="to_d")
    draft = services.scheme_revise(
        scheme_id=cfda.pk, effective_from=dt.date(2025, 1, 1), actor=city_staff, changes={"adjustment_rules": rules}
    )
    services.scheme_activate(scheme_id=draft.pk, actor=city_staff)
    record(low_risk, city_staff, "failed_sample", dt.date(2024, 3, 1))
    assert grade(low_risk, city_staff).grade == "D"
    assert grade(low_risk, city_staff, on=dt.date(2024, 12, 31)).grade == "A"  # old version, event not yet counted


# ---------------------------------------------------------------------------- manual override
def test_override_needs_reason_and_a_second_person(city_staff, user_factory, staff_a, low_risk):
    base = grade(low_risk, city_staff)
    with pytest.raises(ValidationFailed):
        services.override_propose(enterprise_id=low_risk.pk, to_grade="C", reason="短", actor=staff_a)
    proposal = services.override_propose(
        enterprise_id=low_risk.pk, to_grade="C", reason="群众投诉集中，现场发现卫生状况差", actor=staff_a
    )
    with pytest.raises(Conflict):
        services.override_propose(enterprise_id=low_risk.pk, to_grade="D", reason="再次提出调整申请", actor=staff_a)
    with pytest.raises(PermissionDenied):  # township staff may propose, not approve
        services.override_approve(override_id=proposal.pk, actor=staff_a)

    approver = user_factory("approver", "city_staff")
    self_proposal_user = city_staff
    assert RiskAssessment.objects.get(pk=base.pk).is_current
    result = services.override_approve(override_id=proposal.pk, actor=approver, note="同意")
    assert (result.kind, result.grade, result.score_grade, result.is_current) == ("override", "C", "A", True)
    assert result.inputs["override"]["to_grade"] == "C"
    assert services.regrade_check(result)["ok"]
    proposal.refresh_from_db()
    assert proposal.status == "approved" and proposal.decided_by == approver
    actions = list(AuditEvent.objects.filter(action__startswith="risk.override").values_list("action", flat=True))
    assert sorted(actions) == ["risk.override.approve", "risk.override.propose"]

    # the proposer cannot approve their own proposal even with the permission
    second = services.override_propose(
        enterprise_id=low_risk.pk, to_grade="B", reason="整改到位，申请调回 B 级", actor=self_proposal_user
    )
    with pytest.raises(DomainError) as exc:
        services.override_approve(override_id=second.pk, actor=self_proposal_user)
    assert exc.value.code == "same_person"
    services.override_reject(override_id=second.pk, actor=approver, note="整改材料不全")
    second.refresh_from_db()
    assert second.status == "rejected"
    assert RiskAssessment.objects.get(enterprise=low_risk, is_current=True).grade == "C"


def test_override_is_refused_when_the_grade_changed_meanwhile(city_staff, user_factory, low_risk):
    grade(low_risk, city_staff)
    proposal = services.override_propose(
        enterprise_id=low_risk.pk, to_grade="C", reason="现场检查发现重大隐患", actor=city_staff
    )
    grade(low_risk, city_staff, on=dt.date(2025, 7, 1))
    with pytest.raises(Conflict):
        services.override_approve(override_id=proposal.pk, actor=user_factory("other", "city_staff"))
