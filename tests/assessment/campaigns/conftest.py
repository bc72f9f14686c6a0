"""Fixtures of the campaign tests: the default campaigns (the data migration's rows, re-ensured after a flush), and
small fake measures registered under the agreed codes (``apps.common.measures``), with hand-computed figures per
township. The measures registered before a test are put back after it."""

import datetime as dt
from decimal import Decimal

import pytest

from apps.common import measures as registry
from apps.common.measures import COUNT, RATE, RATIO, Measure, MeasureValue
from apps.common.scoping import user_sees_all_townships, user_township_ids

YEAR = dt.date.today().year

# code -> (kind, per, unit, {township code: (numerator, denominator)})
FAKE = {
    "enterprises.sunshine_kitchen_online": (RATIO, 1, "%", {"xiashi": (3, 4), "xucun": (2, 2)}),
    "enterprises.rural_banquet_centres": (COUNT, 1, "个", {"xiashi": (40, None), "xucun": (35, None)}),
    "sampling.food_batches_per_1000": (RATE, 1000, "批次/千人", {"xiashi": (450, 100_000), "xucun": (300, 100_000)}),
}
UNREGISTERED = "enterprises.responsibility_list"


def _fake_compute(code, kind, table):
    def compute(actor, *, year, township_ids, as_of):
        from apps.accounts.models import Township

        codes = dict(Township.objects.filter(pk__in=township_ids).values_list("pk", "code"))
        out = {}
        for tid in township_ids:
            num, den = table.get(codes.get(tid), (0, None if kind == COUNT else 0))
            out[tid] = MeasureValue(num, den, url=f"/fake/{code}/?township={tid}")
        # the whole scope the actor sees: every township for city roles, theirs otherwise
        if user_sees_all_townships(actor):
            scope_codes = set(table)
        else:
            scope_codes = set(Township.objects.filter(pk__in=user_township_ids(actor)).values_list("code", flat=True))
        rows = [v for c, v in table.items() if c in scope_codes]
        num = sum(r[0] for r in rows)
        den = None if any(r[1] is None for r in rows) else sum(r[1] for r in rows)
        out[None] = MeasureValue(num, den, url=f"/fake/{code}/")
        return out

    return compute


@pytest.fixture
def campaigns(reference):
    from apps.assessment.campaigns.services import defaults_ensure
    from apps.assessment.models import Campaign

    defaults_ensure()
    return {c.code: c for c in Campaign.objects.all()}


@pytest.fixture
def fake_measures():
    saved = {m.code: m for m in registry.measures()}
    for code, (kind, per, unit, table) in FAKE.items():
        registry.register_measure(
            Measure(code=code, label=code, unit=unit, kind=kind, per=per, compute=_fake_compute(code, kind, table))
        )
    registry.unregister_measure(UNREGISTERED)
    yield FAKE
    for code in [*FAKE, UNREGISTERED]:
        registry.unregister_measure(code)
        if code in saved:
            registry.register_measure(saved[code])


def find(rows, campaign_code, target_code):
    for row in rows:
        if row.campaign.code != campaign_code:
            continue
        for tp in row.targets:
            if tp.target.code == target_code:
                return tp
    raise AssertionError(f"{campaign_code}.{target_code} not in the progress")


D = Decimal
