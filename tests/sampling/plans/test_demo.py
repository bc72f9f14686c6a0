"""The demo seed of sampling/plans: this year's plans from the quota split, issued; idempotent; skipped (with the
reason) while the catalogue has no 大类."""

import pytest
from django.core.management import call_command

from apps.sampling.choices import PlanStatus
from apps.sampling.models import PlanLine, SamplingPlan
from apps.sampling.plans.demo import seed_demo

pytestmark = pytest.mark.django_db


def test_seed_demo(categories, rates):
    out = seed_demo(year=2026)
    plans = SamplingPlan.objects.filter(year=2026)
    assert {p.status for p in plans} == {PlanStatus.APPROVED} and plans.count() == 2
    assert sum(line.batches for line in PlanLine.objects.filter(plan__purpose="supervisory")) == 4962
    assert len(out) >= 2
    again = seed_demo(year=2026)
    assert all("已存在" in line for line in again[-2:]) and SamplingPlan.objects.count() == 2


def test_seed_demo_without_categories(no_categories, rates):
    out = seed_demo(year=2026)
    assert not SamplingPlan.objects.exists() and "大类" in out[-1]


def test_the_command_needs_demo_mode(settings, categories, rates):
    from django.core.management.base import CommandError

    settings.DEMO_MODE = False
    with pytest.raises(CommandError):
        call_command("seed_demo_sampling_plans")
    settings.DEMO_MODE = True
    call_command("seed_demo_sampling_plans", "--year", "2026")
    assert SamplingPlan.objects.filter(year=2026).count() == 2
