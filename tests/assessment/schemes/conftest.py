"""Fake measures (the real ones are registered by the owning apps): the registry is emptied for each test and a
few measures of the default scheme are registered with values the test controls (``fake_data``), so the scores can
be computed by hand. Only townships A and B stay active."""

from decimal import Decimal

import pytest

from apps.accounts.models import Township
from apps.common import measures
from apps.common.measures import COUNT, RATE, RATIO, Measure, MeasureValue


@pytest.fixture
def fake_data():
    # {measure code: {township code: (numerator, denominator)}}
    return {
        "sampling.food_batches_per_1000": {"xiashi": (50, 10000), "xucun": (30, 10000)},
        "risk.coverage_debt": {"xiashi": (3, None), "xucun": (30, None)},
        "enterprises.health_certificates": {"xiashi": (0, 0), "xucun": (19, 20)},
    }


@pytest.fixture
def fake_measures(monkeypatch, fake_data, township_a, township_b):
    monkeypatch.setattr(measures, "_MEASURES", {})
    codes = {township_a.pk: township_a.code, township_b.pk: township_b.code}
    Township.objects.exclude(pk__in=codes).update(is_active=False)

    def make(code, kind, per=1):
        def compute(actor, *, year, township_ids, as_of):
            out = {}
            for tid in township_ids:
                num, den = fake_data[code].get(codes.get(tid), (0, 0))
                out[tid] = MeasureValue(num, den, url=f"/rows/{code}/?township={tid}", denominator_url=f"/den/?t={tid}")
            out[None] = MeasureValue(0, 0)
            return out

        measures.register_measure(Measure(code=code, label=code, unit="", kind=kind, compute=compute, per=per))

    make("sampling.food_batches_per_1000", RATE, per=1000)
    make("risk.coverage_debt", COUNT)
    make("enterprises.health_certificates", RATIO)
    return fake_data


D = Decimal
