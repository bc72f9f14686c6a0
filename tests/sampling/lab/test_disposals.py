"""核查处置: clocks in working days across the 2026 holidays (国庆 10-01..07 with the 调休 Sundays/Saturdays
09-20 and 10-10 as working days, per chinese-calendar 1.11), microbiological failures not re-testable, a recorded
random 复检 lab different from the first lab, the 复检 conclusion final, every step audited, holiday edits
recomputing open clocks."""

import datetime as dt
import zoneinfo

import pytest
import time_machine

from apps.common.calendar_entries import Entry, calendar_year_set
from apps.common.exceptions import Conflict, InvalidTransition, ValidationFailed
from apps.common.models import AuditEvent
from apps.common.workdays import add_working_days
from apps.sampling.choices import DisposalStatus, EntryChannel, SamplingPurpose, Verdict
from apps.sampling.lab.services import disposals as ds
from apps.sampling.lab.services.results import results_submit
from apps.sampling.models import Disposal, DisposalStep, SamplingDeadlines

from .helpers import lead, make_lab, make_lab_user, make_sample

pytestmark = pytest.mark.django_db
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(day: dt.date):
    return time_machine.travel(dt.datetime.combine(day, dt.time(10, 0), tzinfo=SHANGHAI), tick=False)


def conclude_unqualified(user, sample, on: dt.date, items=None):
    with at(on):
        results_submit(user, sample, items or [lead("0.9")], channel=EntryChannel.PAGE)
    return Disposal.objects.get(sample=sample)


def test_clocks_across_national_day_2026(lab_user, sample, staff_a):
    assert add_working_days(dt.date(2026, 9, 30), 1) == dt.date(2026, 10, 8)  # the calendar the clocks rely on
    disposal = conclude_unqualified(lab_user, sample, dt.date(2026, 9, 28))
    assert disposal.status == DisposalStatus.OPEN and disposal.opened_on == dt.date(2026, 9, 28)
    # 9-29, 9-30, (10-01..07 国庆), 10-08, 10-09, 10-10 (Saturday, 调休 working day) = 5 working days
    assert disposal.notify_due == dt.date(2026, 10, 10)
    assert disposal.verify_due == dt.date(2026, 12, 27)  # 90 calendar days
    with at(dt.date(2026, 9, 30)):
        ds.disposal_notify(actor=staff_a, disposal_id=disposal.pk, notified_on=dt.date(2026, 9, 30))
    disposal.refresh_from_db()
    # 10-08, 10-09, 10-10 (Sat, working), 10-12, 10-13, 10-14, 10-15 = 7 working days (10-11 Sunday is a rest day)
    assert (disposal.status, disposal.recheck_due) == (DisposalStatus.NOTIFIED, dt.date(2026, 10, 15))


def test_notify_clock_over_the_mid_autumn_make_up_sunday(lab_user, sample):
    disposal = conclude_unqualified(lab_user, sample, dt.date(2026, 9, 18))  # Friday
    # 9-20 (Sunday, 调休 working day), 9-21, 9-22, 9-23, 9-24 = 5 working days
    assert disposal.notify_due == dt.date(2026, 9, 24)


def test_the_deadlines_in_force_on_the_day_are_used(lab_user, sample):
    SamplingDeadlines.objects.create(effective_from=dt.date(2026, 1, 1), notify_workdays=2, disposal_days=60)
    disposal = conclude_unqualified(lab_user, sample, dt.date(2026, 9, 28))
    assert disposal.notify_due == dt.date(2026, 9, 30) and disposal.verify_due == dt.date(2026, 11, 27)


def test_micro_failure_cannot_be_rechecked(lab_user, sample, staff_a, recheck_labs):
    items = [{"test_item": "tpc", "micro_values": ["2000000", "10", "10", "10", "10"]}, lead("0.1")]
    disposal = conclude_unqualified(lab_user, sample, dt.date(2026, 11, 2), items)
    assert disposal.recheck_allowed is False
    assert "微生物项目（菌落总数）不合格，不予复检" in disposal.steps.get(kind="open").note
    with at(dt.date(2026, 11, 3)):
        ds.disposal_notify(actor=staff_a, disposal_id=disposal.pk, notified_on=dt.date(2026, 11, 3))
        disposal.refresh_from_db()
        assert disposal.recheck_due is None
        with pytest.raises(Conflict) as caught:
            ds.disposal_recheck_request(actor=staff_a, disposal_id=disposal.pk, requested_on=dt.date(2026, 11, 3))
        assert caught.value.message == "微生物项目不合格，不予复检"
        ds.disposal_proceed(actor=staff_a, disposal_id=disposal.pk, reason="not_allowed", on=dt.date(2026, 11, 3))
    disposal.refresh_from_db()
    assert disposal.status == DisposalStatus.VERIFYING


def test_recheck_lab_is_drawn_at_random_never_the_first_lab_and_recorded(lab_user, sample, staff_a, recheck_labs):
    same_person = make_lab("同一法人的另一检验机构", uscc="91330481MA2XXXXX1Y")
    sample.lab.uscc = "91330481MA2XXXXX1Y"
    sample.lab.is_recheck_lab = True  # even on the list, the first lab is never its own 复检 lab
    sample.lab.save()
    disposal = conclude_unqualified(lab_user, sample, dt.date(2026, 11, 2))
    with at(dt.date(2026, 11, 5)):
        ds.disposal_notify(actor=staff_a, disposal_id=disposal.pk, notified_on=dt.date(2026, 11, 3))
        ds.disposal_recheck_request(
            actor=staff_a, disposal_id=disposal.pk, requested_on=dt.date(2026, 11, 5), seed_hex="00" * 16
        )
    disposal.refresh_from_db()
    candidates = ds.recheck_candidates(sample.lab)
    assert {o.pk for o in candidates} == {o.pk for o in recheck_labs}  # not the first lab, not its legal person
    assert same_person not in candidates
    assert disposal.recheck_lab in recheck_labs and disposal.recheck_lab != sample.lab
    assert disposal.recheck_lab == ds.recheck_lab_draw(sample.number, candidates, "00" * 16)  # recomputable
    event = AuditEvent.objects.get(action="sampling.disposal.recheck_request", object_id=str(disposal.pk))
    assert event.extra["seed"] == "00" * 16 and event.extra["chosen"] == disposal.recheck_lab.pk
    ranks = {c["id"]: c["rank"] for c in event.extra["candidates"]}
    assert min(ranks, key=lambda k: (ranks[k], k)) == disposal.recheck_lab.pk
    assert "种子 " + "00" * 16 in disposal.steps.get(kind="recheck_request").note


def test_a_different_seed_can_pick_another_lab():
    class Org:
        def __init__(self, pk):
            self.pk = pk

    orgs = [Org(i) for i in range(1, 6)]
    picks = {ds.recheck_lab_draw("DC26", orgs, f"{n:032x}").pk for n in range(40)}
    assert len(picks) > 1  # not a fixed choice


def test_a_late_recheck_request_is_refused(lab_user, sample, staff_a, recheck_labs):
    disposal = conclude_unqualified(lab_user, sample, dt.date(2026, 9, 28))
    with at(dt.date(2026, 10, 20)):
        ds.disposal_notify(actor=staff_a, disposal_id=disposal.pk, notified_on=dt.date(2026, 9, 30))
        with pytest.raises(ValidationFailed) as caught:
            ds.disposal_recheck_request(actor=staff_a, disposal_id=disposal.pk, requested_on=dt.date(2026, 10, 16))
        assert "2026-10-15 截止" in caught.value.message
        with pytest.raises(ValidationFailed):  # and the window is not over on its last day
            ds.disposal_proceed(
                actor=staff_a, disposal_id=disposal.pk, reason="window_passed", on=dt.date(2026, 10, 15)
            )
        ds.disposal_proceed(actor=staff_a, disposal_id=disposal.pk, reason="window_passed", on=dt.date(2026, 10, 16))
    assert Disposal.objects.get(pk=disposal.pk).status == DisposalStatus.VERIFYING


def _to_recheck(lab_user, sample, staff_a):
    disposal = conclude_unqualified(lab_user, sample, dt.date(2026, 11, 2))
    with at(dt.date(2026, 11, 4)):
        ds.disposal_notify(actor=staff_a, disposal_id=disposal.pk, notified_on=dt.date(2026, 11, 3))
        ds.disposal_recheck_request(actor=staff_a, disposal_id=disposal.pk, requested_on=dt.date(2026, 11, 4))
    disposal.refresh_from_db()
    return disposal, make_lab_user("recheck_lab_user", disposal.recheck_lab)


def test_recheck_results_come_from_the_recheck_lab_and_are_final(lab_user, sample, staff_a, recheck_labs):
    disposal, recheck_user = _to_recheck(lab_user, sample, staff_a)
    from apps.sampling.lab.services._common import NotYourLab

    with pytest.raises(NotYourLab):  # the first lab cannot submit the 复检
        results_submit(lab_user, sample, [lead("0.1")], channel=EntryChannel.PAGE, is_recheck=True)
    with at(dt.date(2026, 11, 16)):
        results_submit(recheck_user, sample, [lead("0.1")], channel=EntryChannel.API, is_recheck=True)
    disposal.refresh_from_db()
    sample.refresh_from_db()
    assert (disposal.status, disposal.recheck_conclusion) == (DisposalStatus.CLOSED, Verdict.QUALIFIED)
    assert sample.conclusion == Verdict.QUALIFIED  # the 复检 conclusion is final
    assert sample.results.filter(is_recheck=True, lab=disposal.recheck_lab).count() == 1
    assert sample.results.filter(is_recheck=False).get().verdict == Verdict.UNQUALIFIED  # the first round stays
    assert disposal.closed_on == dt.date(2026, 11, 16)
    with pytest.raises(Conflict):
        results_submit(recheck_user, sample, [lead("0.1")], channel=EntryChannel.API, is_recheck=True)


def test_recheck_confirming_goes_on_to_verification_then_measures_and_close(lab_user, sample, staff_a, recheck_labs):
    disposal, recheck_user = _to_recheck(lab_user, sample, staff_a)
    with at(dt.date(2026, 11, 16)):
        results_submit(recheck_user, sample, [lead("0.8")], channel=EntryChannel.PAGE, is_recheck=True)
        disposal.refresh_from_db()
        assert disposal.status == DisposalStatus.VERIFYING and disposal.recheck_conclusion == Verdict.UNQUALIFIED
        with pytest.raises(ValidationFailed):
            ds.disposal_measures(actor=staff_a, disposal_id=disposal.pk, measures=["burn"], on=dt.date(2026, 11, 16))
        ds.disposal_measures(
            actor=staff_a, disposal_id=disposal.pk, measures=["off_shelf", "seal"], on=dt.date(2026, 11, 16)
        )
        ds.disposal_measures(
            actor=staff_a, disposal_id=disposal.pk, measures=["case", "seal"], on=dt.date(2026, 11, 16)
        )
        with pytest.raises(ValidationFailed):
            ds.disposal_close(actor=staff_a, disposal_id=disposal.pk, outcome=" ", closed_on=dt.date(2026, 11, 16))
        ds.disposal_close(
            actor=staff_a, disposal_id=disposal.pk, outcome="已下架封存，立案查处", closed_on=dt.date(2026, 11, 16)
        )
        with pytest.raises(InvalidTransition):
            ds.disposal_measures(actor=staff_a, disposal_id=disposal.pk, measures=["recall"], on=dt.date(2026, 11, 16))
    disposal.refresh_from_db()
    assert disposal.measures == ["off_shelf", "seal", "case"]
    assert disposal.status == DisposalStatus.CLOSED
    kinds = list(disposal.steps.order_by("id").values_list("kind", flat=True))
    assert kinds == ["open", "notify", "recheck_request", "recheck_result", "measures", "measures", "close"]
    audited = list(
        AuditEvent.objects.filter(object_type="sampling.disposal", object_id=str(disposal.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert audited == [
        "sampling.disposal.open",
        "sampling.disposal.notify",
        "sampling.disposal.recheck_request",
        "sampling.disposal.recheck_conclude",
        "sampling.disposal.measures",
        "sampling.disposal.measures",
        "sampling.disposal.close",
    ]


def test_steps_are_township_scoped_and_need_the_permission(lab_user, sample, staff_b, city_staff, leader):
    from django.core.exceptions import PermissionDenied

    from apps.common.exceptions import OutOfScope

    disposal = conclude_unqualified(lab_user, sample, dt.date(2026, 11, 2))
    with pytest.raises(OutOfScope):
        ds.disposal_notify(actor=staff_b, disposal_id=disposal.pk, notified_on=dt.date(2026, 11, 3))
    with pytest.raises(PermissionDenied):
        ds.disposal_notify(actor=leader, disposal_id=disposal.pk, notified_on=dt.date(2026, 11, 3))
    with at(dt.date(2026, 11, 4)):
        with pytest.raises(ValidationFailed):  # before the report
            ds.disposal_notify(actor=city_staff, disposal_id=disposal.pk, notified_on=dt.date(2026, 11, 1))
        ds.disposal_notify(actor=city_staff, disposal_id=disposal.pk, notified_on=dt.date(2026, 11, 3))
        with pytest.raises(InvalidTransition):
            ds.disposal_notify(actor=city_staff, disposal_id=disposal.pk, notified_on=dt.date(2026, 11, 3))


def test_evaluative_opens_a_disposal_without_a_risk_event(lab_user, catalogue, township_a, lab):
    from apps.risk.models import RiskEvent

    evaluative = make_sample(catalogue.sub, township_a, lab=lab, purpose=SamplingPurpose.EVALUATIVE)
    conclude_unqualified(lab_user, evaluative, dt.date(2026, 11, 2))
    assert not RiskEvent.objects.filter(enterprise=evaluative.enterprise).exists()


def test_holiday_edits_recompute_open_clocks(lab_user, catalogue, township_a, lab, staff_a, city_staff):
    """An extra rest day entered for 2026 moves the open 送达 and 复检 clocks (from their start), not the 90 days."""
    first = conclude_unqualified(lab_user, make_sample(catalogue.sub, township_a, lab=lab), dt.date(2026, 12, 1))
    second = conclude_unqualified(lab_user, make_sample(catalogue.sub, township_a, lab=lab), dt.date(2026, 12, 1))
    with at(dt.date(2026, 12, 2)):
        ds.disposal_notify(actor=staff_a, disposal_id=second.pk, notified_on=dt.date(2026, 12, 2))
    assert first.notify_due == dt.date(2026, 12, 8)
    second.refresh_from_db()
    assert second.recheck_due == dt.date(2026, 12, 11)
    verify_due = first.verify_due
    with at(dt.date(2026, 12, 2)):
        calendar_year_set(actor=city_staff, year=2026, entries=[Entry(dt.date(2026, 12, 3), False, "测试：临时休息日")])
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.notify_due == dt.date(2026, 12, 9) and first.verify_due == verify_due
    assert second.recheck_due == dt.date(2026, 12, 14)
    assert DisposalStep.objects.filter(disposal=first, kind="reschedule").exists()
