"""The registry's measures (apps/enterprises/measures.py): a small world in two townships, expected figures by hand,
scoping, each link followed as the actor, query count with 2 and 6 townships."""

import datetime as dt

import pytest
from django.utils import timezone

from apps.accounts.models import Township
from apps.enterprises.models import BusinessType
from tests.factories.enterprises import EnterpriseFactory

from .helpers import assert_rows, queries, run, triple

pytestmark = pytest.mark.django_db

CODES = (
    "enterprises.sunshine_kitchen_online",
    "enterprises.responsibility_list",
    "enterprises.evaluators_per_100_urban_caterers",
    "enterprises.rural_banquet_centres",
    "enterprises.liability_insurance",
    "enterprises.health_certificates",
)


def make(township, code="catering", **fields):
    fields.setdefault("area_type", "rural")
    return EnterpriseFactory(township=township, business_type=BusinessType.objects.get(code=code), **fields)


@pytest.fixture
def world(township_a, township_b):
    today = timezone.localdate()
    valid, expired = today + dt.timedelta(days=10), today - dt.timedelta(days=1)
    # township A
    make(  # a1: urban online caterer with a sunshine kitchen, evaluator 甲, insured, 3 certificates valid
        township_a,
        area_type="urban",
        online_catering=True,
        sunshine_kitchen=True,
        third_party_evaluator="甲评估",
        liability_insurance=True,
        health_cert_count=3,
        health_cert_next_expiry=valid,
    )
    make(  # a2: urban online caterer, no sunshine kitchen, evaluator 甲 again, a certificate expired yesterday
        township_a,
        area_type="urban",
        online_catering=True,
        third_party_evaluator="甲评估",
        health_cert_count=2,
        health_cert_next_expiry=expired,
    )
    make(township_a, "food_production", responsibility_list=True, liability_insurance=True)  # a3: producer, list
    make(township_a, "food_sales", scale="large")  # a4: large seller without a list
    make(township_a, "food_sales", scale="small", responsibility_list=True)  # a5: small seller: not required
    make(township_a, "rural_banquet_center")  # a6: a rural banquet centre
    make(  # a7: cancelled: counts nowhere
        township_a,
        area_type="urban",
        online_catering=True,
        sunshine_kitchen=True,
        liability_insurance=True,
        third_party_evaluator="乙评估",
        cancelled=True,
    )
    # township B
    make(  # b1: urban online caterer with a sunshine kitchen, evaluator 乙, certificates without an expiry date
        township_b,
        area_type="urban",
        online_catering=True,
        sunshine_kitchen=True,
        third_party_evaluator="乙评估",
        health_cert_count=1,
    )
    make(township_b, "health_food", responsibility_list=True)  # b2: a (small) health-food producer: required
    make(township_b, "rural_banquet_center", liability_insurance=True)  # b3: rural banquet centre, insured


# (numerator, denominator, value) per township and for the city
EXPECTED = {
    # online caterers: A a1 a2 (a7 cancelled) → 1/2; B b1 → 1/1; city 2/3
    "enterprises.sunshine_kitchen_online": {"a": (1, 2, "50.00"), "b": (1, 1, "100.00"), None: (2, 3, "66.67")},
    # producers + large/medium sellers: A a3 a4 (a5 small) → 1/2; B b2 → 1/1; city 2/3
    "enterprises.responsibility_list": {"a": (1, 2, "50.00"), "b": (1, 1, "100.00"), None: (2, 3, "66.67")},
    # distinct evaluators per 100 urban caterers: A {甲} / a1 a2 → 1×100/2; B {乙} / b1; city {甲, 乙} / 3
    "enterprises.evaluators_per_100_urban_caterers": {
        "a": (1, 2, "50.00"),
        "b": (1, 1, "100.00"),
        None: (2, 3, "66.67"),
    },
    # rural banquet centres: a6; b3; city 2
    "enterprises.rural_banquet_centres": {"a": (1, None, "1"), "b": (1, None, "1"), None: (2, None, "2")},
    # insured of all operating: A a1 a3 of a1–a6; B b3 of b1–b3; city 3/9
    "enterprises.liability_insurance": {"a": (2, 6, "33.33"), "b": (1, 3, "33.33"), None: (3, 9, "33.33")},
    # certificates valid today of those with certificates: A a1 of a1 a2; B none of b1 (no expiry); city 1/3
    "enterprises.health_certificates": {"a": (1, 2, "50.00"), "b": (0, 1, "0.00"), None: (1, 3, "33.33")},
}
# rows behind each link (the numerator's rows; the evaluator link lists the served caterers: A a1 a2, B b1, city 3)
LINK_ROWS = {"enterprises.evaluators_per_100_urban_caterers": {"a": 2, "b": 1, None: 3}}


@pytest.mark.parametrize("code", CODES)
def test_city_figures_and_their_links(code, world, township_a, township_b, city_staff, client):
    out = run(code, city_staff, [township_a.pk, township_b.pk])
    keys = {"a": township_a.pk, "b": township_b.pk, None: None}
    for name, key in keys.items():
        assert triple(out[key]) == EXPECTED[code][name], (code, name)
        rows = LINK_ROWS.get(code, {}).get(name, out[key].numerator)
        assert_rows(client, city_staff, out[key].url, rows)
        if out[key].denominator_url:
            assert_rows(client, city_staff, out[key].denominator_url, out[key].denominator)


@pytest.mark.parametrize("code", CODES)
def test_a_township_actor_sees_only_its_township(code, world, township_a, township_b, staff_a, client):
    out = run(code, staff_a, [township_a.pk, township_b.pk])
    assert triple(out[township_a.pk]) == EXPECTED[code]["a"]
    assert triple(out[None]) == EXPECTED[code]["a"]  # the whole scope of staff_a is township A
    assert out[township_b.pk].numerator == 0  # B's rows are not visible
    rows = LINK_ROWS.get(code, {}).get("a", out[None].numerator)
    assert_rows(client, staff_a, out[None].url, rows)


def test_health_certificates_are_judged_on_the_day_asked(world, township_a, city_staff):
    # two days ago a2's certificate (expired yesterday) was still valid: A 2/2
    day = timezone.localdate() - dt.timedelta(days=2)
    out = run("enterprises.health_certificates", city_staff, [township_a.pk], as_of=day)
    assert triple(out[township_a.pk]) == (2, 2, "100.00")
    assert "health_cert_valid_on=" + day.isoformat() in out[township_a.pk].url


@pytest.mark.parametrize("code", CODES)
def test_queries_do_not_grow_with_townships_or_rows(code, world, township_a, township_b, city_staff):
    ids = [township_a.pk, township_b.pk]
    two = queries(lambda: run(code, city_staff, ids))
    more = list(Township.objects.exclude(pk__in=ids).order_by("order")[:4])
    for t in more:
        make(t, area_type="urban", online_catering=True, third_party_evaluator=f"{t.name}评估", health_cert_count=1)
        make(t, "rural_banquet_center")
    six = queries(lambda: run(code, city_staff, [*ids, *(t.pk for t in more)]))
    assert two == six


@pytest.mark.parametrize("query", ["sector=bogus", "health_cert_valid_on=2026-13-45"])
def test_a_bad_value_of_the_new_filters_is_an_error_not_a_500(query, world, city_staff, client):
    client.force_login(city_staff)
    response = client.get(f"/enterprises/?{query}")
    assert response.status_code == 200
    assert response.context["filter_errors"]  # shown beside the form
    assert response.context["page"].paginator.count == 0  # and no rows
