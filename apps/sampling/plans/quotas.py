"""Quota arithmetic of the yearly sampling plan (issue 10 point 2, DOMAIN.md §3.5): pure functions and one selector.

* ``quota(population, rate)`` — the minimum batches of a year: ``ceil(population / 1000 × rate)``, in ``Decimal``
  (no float rounding: 1,101,600 × 4.5 / 1000 = 4,957.2 → 4,958, not 4,957.199999…). A township's quota is computed
  from its own population; the city's figure is the sum of the townships' quotas (each township must reach its own
  minimum, so the sum may exceed ``quota(city population)`` by less than one batch per township).
* ``largest_remainder(total, weights)`` — Hamilton's method: every part gets the floor of its exact share, the
  batches left over go one each to the largest fractional remainders (ties: the earlier part). The parts always sum
  to ``total``.
* ``split_by_source`` — the food-sampling quota by source (自评 / 靶向 / 你点我检) by the year's shares (%).
* ``category_weights`` — how the quota splits across the active 大类 (level-1 sampling categories):
  ``"hazard"`` (default) weighs each by its hazard 1–5 (``SamplingCategory.hazard``, edited in the standards
  catalogue), ``"even"`` gives each the same weight. The choice is made when a plan is generated and recorded on it.
* ``spread_over_months`` — a part over the 12 months: ``n // 12`` each, the remainder one each to consecutive months
  from a running pointer shared across the parts of a township, so the township's month totals are the even split
  of its quota (months differ by at most one batch) and no part piles its odd batches into January.
* ``quota_split`` — all of it for one township: {(source, category id, month): batches}, summing to the quota.

``township_quotas`` (the selector) gives each township's population (the latest figure of the year or before, with
its 估算 flag) and its two quotas under the year's rates (``rates_for_year``: the year's own row, else the latest
earlier year's, marked as carried over).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal
from fractions import Fraction

from apps.accounts.models import Township, TownshipPopulation
from apps.common.scoping import user_sees_all_townships
from apps.standards.models import SamplingCategory

from ..choices import LineSource
from ..models import QuotaRate

PER = Decimal(1000)
MONTHS = tuple(range(1, 13))
WEIGHTINGS = {"hazard": "按品类风险程度（1–5）加权", "even": "各大类平均分配"}
DEFAULT_WEIGHTING = "hazard"
SOURCES = (LineSource.ROUTINE, LineSource.TARGETED, LineSource.VOTE)


# ------------------------------------------------------------------------------------------------ pure functions
def quota(population: int, rate: Decimal | str | int) -> int:
    """``ceil(population / 1000 × rate)`` exactly (Decimal): the minimum batches of a year."""
    if population is None or population < 0:
        raise ValueError("population must be a non-negative integer")
    rate = Decimal(str(rate))
    if rate < 0:
        raise ValueError("rate must not be negative")
    return int((Decimal(int(population)) * rate / PER).to_integral_value(rounding=ROUND_CEILING))


def per_thousand(batches: int, population: int | None) -> Decimal | None:
    """Batches per 1,000 residents, to two decimals (None without a population)."""
    if not population:
        return None
    return (Decimal(batches) * PER / Decimal(population)).quantize(Decimal("0.01"))


def largest_remainder(total: int, weights: Sequence[int | Decimal | Fraction]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` (Hamilton's method); the parts sum to ``total``.

    All-zero (or no) weights: an even split. Ties in the remainders go to the earlier part."""
    if total < 0:
        raise ValueError("total must not be negative")
    if not weights:
        if total:
            raise ValueError("cannot split a positive total into no parts")
        return []
    if all(type(w) is int for w in weights):  # the usual case (hazards, shares, months): the same split in integers
        return _largest_remainder_int(total, list(weights))
    exact = [Fraction(str(w)) if isinstance(w, Decimal) else Fraction(w) for w in weights]
    if any(w < 0 for w in exact):
        raise ValueError("weights must not be negative")
    whole = sum(exact)
    if whole == 0:
        exact, whole = [Fraction(1)] * len(exact), Fraction(len(exact))
    shares = [total * w / whole for w in exact]
    parts = [int(s) for s in shares]  # floor (shares are non-negative)
    left = total - sum(parts)
    order = sorted(range(len(shares)), key=lambda i: (-(shares[i] - parts[i]), i))
    for i in order[:left]:
        parts[i] += 1
    return parts


def _largest_remainder_int(total: int, weights: list[int]) -> list[int]:
    """``largest_remainder`` for integer weights without fractions: part i's exact share is total × w_i / W, its
    floor ``total × w_i // W`` and its remainder ``total × w_i % W`` over the common denominator W, so comparing the
    integer remainders orders the fractional parts exactly (ties: the earlier part)."""
    if any(w < 0 for w in weights):
        raise ValueError("weights must not be negative")
    whole = sum(weights)
    if whole == 0:
        weights, whole = [1] * len(weights), len(weights)
    parts, rems = [], []
    for w in weights:
        q, r = divmod(total * w, whole)
        parts.append(q)
        rems.append(r)
    left = total - sum(parts)
    if left:
        for i in sorted(range(len(weights)), key=lambda i: (-rems[i], i))[:left]:
            parts[i] += 1
    return parts


def split_by_source(total: int, shares: dict[str, int]) -> dict[str, int]:
    """The food-sampling quota by source: ``shares`` in % per LineSource value (they should sum to 100)."""
    keys = [s for s in SOURCES if s in shares]
    return dict(zip(keys, largest_remainder(total, [shares[k] for k in keys]), strict=True))


def category_weights(categories: Iterable[SamplingCategory], weighting: str = DEFAULT_WEIGHTING) -> list[tuple]:
    """[(category, weight)] for the split across 大类: hazard (1–5) or even (1 each)."""
    if weighting not in WEIGHTINGS:
        raise ValueError(f"unknown weighting {weighting!r}")
    return [(c, c.hazard if weighting == "hazard" else 1) for c in categories]


@dataclass
class MonthPointer:
    """Where the next odd batch goes: shared by the parts of a township so its months stay even."""

    next_month: int = 0  # index into MONTHS

    def spread(self, n: int) -> list[int]:
        base, extra = divmod(n, len(MONTHS))
        out = [base] * len(MONTHS)
        for k in range(extra):
            out[(self.next_month + k) % len(MONTHS)] += 1
        self.next_month = (self.next_month + extra) % len(MONTHS)
        return out


def spread_over_months(n: int, pointer: MonthPointer | None = None) -> list[int]:
    """``n`` batches over the 12 months (see the module docstring); the list sums to ``n``."""
    return (pointer or MonthPointer()).spread(n)


def even_months(total: int) -> list[int]:
    """The even split of a year's quota over its months (the burn-down's target): largest remainder, 12 parts."""
    return largest_remainder(total, [1] * len(MONTHS))


def quota_split(
    total: int, *, shares: dict[str, int] | None, weights: Sequence[tuple[object, int]]
) -> dict[tuple[str, int, int], int]:
    """One township's quota as plan lines: {(source, category id, month): batches > 0}; the values sum to ``total``.

    ``shares`` None: one source (自评抽检; risk monitoring is not 三位一体). ``weights``: ``category_weights(...)``.
    Order: source (largest remainder) → category (largest remainder) → month (running pointer)."""
    if total and not weights:
        raise ValueError("no categories to split into")
    by_source = split_by_source(total, shares) if shares else {LineSource.ROUTINE: total}
    pointer = MonthPointer()
    out: dict[tuple[str, int, int], int] = {}
    for source, n_source in by_source.items():
        for (category, _), n_cat in zip(weights, largest_remainder(n_source, [w for _, w in weights]), strict=True):
            for month, n in zip(MONTHS, pointer.spread(n_cat), strict=True):
                if n:
                    out[(str(source), category.pk, month)] = n
    return out


# ------------------------------------------------------------------------------------------------ the selector
@dataclass
class Rates:
    """The rates applying to a year: ``row`` is the QuotaRate used; ``carried_from`` its year when it is an earlier
    year's row (the year has none of its own)."""

    year: int
    row: QuotaRate | None
    carried_from: int | None = None

    @property
    def food_rate(self) -> Decimal | None:
        return self.row.food_rate if self.row else None

    @property
    def monitoring_rate(self) -> Decimal | None:
        return self.row.monitoring_rate if self.row else None

    @property
    def shares(self) -> dict[str, int]:
        if not self.row:
            return {}
        r = self.row
        return {
            LineSource.ROUTINE: r.routine_share,
            LineSource.TARGETED: r.targeted_share,
            LineSource.VOTE: r.vote_share,
        }


def rates_for_year(year: int) -> Rates:
    """The year's QuotaRate, or the latest earlier year's (carried over), or none (one query)."""
    return rates_for_years([year])[year]


def rates_for_years(years) -> dict[int, Rates]:
    """``rates_for_year`` of each of ``years`` (one query)."""
    years = list(years)
    rows = list(QuotaRate.objects.filter(year__lte=max(years)).order_by("-year")) if years else []
    out = {}
    for year in years:
        row = next((r for r in rows if r.year <= year), None)
        if row is None:
            out[year] = Rates(year=year, row=None)
        else:
            out[year] = Rates(year=year, row=row, carried_from=None if row.year == year else row.year)
    return out


@dataclass
class TownshipQuota:
    township: Township
    population: TownshipPopulation | None  # the latest figure of ``year`` or before
    food: int | None = None
    monitoring: int | None = None

    @property
    def is_estimate(self) -> bool:
        return bool(self.population and self.population.is_estimate)

    @property
    def population_value(self) -> int | None:
        return self.population.population if self.population else None


@dataclass
class QuotaTable:
    year: int
    rates: Rates
    rows: list[TownshipQuota] = field(default_factory=list)

    @property
    def food_total(self) -> int:
        return sum(r.food or 0 for r in self.rows)

    @property
    def monitoring_total(self) -> int:
        return sum(r.monitoring or 0 for r in self.rows)

    @property
    def population_total(self) -> int:
        return sum(r.population_value or 0 for r in self.rows)

    @property
    def any_estimate(self) -> bool:
        return any(r.is_estimate for r in self.rows)

    @property
    def missing_population(self) -> list[Township]:
        return [r.township for r in self.rows if r.population is None]

    def for_township(self, township_id: int) -> TownshipQuota | None:
        return next((r for r in self.rows if r.township.pk == township_id), None)


def visible_townships(actor):
    """Active townships the actor sees (city roles: all; others: their own), in the official order."""
    qs = Township.objects.filter(is_active=True).order_by("order", "id")
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return qs.none()
    if not user_sees_all_townships(actor):
        qs = qs.filter(id__in=actor.township_ids())
    return qs


def township_quotas(*, actor, year: int, townships=None) -> QuotaTable:
    """Each visible township's population (latest of ``year`` or before, 估算 flag) and quotas (3 queries)."""
    return township_quotas_years(actor=actor, years=[year], townships=townships)[year]


def township_quotas_years(*, actor, years, townships=None) -> dict[int, QuotaTable]:
    """``township_quotas`` of each of ``years``, in the same 3 queries."""
    years = list(years)
    townships = list(visible_townships(actor) if townships is None else townships)
    rates = rates_for_years(years)
    rows = populations(townships, until=max(years))
    return {year: quota_table(year, rates[year], townships, rows) for year in years}


def populations(townships, *, until: int) -> list[TownshipPopulation]:
    """Every population row of ``townships`` up to year ``until`` (one query)."""
    return list(
        TownshipPopulation.objects.filter(township__in=[t.pk for t in townships], year__lte=until)
        .order_by("township_id", "-year")
        .only("township_id", "year", "population", "is_estimate", "source")
    )


def quota_table(year: int, rates: Rates, townships, population_rows) -> QuotaTable:
    """The quotas of ``year`` from rows already read (no query): each township's latest population ≤ ``year``."""
    pops: dict[int, TownshipPopulation] = {}
    for p in sorted(population_rows, key=lambda p: (p.township_id, -p.year)):
        if p.year <= year:
            pops.setdefault(p.township_id, p)
    table = QuotaTable(year=year, rates=rates)
    for t in townships:
        pop = pops.get(t.pk)
        row = TownshipQuota(township=t, population=pop)
        if pop is not None and rates.row is not None:
            row.food = quota(pop.population, rates.food_rate)
            row.monitoring = quota(pop.population, rates.monitoring_rate)
        table.rows.append(row)
    return table


def current_year() -> int:
    from django.utils import timezone

    return timezone.localdate().year


def year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)
