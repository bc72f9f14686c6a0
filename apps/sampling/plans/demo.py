"""Demo rows of sampling/plans (``make run`` → setup_demo → ``manage.py seed_demo_sampling_plans``): the default
configuration, and this year's 监督抽检 and 风险监测 plans generated from the quota split and issued, so the quota page
and the plan pages show something. Samples come from the fieldwork demo. Idempotent: an existing plan is kept."""

from django.db import transaction
from django.utils import timezone

from ..choices import SamplingPurpose
from ..models import SamplingPlan
from . import quotas, services


@transaction.atomic
def seed_demo(*, year: int | None = None) -> list[str]:
    """Returns what it did, one line each (printed by the command)."""
    year = year or timezone.localdate().year
    out = []
    created = services.config_defaults_ensure(years=[year, year + 1])
    if created["quota_rates"]:
        out.append(f"抽检配额标准：新增 {'、'.join(str(y) for y in created['quota_rates'])} 年默认值")
    for purpose in (SamplingPurpose.SUPERVISORY, SamplingPurpose.MONITORING):
        name = services.PLAN_NAMES[purpose].format(year=year)
        if SamplingPlan.objects.filter(year=year, name=name).exists():
            out.append(f"“{name}”已存在，未改动")
            continue
        inputs = services.generation_inputs(year=year, purpose=purpose, weighting=quotas.DEFAULT_WEIGHTING)
        if inputs["blocking"]:
            out.append(f"未生成“{name}”：{inputs['problems'][0]}")
            continue
        plan = services.plan_generate(actor=None, year=year, purpose=purpose)
        services.plan_approve(actor=None, plan_id=plan.pk)
        out.append(f"已按配额生成并下达“{name}”：{plan.lines.count()} 条明细")
    return out
