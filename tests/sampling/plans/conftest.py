"""Fixtures of the plans tests: a small catalogue of 大类 (hazards 5, 3, 1) with a sub-category, and the year's rates."""

import datetime as dt

import pytest

from apps.sampling.models import QuotaRate
from tests.factories.sampling import SamplingCategoryFactory

YEAR = 2026


@pytest.fixture
def categories(reference):
    meat = SamplingCategoryFactory(code="P01", name="肉制品", level=1, hazard=5, order=1)
    veg = SamplingCategoryFactory(code="P02", name="蔬菜", level=1, hazard=3, order=2)
    drinks = SamplingCategoryFactory(code="P03", name="饮料", level=1, hazard=1, order=3)
    cooked = SamplingCategoryFactory(code="P0101", name="熟肉制品", level=2, parent=meat, hazard=5, order=1)
    return {"meat": meat, "veg": veg, "drinks": drinks, "cooked": cooked}


@pytest.fixture
def rates(reference):
    """The year's QuotaRate (the data migration made it for the migration year; tests pin 2026's values)."""
    rate, _ = QuotaRate.objects.update_or_create(
        year=YEAR,
        defaults={
            "food_rate": "4.50",
            "monitoring_rate": "1.00",
            "routine_share": 60,
            "targeted_share": 30,
            "vote_share": 10,
            "effective_from": dt.date(YEAR, 1, 1),
        },
    )
    return rate
