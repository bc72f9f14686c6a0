"""Fixtures of the publicity tests: a category, samples at the end of the lab's work (concluded), a sampler."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone

from apps.sampling.choices import SamplingPurpose, Verdict
from apps.sampling.models import ResultItem, SamplingPlan
from tests.conftest import make_user
from tests.factories.sampling import (
    PlanLineFactory,
    SampleFactory,
    SamplingCategoryFactory,
    SamplingPlanFactory,
    SamplingTaskFactory,
    TestItemFactory,
)


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()  # the vote rate limit counts on the cache
    yield
    cache.clear()


@pytest.fixture
def category(reference):
    return SamplingCategoryFactory(code="PUB-VEG", name="蔬菜", level=1)


@pytest.fixture
def monitoring_plan(reference):
    return SamplingPlanFactory(year=2026, name="2026年风险监测计划", purpose=SamplingPurpose.MONITORING)


@pytest.fixture
def supervisory_plan(reference):
    return SamplingPlanFactory(year=2026, name="2026年食品安全监督抽检计划", purpose=SamplingPurpose.SUPERVISORY)


def concluded(
    *,
    township=None,
    conclusion=Verdict.QUALIFIED,
    concluded_at=None,
    plan=None,
    line=None,
    published=False,
    **extra,
):
    """A sample with a lab conclusion (as the lab leaves it); unqualified ones get one unqualified 铅 item."""
    line_kwargs = {}
    if township is not None:
        line_kwargs["township"] = township
    if plan is not None:
        line_kwargs["plan"] = plan
    line = line or PlanLineFactory(**line_kwargs)
    task = SamplingTaskFactory(plan_line=line)
    concluded_at = concluded_at or timezone.now() - dt.timedelta(days=1)
    extra.setdefault("site_uscc", task.enterprise.uscc)
    sample = SampleFactory(
        task=task,
        conclusion=conclusion,
        concluded_at=concluded_at,
        status="reported",
        report_no=f"BG{task.pk:06d}",
        published_at=timezone.now() if published else None,
        **extra,
    )
    if conclusion == Verdict.UNQUALIFIED:
        item = TestItemFactory(code="pb-public", name="铅（以Pb计）")
        ResultItem.objects.create(
            sample=sample,
            test_item=item,
            lab=sample.lab,
            value=Decimal("0.35"),
            value_text="0.35",
            unit="mg/kg",
            verdict=Verdict.UNQUALIFIED,
            judging_basis="GB 2762-2022《食品安全国家标准 食品中污染物限量》",
            method_basis="GB 5009.12-2023",
            max_limit_text="0.2",
            limit_unit="mg/kg",
        )
    return sample


@pytest.fixture
def make_concluded(reference):
    return concluded


@pytest.fixture
def sampler(reference, township_a):
    return make_user("sampler_a", "sampler", [township_a])


def plan_of(purpose) -> SamplingPlan:
    return SamplingPlanFactory(year=2026, name=f"2026年{purpose}计划", purpose=purpose)
