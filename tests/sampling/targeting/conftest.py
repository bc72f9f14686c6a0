"""Hand-made data for the targeting tests: a small sampling catalogue (the 大类 the mapping names), enterprises,
samples with dates and conclusions, and controllable risk grades / complaint counts (the providers of
apps.common.hooks replaced for the test)."""

import datetime as dt

import pytest
from django.utils import timezone

from apps.common import hooks
from apps.sampling.choices import LineSource
from apps.standards.models import SamplingCategory
from tests.factories.enterprises import EnterpriseFactory
from tests.factories.sampling import PlanLineFactory, SampleFactory, SamplingPlanFactory

RISK = "risk.enterprise_attributes"
COMPLAINTS = "complaints.counts"


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def catalogue(reference):
    """大类 餐饮食品 (hazard 4) with a 亚类 below it, 食用农产品 (5), 糕点 (3): the starter catalogue's rows (standards
    migration 0004; the mapping reads 大类 by name), with the hazards these tests assume."""

    def major(name, hazard):
        row = SamplingCategory.objects.get(name=name, level=1)
        SamplingCategory.objects.filter(pk=row.pk).update(hazard=hazard)
        row.refresh_from_db()
        return row

    catering = major("餐饮食品", 4)
    sub = SamplingCategory.objects.create(code="T3101", name="米面及其制品（测试）", level=2, parent=catering, hazard=4)
    produce = major("食用农产品", 5)
    pastry = major("糕点", 3)
    return {"catering": catering, "catering_sub": sub, "produce": produce, "pastry": pastry}


@pytest.fixture
def grades(monkeypatch):
    """``grades[enterprise_id] = "D"`` sets the grade the risk provider answers (nothing else is graded)."""
    table: dict[int, str] = {}

    def provider(enterprise_ids, *, on=None):
        wanted = (
            set(enterprise_ids.values_list("pk", flat=True))
            if hasattr(enterprise_ids, "values_list")
            else set(enterprise_ids)
        )
        return {pk: {"grade": g, "credit_class": ""} for pk, g in table.items() if pk in wanted}

    monkeypatch.setitem(hooks._PROVIDERS[RISK], "risk", provider)
    return table


@pytest.fixture
def complaints(monkeypatch):
    """Install a complaints provider: ``complaints[enterprise_id] = n``."""
    table: dict[int, int] = {}

    def provider(enterprise_ids, *, since):
        return dict(table)

    monkeypatch.setitem(hooks._PROVIDERS[COMPLAINTS], "test", provider)
    return table


def make_enterprise(township, **kw):
    return EnterpriseFactory(township=township, **kw)


def make_sample(enterprise, category, sampled_on: dt.date, conclusion: str = "qualified", **kw):
    return SampleFactory(
        task__plan_line__township=enterprise.township,
        task__plan_line__category=category,
        task__enterprise=enterprise,
        sampled_on=sampled_on,
        production_date=sampled_on - dt.timedelta(days=3),
        conclusion=conclusion,
        status="reported" if conclusion else "sampled",
        **kw,
    )


@pytest.fixture
def open_plan(reference, today):
    return SamplingPlanFactory(year=today.year, name=f"{today.year}年食品安全监督抽检计划", status="draft")


def targeted_line(plan, enterprise, category, **kw):
    return PlanLineFactory(
        plan=plan,
        township=enterprise.township,
        category=category,
        enterprise=enterprise,
        source=LineSource.TARGETED,
        **kw,
    )
