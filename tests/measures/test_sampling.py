"""Sampling's measures (apps/sampling/plans/measures.py): lab batches per 1,000 residents and the quota fulfilment,
a small world in two townships with hand-computed figures, scoping, links followed as the actor, query count."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.accounts.models import Township, TownshipPopulation
from apps.sampling.models import QuotaRate
from tests.factories.enterprises import EnterpriseFactory
from tests.factories.sampling import SampleFactory

from .helpers import assert_rows, queries, run, triple

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year
AS_OF = dt.date(YEAR, 6, 30)  # a day before today: the links carry sampled_until


def sample(township, day, purpose="supervisory", **extra):
    shop = EnterpriseFactory(township=township)
    return SampleFactory(
        task__plan_line__township=township,
        task__enterprise=shop,
        purpose=purpose,
        sampled_on=day,
        production_date=day - dt.timedelta(days=1),
        **extra,
    )


@pytest.fixture
def world(township_a, township_b):
    # rates 4.5 and 1 per 1,000; populations: A 20,000, B 10,000, the ten other townships 10,000 each (city 130,000)
    QuotaRate.objects.update_or_create(year=YEAR, defaults={"food_rate": Decimal("4.5"), "monitoring_rate": 1})
    for t in Township.objects.all():
        TownshipPopulation.objects.update_or_create(
            township=t, year=YEAR, defaults={"population": 20000 if t == township_a else 10000, "is_estimate": False}
        )
    d = dt.date
    sample(township_a, d(YEAR, 3, 2))  # s1 监督抽检: counts
    sample(township_a, d(YEAR, 4, 1), "evaluative")  # s2 评价性抽检: counts as food sampling
    sample(township_a, d(YEAR, 5, 1), "monitoring")  # s3 风险监测
    sample(township_a, d(YEAR, 5, 2), is_quick_test=True)  # s4 快检: counts nowhere
    sample(township_a, d(YEAR, 7, 15))  # s5 after as_of: not counted
    sample(township_a, d(YEAR - 1, 6, 1))  # s6 last year: not counted
    sample(township_b, d(YEAR, 6, 30))  # s7 on as_of itself: counts
    sample(township_b, d(YEAR, 2, 1), "monitoring")  # s8 风险监测


# food: A s1 s2 = 2, B s7 = 1, city 3. monitoring: A s3, B s8, city 2.
# per 1,000: A 2×1000/20000 = 0.10, B 1×1000/10000 = 0.10, city 3×1000/130000 = 0.023 → 0.02
# monitoring per 1,000: A 1000/20000 = 0.05, B 0.10, city 2000/130000 = 0.015 → 0.02
# quota (ceil): A 20000×4.5/1000 = 90, B and each other 45. Even split over 12 months by largest remainder:
# 90 → months 1–6 get 8 (Jan–Jun = 48); 45 → months 1–9 get 4 (Jan–Jun = 24). City: 48 + 11×24 = 312.
# fulfilment: A 2/48 = 4.17 %, B 1/24 = 4.17 %, city 3/312 = 0.96 %
EXPECTED = {
    "sampling.food_batches_per_1000": {"a": (2, 20000, "0.10"), "b": (1, 10000, "0.10"), None: (3, 130000, "0.02")},
    "sampling.monitoring_per_1000": {"a": (1, 20000, "0.05"), "b": (1, 10000, "0.10"), None: (2, 130000, "0.02")},
    "sampling.quota_fulfilment": {"a": (2, 48, "4.17"), "b": (1, 24, "4.17"), None: (3, 312, "0.96")},
}
CODES = tuple(EXPECTED)


@pytest.mark.parametrize("code", CODES)
def test_city_figures_and_their_links(code, world, township_a, township_b, city_staff, client):
    out = run(code, city_staff, [township_a.pk, township_b.pk], as_of=AS_OF)
    for name, key in {"a": township_a.pk, "b": township_b.pk, None: None}.items():
        assert triple(out[key]) == EXPECTED[code][name], (code, name)
        assert f"sampled_until={AS_OF.isoformat()}" in out[key].url
        assert_rows(client, city_staff, out[key].url, out[key].numerator)


@pytest.mark.parametrize("code", CODES)
def test_a_township_actor_counts_only_its_township(code, world, township_a, township_b, staff_a, client):
    out = run(code, staff_a, [township_a.pk, township_b.pk], as_of=AS_OF)
    assert triple(out[township_a.pk]) == EXPECTED[code]["a"]
    assert triple(out[None]) == EXPECTED[code]["a"]  # staff_a's scope is township A: its population and quota
    assert out[township_b.pk].numerator == 0
    assert out[township_b.pk].denominator is None and out[township_b.pk].note == "该镇街不在可见范围内"
    assert_rows(client, staff_a, out[None].url, out[None].numerator)


def test_a_closed_year_links_without_a_day_cut(world, township_a, city_staff):
    out = run(
        "sampling.food_batches_per_1000", city_staff, [township_a.pk], year=YEAR - 1, as_of=dt.date(YEAR - 1, 12, 31)
    )
    assert out[township_a.pk].numerator == 1  # s6
    assert "sampled_until" not in out[township_a.pk].url


def test_a_township_without_population_has_no_rate_and_says_so(world, township_a, city_staff):
    TownshipPopulation.objects.filter(township=township_a).delete()
    out = run("sampling.food_batches_per_1000", city_staff, [township_a.pk], as_of=AS_OF)
    assert out[township_a.pk].value is None and out[township_a.pk].note
    assert township_a.name in out[None].note  # the city's denominator leaves it out, visibly
    assert out[None].denominator == 110000


@pytest.mark.parametrize("code", CODES)
def test_queries_do_not_grow_with_townships_or_rows(code, world, township_a, township_b, city_staff):
    ids = [township_a.pk, township_b.pk]
    two = queries(lambda: run(code, city_staff, ids, as_of=AS_OF))
    more = list(Township.objects.exclude(pk__in=ids).order_by("order")[:4])
    for t in more:
        sample(t, dt.date(YEAR, 3, 1))
        sample(t, dt.date(YEAR, 3, 1), "monitoring")
    six = queries(lambda: run(code, city_staff, [*ids, *(t.pk for t in more)], as_of=AS_OF))
    assert two == six
