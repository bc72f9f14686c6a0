"""A supervisory sample concluded 不合格 tells risk (hook ``sampling.sample_unqualified``): the enterprise gets the
``failed_sample`` event its next grade counts; a 复检 that overturns the conclusion voids it."""

import datetime as dt

import pytest

from apps.common import hooks
from apps.risk import services as risk
from apps.risk.models import RiskEvent
from apps.sampling.choices import EntryChannel
from apps.sampling.lab.services import disposals as ds
from apps.sampling.lab.services.results import results_submit
from tests.risk.conftest import make_enterprise

from .helpers import lead, make_lab_user
from .test_disposals import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_restaurant_sample(sample, township_a):
    """The sample's enterprise is a small restaurant graded A from its static score alone (as in tests/risk)."""
    ent = make_enterprise(township_a, "small_restaurant", ["C01"], "micro")
    sample.enterprise = ent
    sample.save(update_fields=["enterprise"])
    return sample


def test_hook_is_declared_and_risk_subscribes():
    assert "sampling.sample_unqualified" in hooks.HOOKS and "sampling.sample_unqualified_voided" in hooks.HOOKS
    assert "risk" in hooks.subscribers("sampling.sample_unqualified")
    assert "risk" in hooks.subscribers("sampling.sample_unqualified_voided")


def test_failed_supervisory_sample_becomes_a_risk_event_the_next_grade_counts(lab_user, small_restaurant_sample):
    sample = small_restaurant_sample
    with at(dt.date(2026, 6, 10)):
        results_submit(lab_user, sample, [lead("0.9")], channel=EntryChannel.API)
    event = RiskEvent.objects.get(enterprise=sample.enterprise)
    assert (event.event_type, event.occurred_on, event.is_void) == ("failed_sample", dt.date(2026, 6, 10), False)
    assert event.source_ref == f"sampling-sample:{sample.pk}"
    assert sample.number in event.description and "铅" in event.description
    this_year = risk.assessment_recompute(enterprise_id=sample.enterprise_id, actor=None, on=dt.date(2026, 7, 1))
    assert this_year.grade == "A"  # an event of this year waits for next year's grade
    next_year = risk.assessment_recompute(enterprise_id=sample.enterprise_id, actor=None, on=dt.date(2027, 3, 1))
    assert next_year.score_grade == "A" and next_year.grade == "B"
    assert [a["events"] for a in next_year.adjustments if a["applied"]] == [[event.pk]]


def test_qualified_or_monitoring_results_make_no_event(lab_user, sample, catalogue, township_a, lab):
    from .helpers import make_sample

    results_submit(lab_user, sample, [lead("0.1")], channel=EntryChannel.PAGE)
    monitoring = make_sample(catalogue.sub, township_a, lab=lab, purpose="monitoring")
    results_submit(lab_user, monitoring, [lead("0.9")], channel=EntryChannel.PAGE)
    assert not RiskEvent.objects.exists()


def test_a_recheck_that_overturns_the_conclusion_voids_the_event(lab_user, sample, staff_a, recheck_labs):
    with at(dt.date(2026, 11, 2)):
        results_submit(lab_user, sample, [lead("0.9")], channel=EntryChannel.PAGE)
    disposal = sample.disposal
    with at(dt.date(2026, 11, 4)):
        ds.disposal_notify(actor=staff_a, disposal_id=disposal.pk, notified_on=dt.date(2026, 11, 3))
        ds.disposal_recheck_request(actor=staff_a, disposal_id=disposal.pk, requested_on=dt.date(2026, 11, 4))
    disposal.refresh_from_db()
    with at(dt.date(2026, 11, 16)):
        results_submit(
            make_lab_user("rechecker", disposal.recheck_lab), sample, [lead("0.1")], channel=EntryChannel.API,
            is_recheck=True,
        )  # fmt: skip
    event = RiskEvent.objects.get(source_ref=f"sampling-sample:{sample.pk}")
    assert event.is_void and "复检合格" in event.void_reason
