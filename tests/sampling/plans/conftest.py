"""Fixtures of the plans tests: a small catalogue of 大类 (hazards 5, 3, 1) with a sub-category, and the year's rates.

The standards app's data migration (0004_starter_catalogue) ships a starter 抽检食品分类; the figures here are worked
out over this small catalogue only, so both fixtures first switch the starter rows off (inside the test's
transaction; the rows stay, as results and limits point at them)."""

import datetime as dt

import pytest

from apps.sampling.models import QuotaRate
from apps.standards.models import SamplingCategory
from tests.factories.sampling import SamplingCategoryFactory

YEAR = 2026


@pytest.fixture
def no_categories(reference):
    """No active 大类: the starter catalogue (there to begin with, so the test does not pass vacuously) switched off."""
    assert SamplingCategory.objects.filter(level=1, is_active=True).exists(), "starter catalogue expected"
    SamplingCategory.objects.update(is_active=False)


@pytest.fixture
def categories(no_categories):
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
