"""Measures (考核与驾驶舱的指标数据): one registry of the figures computed from the platform's data, per township.

The app that owns the data registers its measures in its ``AppConfig.ready()``; the assessment (indicator values of a
round), the campaigns (targets and progress) and the leadership dashboard read them by code through ``measure()`` /
``compute()`` and never import the owning app (docs/architecture.md §1):

    # apps/enterprises/measures.py, registered from EnterprisesConfig.ready()
    from apps.common.measures import Measure, register_measure
    register_measure(Measure(
        code="enterprises.sunshine_kitchen_online", label="网络餐饮阳光厨房覆盖率", unit="%", kind=RATIO,
        compute=sunshine_kitchen_online, order=10,
    ))

``compute(actor, *, year, township_ids, as_of)`` returns ``{township_id: MeasureValue, ..., None: MeasureValue}``:
one value for each requested township id (a township with nothing to count gets a value with denominator 0), and
under ``None`` the value of the whole scope ``actor`` sees (the city for city roles, rows without a township
included). It reads only rows ``actor`` may see, up to and including ``as_of`` (a date within ``year``: the end of
the year for a closed year, today for the current one), and runs a number of queries that does not grow with the
number of townships or rows. ``url`` of each value opens the list of exactly the rows counted (the numerator's rows
where there is a numerator), as the role home page's figures do.

Kinds: ``RATIO`` — ``value = numerator / denominator × 100`` (a percentage; None when the denominator is 0);
``RATE`` — a rate per unit of the denominator (e.g. batches per 1,000 residents: ``numerator / denominator × 1000``,
the factor is the measure's ``per``); ``COUNT`` — ``value = numerator`` (denominator None).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

RATIO = "ratio"
RATE = "rate"
COUNT = "count"
KINDS = {RATIO: "比率（%）", RATE: "密度", COUNT: "数量"}


@dataclass(frozen=True)
class MeasureValue:
    numerator: Decimal | int | None
    denominator: Decimal | int | None = None
    value: Decimal | None = None  # filled by ``Measure.value_of`` when left None
    url: str = ""  # the list of the rows counted
    denominator_url: str = ""  # the list of the rows of the denominator, where it is rows
    note: str = ""

    def as_dict(self) -> dict:
        """JSON-ready (Decimals as strings), e.g. for a round's frozen inputs."""
        return {
            k: (str(v) if isinstance(v, Decimal) else v)
            for k, v in {
                "numerator": self.numerator,
                "denominator": self.denominator,
                "value": self.value,
                "url": self.url,
                "denominator_url": self.denominator_url,
                "note": self.note,
            }.items()
        }


@dataclass(frozen=True)
class Measure:
    code: str  # "<app label>.<name>", e.g. "sampling.food_batches_per_1000"
    label: str  # Chinese, shown to people
    unit: str  # "%", "批次/千人", "个", "家" ...
    kind: str  # RATIO | RATE | COUNT
    compute: Callable[..., dict]
    order: int = 100
    per: int = 1  # RATE: the factor (1000 for "per 1,000 residents", 100 for "per 100 caterers")
    higher_is_better: bool = True
    places: int = 2  # decimal places of ``value``
    description: str = ""  # how it is counted, in Chinese (shown beside the figure)
    extra: dict = field(default_factory=dict)

    def value_of(self, numerator, denominator) -> Decimal | None:
        if numerator is None:
            return None
        if self.kind == COUNT:
            return Decimal(numerator)
        if not denominator:
            return None
        factor = 100 if self.kind == RATIO else self.per
        raw = Decimal(numerator) * factor / Decimal(denominator)
        return raw.quantize(Decimal(1).scaleb(-self.places), rounding=ROUND_HALF_UP)

    def run(self, actor, *, year: int, township_ids: Iterable[int], as_of: dt.date | None = None) -> dict:
        """``compute`` with ``value`` filled in for every entry."""
        as_of = as_of or min(dt.date.today(), dt.date(year, 12, 31))
        out = self.compute(actor, year=year, township_ids=list(township_ids), as_of=as_of)
        return {
            key: (
                v
                if v.value is not None
                else MeasureValue(
                    v.numerator,
                    v.denominator,
                    self.value_of(v.numerator, v.denominator),
                    v.url,
                    v.denominator_url,
                    v.note,
                )
            )
            for key, v in out.items()
        }


_MEASURES: dict[str, Measure] = {}


def register_measure(m: Measure) -> None:
    """Register (or replace, so ``ready()`` may run twice) a measure under its code."""
    if m.kind not in KINDS:
        raise ValueError(f"unknown measure kind {m.kind!r}")
    _MEASURES[m.code] = m


def unregister_measure(code: str) -> None:  # for tests
    _MEASURES.pop(code, None)


def measures() -> list[Measure]:
    return sorted(_MEASURES.values(), key=lambda m: (m.order, m.code))


def measure(code: str) -> Measure | None:
    return _MEASURES.get(code)


def compute(code: str, actor, *, year: int, township_ids: Iterable[int], as_of: dt.date | None = None) -> dict:
    """The values of one registered measure; raises KeyError for an unknown code."""
    return _MEASURES[code].run(actor, year=year, township_ids=township_ids, as_of=as_of)
