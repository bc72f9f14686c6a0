"""campaign_progress: the figures of the targets in force, from fake measures registered in the test (hand-computed
per township), a target whose measure is not registered ("—" with a note), city vs township targets, and scoping
(a township role gets its township's figures only). kpi_targets: the dated targets."""

import datetime as dt
from decimal import Decimal as D

import pytest

from apps.assessment.campaigns import selectors as sel
from apps.assessment.campaigns.defaults import CAMPAIGNS
from apps.assessment.models import Campaign, CampaignTarget

from .conftest import UNREGISTERED, YEAR, find

pytestmark = pytest.mark.django_db


def test_the_eight_campaigns_ship_as_defaults(campaigns):
    names = [c.name for c in Campaign.objects.order_by("order")]
    assert names == [row[1] for row in CAMPAIGNS]
    assert len(names) == 8
    assert "优质粮食工程" in names and "校园食品安全守护" in names
    assert all(c.is_default for c in Campaign.objects.all())
    assert all(t.is_default and "待市局确认" in t.note for t in CampaignTarget.objects.all())


def test_kpi_targets_reads_the_seed_targets_from_the_data(campaigns):
    targets = sel.kpi_targets(year=YEAR)
    assert targets["enterprises.rural_banquet_centres"].target == D("150")
    assert targets["enterprises.rural_banquet_centres"].scope == "city"
    assert targets["enterprises.rural_banquet_centres"].campaign_code == "catering"
    assert targets["sampling.food_batches_per_1000"].target == D("4.5")
    assert targets["sampling.monitoring_per_1000"].target == D("1")
    assert targets["enterprises.sunshine_kitchen_online"].target == D("100")
    assert targets["enterprises.responsibility_list"].target == D("100")
    assert targets["enterprises.evaluators_per_100_urban_caterers"].target == D("1")
    assert targets["enterprises.liability_insurance"].target is None
    assert all(isinstance(t, sel.KpiTarget) for t in targets.values())


def test_progress_from_fake_measures_for_the_city(campaigns, fake_measures, city_staff, township_a, township_b):
    rows = sel.campaign_progress(city_staff, year=YEAR)
    assert [r.campaign.code for r in rows][:2] == ["risk_monitoring", "agri_inputs"]

    sunshine = find(rows, "catering", "sunshine_kitchen_online")
    assert sunshine.registered
    assert sunshine.overall.value == D("83.33")  # 5 / 6
    assert (sunshine.overall.share, sunshine.overall.reached) == (D("83.3"), False)
    assert sunshine.overall.url == "/fake/enterprises.sunshine_kitchen_online/"
    per = {tf.township_id: tf.figure for tf in sunshine.townships}
    assert len(per) == 12
    assert (per[township_a.pk].value, per[township_a.pk].share) == (D("75.00"), D("75.0"))
    assert (per[township_b.pk].value, per[township_b.pk].reached) == (D("100.00"), True)
    assert per[township_a.pk].url.endswith(f"?township={township_a.pk}")
    other = next(f for tid, f in per.items() if tid not in (township_a.pk, township_b.pk))
    assert other.value is None and other.share is None  # 0 / 0: no value

    centres = find(rows, "catering", "rural_banquet_centres")
    assert centres.overall.value == D("75")
    assert (centres.overall.share, centres.overall.reached) == (D("50.0"), False)  # 75 of the city's 150
    assert {tf.figure.share for tf in centres.townships} == {None}  # a township's count is no share of 150

    batches = find(rows, "risk_monitoring", "food_batches")
    assert batches.overall.value == D("3.75")  # 750 × 1000 / 200,000
    assert batches.overall.share == D("83.3")
    per = {tf.township_id: tf.figure for tf in batches.townships}
    assert (per[township_a.pk].value, per[township_a.pk].share, per[township_a.pk].reached) == (
        D("4.50"),
        D("100.0"),
        True,
    )
    assert (per[township_b.pk].value, per[township_b.pk].share) == (D("3.00"), D("66.7"))


def test_a_target_whose_measure_is_not_registered_shows_a_dash(campaigns, fake_measures, city_staff):
    tp = find(sel.campaign_progress(city_staff, year=YEAR), "dual_safety", "responsibility_list")
    assert tp.target.measure_code == UNREGISTERED
    assert not tp.registered
    assert tp.overall.value is None and tp.overall.share is None and tp.overall.url == ""
    assert "尚未登记" in tp.note and UNREGISTERED in tp.note
    assert tp.as_dict()["progress"]["value"] is None


def test_a_township_role_gets_its_townships_figures(campaigns, fake_measures, staff_a, township_a):
    rows = sel.campaign_progress(staff_a, year=YEAR)
    sunshine = find(rows, "catering", "sunshine_kitchen_online")
    assert [tf.township_id for tf in sunshine.townships] == [township_a.pk]
    assert sunshine.overall.value == D("75.00")  # 3 / 4: their township only
    centres = find(rows, "catering", "rural_banquet_centres")
    assert centres.overall.value == D("40")
    assert centres.overall.share is None  # the city's target is not theirs to reach alone


def test_the_campaign_bar_is_the_mean_capped_share(campaigns, fake_measures, city_staff):
    row = next(r for r in sel.campaign_progress(city_staff, year=YEAR) if r.campaign.code == "catering")
    # sunshine 83.3, centres 50.0; evaluators and health certificates: no fake measure / no number
    shares = [tp.overall.share for tp in row.targets if tp.overall.share is not None]
    assert shares == [D("50.0"), D("83.3")]
    assert row.share == D("66.7")


def test_share_lower_is_better():
    assert sel.share_of(D("0"), D("0"), higher_is_better=False) == (D("100.0"), True)
    assert sel.share_of(D("4"), D("2"), higher_is_better=False) == (D("50.0"), False)
    assert sel.share_of(D("3"), D("0"), higher_is_better=True) == (D("100.0"), True)
    assert sel.share_of(None, D("1"), higher_is_better=True) == (None, None)


def test_the_target_in_force_for_a_year(campaigns):
    catering = campaigns["catering"]
    base = dict(campaign=catering, code="dated", label="测试目标", unit="个", scope="city")
    CampaignTarget.objects.create(
        **base, target_value=D("10"), effective_from=dt.date(2021, 1, 1), effective_to=dt.date(2023, 6, 30)
    )
    CampaignTarget.objects.create(
        **base, target_value=D("20"), effective_from=dt.date(2023, 7, 1), effective_to=dt.date(2024, 12, 31)
    )
    # 2025: nothing; 2026 on: 30
    CampaignTarget.objects.create(**base, target_value=D("30"), effective_from=dt.date(2026, 1, 1))

    def value(year):
        t = next((t for t in sel.targets_in_force(year=year) if t.code == "dated"), None)
        return None if t is None else t.target_value

    assert value(2020) is None
    assert value(2022) == D("10")
    assert value(2023) == D("20")  # the later start within the year wins
    assert value(2024) == D("20")
    assert value(2025) is None  # retired, no successor yet
    assert value(2026) == D("30") and value(2030) == D("30")


@pytest.mark.parametrize("offset", [-1, 0, 1])
def test_measures_are_read_as_of_a_day_within_the_year(campaigns, fake_measures, city_staff, offset):
    from apps.common import measures as registry
    from apps.common.measures import COUNT, Measure, MeasureValue

    seen = []

    def compute(actor, *, year, township_ids, as_of):
        seen.append((year, as_of))
        return {None: MeasureValue(1), **{t: MeasureValue(0) for t in township_ids}}

    code = "enterprises.rural_banquet_centres"
    registry.register_measure(Measure(code=code, label="x", unit="个", kind=COUNT, compute=compute))
    year = YEAR + offset
    sel.campaign_progress(city_staff, year=year)
    today = dt.date.today()
    expected = {-1: dt.date(year, 12, 31), 0: today, 1: dt.date(year, 1, 1)}[offset]
    assert seen == [(year, expected)]
