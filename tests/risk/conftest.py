"""Shared helpers for the risk tests: enterprises with chosen attributes, the reference schemes, a fake inspection
source."""

import datetime as dt

import pytest

from apps.enterprises.models import BusinessType, FoodCategory
from apps.risk import coverage, services
from apps.risk.models import RiskScheme
from tests.factories.enterprises import EnterpriseFactory


def make_enterprise(township, business_type="catering", categories=("C01",), scale="small", **extra):
    ent = EnterpriseFactory(
        township=township, business_type=BusinessType.objects.get(code=business_type), scale=scale, **extra
    )
    if categories:
        ent.food_categories.set(FoodCategory.objects.filter(code__in=categories))
    return ent


@pytest.fixture
def enterprise_factory(reference):
    return make_enterprise


@pytest.fixture
def cfda(db):
    services.reference_schemes_load()  # no-op unless a transactional test flushed the migration's rows
    return RiskScheme.objects.get(code="cfda-2016", version=1)


@pytest.fixture
def samr(db):
    services.reference_schemes_load()
    return RiskScheme.objects.get(code="samr-2022-production", version=1)


class FakeInspections:
    """A registered inspection source: {enterprise_id: [(date, full_coverage), ...]}."""

    def __init__(self):
        self.rows: dict[int, list[tuple[dt.date, bool]]] = {}
        self.calls = 0

    def add(self, enterprise, day, full=True):
        self.rows.setdefault(enterprise.pk, []).append((day, full))

    def __call__(self, enterprise_ids, year):
        self.calls += 1
        wanted = set(enterprise_ids)
        return {k: v for k, v in self.rows.items() if k in wanted}


@pytest.fixture
def no_inspection_sources():
    """Take out whatever sources are registered (the inspections app registers one) for the test."""
    saved = coverage.registered_sources()
    for fn in saved:
        coverage.unregister_inspection_source(fn)
    yield
    for fn in coverage.registered_sources():
        coverage.unregister_inspection_source(fn)
    for fn in saved:
        coverage.register_inspection_source(fn)


@pytest.fixture
def fake_inspections(no_inspection_sources):
    """The only registered source for the test."""
    source = FakeInspections()
    coverage.register_inspection_source(source)
    return source
