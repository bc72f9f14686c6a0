"""Quota arithmetic (issue 10 points 2 and 12): ceil(population / 1000 × rate) in Decimal, for the city figures of
DOMAIN.md §3.5 and the 12 townships' reference populations; the splits always sum to their total."""

import math
from decimal import Decimal
from fractions import Fraction

import pytest

from apps.accounts.models import TownshipPopulation
from apps.sampling.choices import LineSource
from apps.sampling.plans import quotas

pytestmark = pytest.mark.django_db

# (township code, 2020 population, food, monitoring, 2022 population, food, monitoring) — by hand: ceil(p × 4.5 / 1000)
# and ceil(p / 1000) on the reference estimates of fixtures/townships.json.
TOWNSHIPS = [
    ("xiashi", 125000, 563, 125, 127950, 576, 128),
    ("haizhou", 150000, 675, 150, 153540, 691, 154),
    ("haichang", 95000, 428, 95, 97242, 438, 98),
    ("maqiao", 80000, 360, 80, 81888, 369, 82),
    ("xucun", 140000, 630, 140, 143304, 645, 144),
    ("changan", 130000, 585, 130, 133068, 599, 134),
    ("zhouwangmiao", 65000, 293, 65, 66534, 300, 67),
    ("yanguan", 60000, 270, 60, 61416, 277, 62),
    ("xieqiao", 60000, 270, 60, 61416, 277, 62),
    ("dingqiao", 55000, 248, 55, 56298, 254, 57),
    ("yuanhua", 70000, 315, 70, 71652, 323, 72),
    ("huangwan", 46199, 208, 47, 47292, 213, 48),
]


@pytest.mark.parametrize(
    "population,food,monitoring",
    [(1_101_600, 4958, 1102), (1_076_199, 4843, 1077), (0, 0, 0), (1000, 5, 1), (999, 5, 1), (222, 1, 1)],
)
def test_city_figures_of_domain_md(population, food, monitoring):
    assert quotas.quota(population, Decimal("4.5")) == food
    assert quotas.quota(population, Decimal("1")) == monitoring


def test_no_float_rounding_surprise():
    # 1,101,600 × 4.5 / 1000 = 4957.2 exactly; 1,000,000 × 0.1 / 1000 = 100 exactly (not 100.00000000000001 → 101)
    assert quotas.quota(1_101_600, "4.5") == 4958
    assert quotas.quota(1_000_000, "0.1") == 100
    assert quotas.quota(1_000_000, "4.50") == 4500
    assert quotas.quota(3_000, "0.7") == 3  # 2.1 → 3
    # in floats 110,000 / 1000 × 1.1 is 121.00000000000001, whose ceiling is 122: the Decimal path says 121
    assert math.ceil(110_000 / 1000 * 1.1) == 122
    assert quotas.quota(110_000, "1.1") == 121


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError):
        quotas.quota(-1, "4.5")
    with pytest.raises(ValueError):
        quotas.quota(1000, "-1")


@pytest.mark.parametrize("code,p2020,f2020,m2020,p2022,f2022,m2022", TOWNSHIPS)
def test_each_of_the_12_townships(reference, code, p2020, f2020, m2020, p2022, f2022, m2022):
    pops = {p.year: p for p in TownshipPopulation.objects.filter(township__code=code)}
    assert pops[2020].population == p2020 and pops[2022].population == p2022
    assert (quotas.quota(p2020, "4.5"), quotas.quota(p2020, "1")) == (f2020, m2020)
    assert (quotas.quota(p2022, "4.5"), quotas.quota(p2022, "1")) == (f2022, m2022)


def test_township_table_uses_the_latest_population_of_the_year_or_before(reference, city_staff):
    t2021 = quotas.township_quotas(actor=city_staff, year=2021)
    t2026 = quotas.township_quotas(actor=city_staff, year=2026)
    assert [r.population.year for r in t2021.rows] == [2020] * 12
    assert [r.population.year for r in t2026.rows] == [2022] * 12
    assert t2021.population_total == 1_076_199 and t2026.population_total == 1_101_600
    by_code = {r.township.code: r for r in t2026.rows}
    for code, *_, f2022, m2022 in TOWNSHIPS:
        assert (by_code[code].food, by_code[code].monitoring) == (f2022, m2022)
    # each township reaches its own minimum: the sum of ceilings is at least the city's ceiling, by < 1 per township
    assert 4958 <= t2026.food_total < 4958 + 12 and t2026.food_total == sum(t[5] for t in TOWNSHIPS)
    assert 1102 <= t2026.monitoring_total < 1102 + 12
    assert t2026.any_estimate  # the reference figures are estimates (估算)
    assert quotas.township_quotas(actor=city_staff, year=2019).rows[0].population is None


def test_township_staff_see_their_township_only(staff_a, township_a):
    table = quotas.township_quotas(actor=staff_a, year=2026)
    assert [r.township for r in table.rows] == [township_a]


def test_rates_of_a_year_without_its_own_row_are_carried_over(reference):
    from apps.sampling.models import QuotaRate

    latest = QuotaRate.objects.order_by("-year").first()
    carried = quotas.rates_for_year(latest.year + 3)
    assert carried.row == latest and carried.carried_from == latest.year
    assert quotas.rates_for_year(latest.year).carried_from is None
    assert quotas.rates_for_year(1999).row is None


# ------------------------------------------------------------------------------------------------ splits
@pytest.mark.parametrize("total", [0, 1, 2, 7, 11, 12, 13, 100, 576, 4958])
@pytest.mark.parametrize("weights", [[60, 30, 10], [1, 1, 1], [5, 3, 3, 1, 2], [0, 0, 1], [0, 0, 0], [1] * 12, [3]])
def test_largest_remainder_sums_to_the_total(total, weights):
    parts = quotas.largest_remainder(total, weights)
    assert sum(parts) == total and len(parts) == len(weights)
    whole = sum(weights) or len(weights)
    for part, w in zip(parts, weights if sum(weights) else [1] * len(weights), strict=True):
        exact = total * w / whole
        assert int(exact) <= part <= int(exact) + 1  # within one of the exact share (Hamilton's quota property)


def test_largest_remainder_examples():
    assert quotas.largest_remainder(576, [60, 30, 10]) == [346, 173, 57]  # 345.6, 172.8, 57.6
    assert quotas.largest_remainder(10, [1, 1, 1]) == [4, 3, 3]  # ties go to the earlier part
    assert quotas.largest_remainder(5, [Decimal("0.5"), Decimal("0.25"), Decimal("0.25")]) == [3, 1, 1]
    with pytest.raises(ValueError):
        quotas.largest_remainder(3, [])
    with pytest.raises(ValueError):
        quotas.largest_remainder(3, [1, -1])


def test_integer_weights_split_exactly_as_fractions_do():
    """Integer weights take an integer path (no Fraction): the same parts, remainders and ties, for many cases."""
    import random

    rng = random.Random(20261207)
    for _ in range(2000):
        weights = [rng.choice([0, 0, 1, 2, 3, 5, 7, 60, 1000]) for _ in range(rng.randint(1, 40))]
        total = rng.choice([0, 1, 2, 11, 12, 13, 576, 4958, rng.randint(0, 100_000)])
        as_fractions = quotas.largest_remainder(total, [Fraction(w) for w in weights])
        assert quotas.largest_remainder(total, weights) == as_fractions, (total, weights)


def test_split_by_source():
    shares = {LineSource.ROUTINE: 60, LineSource.TARGETED: 30, LineSource.VOTE: 10}
    assert quotas.split_by_source(4958, shares) == {"routine": 2975, "targeted": 1487, "vote": 496}
    assert sum(quotas.split_by_source(577, shares).values()) == 577


@pytest.mark.parametrize("total", [0, 5, 11, 12, 13, 25, 128, 576])
def test_months_are_even(total):
    months = quotas.even_months(total)
    assert sum(months) == total and max(months) - min(months) <= 1
    assert months == sorted(months, reverse=True)  # the odd batches go to the first months


class _Cat:
    def __init__(self, pk, hazard):
        self.pk, self.hazard = pk, hazard


@pytest.mark.parametrize("total", [0, 1, 13, 128, 576, 691])
def test_quota_split_sums_and_keeps_every_marginal(total):
    cats = [_Cat(i, h) for i, h in enumerate([5, 4, 3, 3, 2, 1, 1, 3], start=1)]
    shares = {"routine": 60, "targeted": 30, "vote": 10}
    weights = quotas.category_weights(cats, "hazard")
    split = quotas.quota_split(total, shares=shares, weights=weights)
    assert sum(split.values()) == total and all(n > 0 for n in split.values())
    by_source = {s: sum(n for (src, _, _), n in split.items() if src == s) for s in shares}
    assert by_source == quotas.split_by_source(total, shares)
    months = [sum(n for (_, _, m), n in split.items() if m == month) for month in quotas.MONTHS]
    assert months == quotas.even_months(total)  # the township's months stay even
    for source, n_source in by_source.items():
        per_cat = [sum(n for (s, c, _), n in split.items() if s == source and c == cat.pk) for cat in cats]
        assert per_cat == quotas.largest_remainder(n_source, [w for _, w in weights])


def test_even_weighting_and_monitoring_has_one_source():
    cats = [_Cat(i, h) for i, h in enumerate([5, 1, 1], start=1)]
    split = quotas.quota_split(128, shares=None, weights=quotas.category_weights(cats, "even"))
    assert {s for s, _, _ in split} == {"routine"}
    per_cat = [sum(n for (_, c, _), n in split.items() if c == cat.pk) for cat in cats]
    assert per_cat == [43, 43, 42]
    with pytest.raises(ValueError):
        quotas.category_weights(cats, "random")
    with pytest.raises(ValueError):
        quotas.quota_split(3, shares=None, weights=[])


def test_a_small_category_spreads_over_consecutive_months_not_january():
    cats = [_Cat(1, 1), _Cat(2, 1)]
    split = quotas.quota_split(8, shares=None, weights=quotas.category_weights(cats, "even"))
    months_1 = sorted(m for (_, c, m) in split if c == 1)
    months_2 = sorted(m for (_, c, m) in split if c == 2)
    assert months_1 == [1, 2, 3, 4] and months_2 == [5, 6, 7, 8]


def test_per_thousand():
    assert quotas.per_thousand(576, 127950) == Decimal("4.50")
    assert quotas.per_thousand(0, 1000) == Decimal("0.00")
    assert quotas.per_thousand(5, None) is None
