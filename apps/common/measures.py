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

Several years at once (the dashboard's trend): a measure whose ``compute`` is made with ``per_year(compute_years)``
also answers ``compute_years(actor, *, as_of={year: as_of, ...}, township_ids)`` → ``{year: {key: MeasureValue}}``
with one GROUP BY per source for all the years (``Measure.run_years``; a plain ``compute`` is called once a year).
Inside ``with batch():`` a source read through ``shared(key, load)`` is read once for every measure that reads it
(the six registry measures are one GROUP BY over the enterprises); outside a batch ``shared`` just reads.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse

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
        return self._filled(self.compute(actor, year=year, township_ids=list(township_ids), as_of=as_of))

    def run_years(self, actor, *, as_of: dict[int, dt.date], township_ids: Iterable[int]) -> dict[int, dict]:
        """``{year: values}`` for every ``{year: as_of}`` asked for: one call of the measure's ``compute_years``
        (``per_year``) for all of them, else ``compute`` once a year."""
        ids = list(township_ids)
        years = getattr(self.compute, "years", None)
        if years is not None:
            raw = years(actor, as_of=dict(as_of), township_ids=ids)
        else:
            raw = {y: self.compute(actor, year=y, township_ids=ids, as_of=day) for y, day in as_of.items()}
        return {y: self._filled(raw[y]) for y in as_of}

    def _filled(self, out: dict) -> dict:
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


def ratio(code: str, label: str, compute: Callable[..., dict], **kwargs) -> Measure:
    """A RATIO measure (a percentage of the rows counted): the shape most registered measures share."""
    return Measure(code=code, label=label, unit="%", kind=RATIO, compute=compute, **kwargs)


def rate(code: str, label: str, unit: str, per: int, compute: Callable[..., dict], **kwargs) -> Measure:
    """A RATE measure: ``numerator / denominator × per`` (e.g. batches per 1,000 residents)."""
    return Measure(code=code, label=label, unit=unit, kind=RATE, per=per, compute=compute, **kwargs)


def count(code: str, label: str, unit: str, compute: Callable[..., dict], **kwargs) -> Measure:
    """A COUNT measure: the number of rows (no denominator)."""
    return Measure(code=code, label=label, unit=unit, kind=COUNT, compute=compute, **kwargs)


# ------------------------------------------------------------------------------------------------ several years
def per_year(compute_years: Callable[..., dict]) -> Callable[..., dict]:
    """The registry's ``compute(actor, *, year, township_ids, as_of)`` from a ``compute_years(actor, *, as_of:
    {year: day}, township_ids)`` (kept as ``compute.years`` for ``Measure.run_years``): one path for both."""

    def compute(actor, *, year, township_ids, as_of):
        return compute_years(actor, as_of={year: as_of}, township_ids=township_ids)[year]

    compute.years = compute_years
    compute.__name__ = getattr(compute_years, "__name__", "compute")
    compute.__doc__ = compute_years.__doc__
    return compute


def year_start(year: int) -> dt.date:
    return dt.date(year, 1, 1)


_BATCH: ContextVar[dict | None] = ContextVar("measure_batch", default=None)
_SPAN: ContextVar[dict | None] = ContextVar("measure_span", default=None)


@contextmanager
def batch(as_of: dict[int, dt.date] | None = None):
    """Within the block, ``shared`` reads each source once (a page computing many measures over many years).
    ``as_of`` ({year: day}) declares every day the block will ask for: a source read through ``span(as_of)`` is
    then read for all of them at the first call (the current year for every township, the earlier years for the
    scope only, one query)."""
    token = _BATCH.set({}) if _BATCH.get() is None else None
    span_token = _SPAN.set(dict(as_of)) if as_of else None
    try:
        yield
    finally:
        if span_token is not None:
            _SPAN.reset(span_token)
        if token is not None:
            _BATCH.reset(token)


def span(as_of: dict[int, dt.date]) -> dict[int, dt.date]:
    """The {year: day} a source should be read for: the batch's declared days when they include ``as_of``."""
    declared = _SPAN.get()
    if declared and all(declared.get(y) == d for y, d in as_of.items()):
        return declared
    return dict(as_of)


def span_key(as_of: dict[int, dt.date]) -> tuple:
    return tuple(sorted(as_of.items()))


def shared(key, load: Callable[[], object]):
    """``load()``, memoised under ``key`` inside ``batch()`` (the key names the source, the actor and the days)."""
    memo = _BATCH.get()
    if memo is None:
        return load()
    if key not in memo:
        memo[key] = load()
    return memo[key]


def actor_key(actor):
    return getattr(actor, "pk", None)


# ------------------------------------------------------------------------------------------------ values and links
def _reverse_or_empty(name: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


def list_url(name: str, params: dict | None = None) -> str:
    """The URL of a list page with its GET filters (empty values left out, lists repeat the key); "" when the page
    is not installed."""
    base = shared(("list_url", name), lambda: _reverse_or_empty(name))
    if not base:
        return ""
    clean = {k: v for k, v in (params or {}).items() if v not in (None, "", [], ())}
    return f"{base}?{urlencode(clean, doseq=True)}" if clean else base


def township_values(
    township_ids: Iterable[int],
    numerators: dict,
    denominators: dict | None = None,
    *,
    url: Callable[[int | None], str],
    denominator_url: Callable[[int | None], str] | None = None,
    note: str = "",
    total_numerator=None,
    total_denominator=None,
) -> dict:
    """``{township_id: MeasureValue, None: MeasureValue}`` from per-township counts (keys may include None, rows
    without a township). The total is the sum of all keys unless given (``total_numerator``: e.g. a distinct count)."""
    out = {}
    for tid in township_ids:
        out[tid] = MeasureValue(
            numerators.get(tid, 0),
            None if denominators is None else denominators.get(tid, 0),
            url=url(tid),
            denominator_url=denominator_url(tid) if denominator_url else "",
            note=note,
        )
    num = sum(numerators.values()) if total_numerator is None else total_numerator
    if denominators is None:
        den = None
    else:
        den = sum(denominators.values()) if total_denominator is None else total_denominator
    out[None] = MeasureValue(
        num, den, url=url(None), denominator_url=denominator_url(None) if denominator_url else "", note=note
    )
    return out


_MEASURES: dict[str, Measure] = {}


def register_measure(m: Measure) -> None:
    """Register (or replace, so ``ready()`` may run twice) a measure under its code."""
    if m.kind not in KINDS:
        raise ValueError(f"unknown measure kind {m.kind!r}")
    _MEASURES[m.code] = m


def register_all(items: Iterable[Measure]) -> None:
    """``register_measure`` each of an app's ``MEASURES`` (its ``register()``, called from ``ready()``)."""
    for m in items:
        register_measure(m)


def unregister_measure(code: str) -> None:  # for tests
    _MEASURES.pop(code, None)


def measures() -> list[Measure]:
    return sorted(_MEASURES.values(), key=lambda m: (m.order, m.code))


def measure(code: str) -> Measure | None:
    return _MEASURES.get(code)


def compute(code: str, actor, *, year: int, township_ids: Iterable[int], as_of: dt.date | None = None) -> dict:
    """The values of one registered measure; raises KeyError for an unknown code."""
    return _MEASURES[code].run(actor, year=year, township_ids=township_ids, as_of=as_of)


def compute_years(code: str, actor, *, as_of: dict[int, dt.date], township_ids: Iterable[int]) -> dict[int, dict]:
    """``{year: values}`` of one registered measure for each ``{year: as_of}``."""
    return _MEASURES[code].run_years(actor, as_of=as_of, township_ids=township_ids)
