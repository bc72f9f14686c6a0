"""The measures registry (apps/common/measures.py): values are derived from numerator and denominator by kind."""

import datetime as dt
from decimal import Decimal

import pytest

from apps.common import measures as m


def _register(kind, per=1, places=2):
    def compute(actor, *, year, township_ids, as_of):
        assert as_of == dt.date(year, 12, 31)
        return {1: m.MeasureValue(3, 8), 2: m.MeasureValue(0, 0), None: m.MeasureValue(3, 8)}

    measure = m.Measure(code="test.x", label="测试", unit="", kind=kind, compute=compute, per=per, places=places)
    m.register_measure(measure)
    return measure


@pytest.fixture(autouse=True)
def _clean():
    yield
    m.unregister_measure("test.x")


@pytest.mark.parametrize(
    ("kind", "per", "expected"),
    [(m.RATIO, 1, Decimal("37.50")), (m.RATE, 1000, Decimal("375.00")), (m.COUNT, 1, Decimal(3))],
)
def test_value_by_kind_and_zero_denominator(kind, per, expected):
    _register(kind, per)
    out = m.compute("test.x", None, year=2020, township_ids=[1, 2], as_of=dt.date(2020, 12, 31))
    assert out[1].value == expected
    assert out[None].value == expected
    assert out[2].value == (Decimal(0) if kind == m.COUNT else None)


def test_unknown_kind_and_code_are_refused():
    with pytest.raises(ValueError):
        m.register_measure(m.Measure(code="test.x", label="", unit="", kind="avg", compute=lambda *a, **k: {}))
    with pytest.raises(KeyError):
        m.compute("test.nope", None, year=2020, township_ids=[])
