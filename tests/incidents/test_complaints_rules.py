"""Clocks across the 2026 holidays, configuration with effective dates, and the reward arithmetic at its
boundaries; a reward for a complaint not upheld is refused (Chinese 4xx, nothing written)."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from apps.common.exceptions import ValidationFailed
from apps.common.models import AuditEvent
from apps.incidents.complaints import services
from apps.incidents.complaints.rules import reward_amount_fen
from apps.incidents.models import ComplaintRules, Reward, RewardRule

from .complaints_helpers import advance, new_complaint, officer

pytestmark = pytest.mark.django_db
TZ = dt.timezone(dt.timedelta(hours=8))


def _at(y, m, d, h=10):
    return dt.datetime(y, m, d, h, tzinfo=TZ)


@pytest.mark.parametrize(
    "received,due",
    [
        (_at(2026, 9, 30), dt.date(2026, 10, 15)),  # 国庆 10-01..07 off, 10-10 (Sat) a working day
        (_at(2026, 9, 25), dt.date(2026, 10, 12)),
        (_at(2026, 2, 13), dt.date(2026, 3, 2)),  # 春节 02-15..23 off, 02-14 and 02-28 (Sat) working days
        (_at(2026, 6, 1), dt.date(2026, 6, 10)),  # an ordinary week
    ],
)
def test_acceptance_due_is_seven_working_days_across_the_2026_holidays(township_a, received, due):
    with time_machine.travel(received + dt.timedelta(hours=1), tick=False):
        c = new_complaint(township_a, received_at=received)
    assert c.acceptance_due == due


def test_the_acceptance_clock_is_configuration_with_an_effective_date(township_a):
    ComplaintRules.objects.create(effective_from=dt.date(2026, 6, 1), acceptance_workdays=3)
    with time_machine.travel(_at(2026, 5, 29, 12), tick=False):
        before = new_complaint(township_a, received_at=_at(2026, 5, 29))
    with time_machine.travel(_at(2026, 6, 1, 12), tick=False):
        after = new_complaint(township_a, received_at=_at(2026, 6, 1))
    assert before.acceptance_due == dt.date(2026, 6, 9)  # 7 working days (the 2019 defaults)
    assert after.acceptance_due == dt.date(2026, 6, 4)  # 3 working days from 2026-06-01


def test_clock_states_on_the_detail_page(client, complaint_officer, township_a):
    with time_machine.travel(_at(2026, 6, 1), tick=False):
        c = new_complaint(township_a, received_at=_at(2026, 6, 1))
    with time_machine.travel(_at(2026, 6, 15), tick=False):
        client.force_login(complaint_officer)
        page = client.get(reverse("incidents:complaint_detail", args=[c.pk])).content.decode()
        assert "已超期" in page
        overdue = client.get(reverse("incidents:complaints"), {"overdue": "acceptance"}).context["page"]
        assert [x.pk for x in overdue] == [c.pk]


# ---------------------------------------------------------------------------------------------------- rewards
@pytest.fixture
def rule(reference):
    return RewardRule.objects.in_force(dt.date(2026, 1, 1))


@pytest.mark.parametrize(
    "level,fines_yuan,expected_yuan",
    [
        (1, 0, 5_000),  # no fine: the level's minimum
        (2, 0, 3_000),
        (3, 0, 1_000),
        (1, 100_000, 5_000),  # 5% of 100,000 = 5,000: exactly the minimum
        (1, 99_999, 5_000),  # just below: the minimum
        (1, 100_020, 5_001),  # just above
        (2, 100_000, 3_000),  # 3% = the minimum
        (2, 200_000, 6_000),
        (3, 100_000, 1_000),  # 1% = the minimum
        (3, 250_000, 2_500),
        (1, 20_000_000, 1_000_000),  # 5% = the cap exactly
        (1, 20_000_020, 1_000_000),  # above: capped
        (2, 50_000_000, 1_000_000),
        (3, 1_000_000_000, 1_000_000),
    ],
)
def test_reward_arithmetic_at_the_boundaries(rule, level, fines_yuan, expected_yuan):
    assert reward_amount_fen(rule, level=level, fines_fen=fines_yuan * 100) == expected_yuan * 100


def test_reward_rounds_half_up_to_the_fen(rule):
    assert reward_amount_fen(rule, level=1, fines_fen=10_000_010) == 500_001  # 5% of 100,000.10 = 5,000.005 → .01


def test_defaults_are_those_of_the_2021_rule(rule):
    assert rule.effective_from == dt.date(2021, 12, 1)
    assert (rule.level1_percent, rule.level2_percent, rule.level3_percent) == (5, 3, 1)
    assert (rule.level1_min_fen, rule.level2_min_fen, rule.level3_min_fen, rule.cap_fen) == (
        500_000,
        300_000,
        100_000,
        100_000_000,
    )


NAMED = {"name": "举报人丙", "phone": "13800009999", "id_number": "330481199001011234", "reward_claimed": True}


def test_reward_assess_and_pay_through_the_pages(client, complaint_officer, township_a, reference):
    c = advance(new_complaint(township_a, identity=NAMED), "fed_back")
    client.force_login(complaint_officer)
    url = reverse("incidents:complaint_reward", args=[c.pk])
    unchecked = client.post(url, {"reward-level": "2", "reward-fines": "250000.00"})  # the checkbox left unticked
    assert unchecked.status_code == 400 and "不予奖励的情形" in unchecked.content.decode()
    assert not Reward.objects.exists()
    assert (
        client.post(url, {"reward-level": "2", "reward-fines": "250000.00", "reward-not_excluded": "on"}).status_code
        == 302
    )
    reward = Reward.objects.get(complaint=c)
    assert reward.amount_fen == 750_000 and reward.status == "assessed"
    pay = reverse("incidents:complaint_reward_pay", args=[c.pk])
    today = timezone.localdate().isoformat()
    over = client.post(pay, {"pay-paid_on": today, "pay-paid": "7500.01", "pay-voucher_no": "PZ-1"})
    assert over.status_code == 400 and "不超过核定金额" in over.content.decode()
    assert client.post(pay, {"pay-paid_on": today, "pay-paid": "7500.00", "pay-voucher_no": "PZ-1"}).status_code == 302
    reward.refresh_from_db()
    assert reward.status == "paid" and reward.paid_fen == 750_000 and reward.voucher_no == "PZ-1"
    again = client.post(url, {"reward-level": "1", "reward-fines": "1", "reward-not_excluded": "on"})
    assert again.status_code == 409


@pytest.mark.parametrize("upheld", [False, None])
def test_a_reward_for_a_report_not_upheld_is_a_chinese_4xx_and_writes_nothing(
    client, complaint_officer, township_a, reference, upheld
):
    c = new_complaint(township_a)
    if upheld is False:
        c = advance(c, "closed", upheld=False)
    client.force_login(complaint_officer)
    before = AuditEvent.objects.count()
    response = client.post(
        reverse("incidents:complaint_reward", args=[c.pk]),
        {"reward-level": "1", "reward-fines": "100000", "reward-not_excluded": "on"},
    )
    assert response.status_code == 400
    assert "未查证属实" in response.content.decode()
    assert not Reward.objects.exists() and AuditEvent.objects.count() == before


def test_a_complaint_gets_no_reward(township_a, reference):
    c = advance(new_complaint(township_a, kind="complaint"), "closed")
    with pytest.raises(ValidationFailed, match="投诉不予奖励"):
        services.reward_assess(actor=officer(), complaint_id=c.pk, level=1, fines_fen=0, not_excluded=True)


def test_an_anonymous_report_gets_no_reward(township_a, reference):
    c = advance(new_complaint(township_a), "closed")
    with pytest.raises(ValidationFailed, match="匿名举报不能核定奖励"):
        services.reward_assess(actor=officer(), complaint_id=c.pk, level=1, fines_fen=0, not_excluded=True)
    assert not Reward.objects.exists()


def test_township_staff_cannot_assess_rewards(client, staff_a, township_a, reference):
    c = advance(new_complaint(township_a), "closed")
    client.force_login(staff_a)
    response = client.post(
        reverse("incidents:complaint_reward", args=[c.pk]), {"reward-level": "1", "reward-fines": "0"}
    )
    assert response.status_code == 403
    assert not Reward.objects.exists()


def test_empty_reward_form_as_a_browser_submits_it(client, complaint_officer, township_a, reference):
    c = advance(new_complaint(township_a), "closed")
    client.force_login(complaint_officer)
    response = client.post(reverse("incidents:complaint_reward", args=[c.pk]), {"reward-level": "", "reward-fines": ""})
    assert response.status_code == 400 and "请选择奖励等级" in response.content.decode()
    assert not Reward.objects.exists()


def test_the_counts_hook_serves_sampling_targeting(township_a, reference):
    from apps.common.hooks import providers
    from tests.factories.enterprises import EnterpriseFactory

    ent, other = EnterpriseFactory(township=township_a), EnterpriseFactory(township=township_a)
    a = new_complaint(township_a, enterprise=ent)
    b = new_complaint(township_a, enterprise=ent)
    services.complaint_link_duplicate(actor=officer(), complaint_id=b.pk, original_id=a.pk)
    new_complaint(township_a, enterprise=other, received_at=timezone.now() - dt.timedelta(days=400))
    fn = providers("complaints.counts")["incidents.complaints"]
    assert fn([ent.pk, other.pk], since=timezone.localdate() - dt.timedelta(days=365)) == {ent.pk: 1}


def test_timeliness_per_township(township_a, township_b, reference):
    from apps.incidents.complaints.selectors import acceptance_timeliness, feedback_timeliness

    with time_machine.travel(_at(2026, 6, 1), tick=False):
        on_time = new_complaint(township_a, received_at=_at(2026, 6, 1))
        late = new_complaint(township_a, received_at=_at(2026, 6, 1))
        pending = new_complaint(township_b, received_at=_at(2026, 6, 1))
        services.complaint_accept(actor=officer(), complaint_id=on_time.pk)
    with time_machine.travel(_at(2026, 6, 20), tick=False):
        services.complaint_accept(actor=officer(), complaint_id=late.pk)
        acc = acceptance_timeliness(officer(), year=2026)
        assert acc == {township_a.pk: (1, 2), township_b.pk: (0, 1)}
        on_time.refresh_from_db()
        advance(on_time, "closed")
        assert feedback_timeliness(officer(), year=2026) == {}
    with time_machine.travel(_at(2026, 6, 22), tick=False):
        services.complaint_feedback(actor=officer(), complaint_id=on_time.pk, feedback_text="已处理")
        assert feedback_timeliness(officer(), year=2026) == {township_a.pk: (1, 1)}
    assert pending.township_id == township_b.pk


def test_entering_a_holiday_schedule_moves_open_clocks_only(township_a, sys_admin, reference):
    """Received on 2026-12-24, the 7-working-day acceptance clock runs into 2027 (on the Mon–Fri fallback,
    1 January counts); entering 2027 with 元旦 as a rest day moves it, a decided clock keeps its date."""
    from apps.common import calendar_entries as ce

    with time_machine.travel(_at(2026, 12, 24), tick=False):
        open_one = new_complaint(township_a, received_at=_at(2026, 12, 24))
        decided = new_complaint(township_a, received_at=_at(2026, 12, 24))
        services.complaint_accept(actor=officer(), complaint_id=decided.pk)
        assert open_one.acceptance_due == dt.date(2027, 1, 4)
        result = ce.calendar_year_set(
            actor=sys_admin, year=2027, entries=ce.entries_from_text(year=2027, rest_days="2027-01-01", work_days="")
        )
    open_one.refresh_from_db()
    decided.refresh_from_db()
    assert open_one.acceptance_due == dt.date(2027, 1, 5)
    assert decided.acceptance_due == dt.date(2027, 1, 4)  # decided on time: its clock is finished
    assert result["moved"]["complaints"] == 1
