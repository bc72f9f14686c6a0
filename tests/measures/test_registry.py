"""Every code of the agreed list (docs/measures.md) is registered by the app that owns its data."""

import datetime as dt

import pytest

from apps.common.measures import COUNT, RATE, RATIO, measure, measures

from .helpers import queries, run

AGREED = {
    "sampling.food_batches_per_1000": RATE,
    "sampling.monitoring_per_1000": RATE,
    "sampling.quota_fulfilment": RATIO,
    "risk.inspection_coverage": RATIO,
    "risk.coverage_debt": COUNT,
    "inspections.publication_on_time": RATIO,
    "enterprises.sunshine_kitchen_online": RATIO,
    "enterprises.responsibility_list": RATIO,
    "enterprises.evaluators_per_100_urban_caterers": RATE,
    "enterprises.rural_banquet_centres": COUNT,
    "enterprises.liability_insurance": RATIO,
    "enterprises.health_certificates": RATIO,
    "incidents.complaint_timeliness": RATIO,
    "incidents.opinion_timeliness": RATIO,
    "incidents.incident_report_timeliness": RATIO,
    "incidents.drills_held": COUNT,
}


def test_every_agreed_code_is_registered_with_its_kind_and_a_chinese_label():
    registered = {m.code for m in measures()}
    assert set(AGREED) <= registered, set(AGREED) - registered
    for code, kind in AGREED.items():
        m = measure(code)
        assert m.kind == kind, code
        assert m.label and not m.label.isascii(), code
        assert m.description and not m.description.isascii(), code
    assert measure("sampling.food_batches_per_1000").per == 1000
    assert measure("enterprises.evaluators_per_100_urban_caterers").per == 100
    assert measure("risk.coverage_debt").higher_is_better is False


@pytest.mark.django_db
@pytest.mark.parametrize("code", sorted(AGREED))
def test_each_returns_every_requested_township_and_the_scope_total(code, township_a, township_b, city_staff):
    today = dt.date.today()
    ids = [township_a.pk, township_b.pk]
    out = run(code, city_staff, ids, as_of=today)
    assert set(out) == {*ids, None}


@pytest.mark.django_db
@pytest.mark.parametrize("code", sorted(AGREED))
def test_query_count_does_not_grow_with_the_townships_asked_for(code, reference, city_staff):
    from apps.accounts.models import Township

    ids = list(Township.objects.order_by("order", "id").values_list("pk", flat=True))
    assert len(ids) >= 6
    two = queries(lambda: run(code, city_staff, ids[:2]))
    six = queries(lambda: run(code, city_staff, ids[:6]))
    assert two == six
