"""Demo data of sampling/targeting (demo mode only), and a sample history with a known signal for the back-test.

``seed_demo()``: a weights row in force from 1 January of this year and one 风险会商 meeting (no decisions: the plan
lines belong to the plans). Idempotent.

``synthetic_history(...)``: concluded samples over several years with a **known signal**, written in bulk (tasks and
samples, ORM ``bulk_create``, no audit events — test and benchmark data, never run on real data): each enterprise
has a latent risk (``risky_share`` of them are risky, fixed per enterprise), and a sample fails with probability
``base_rate × hazard / 3 × (risk_factor if risky else 1)`` — so past failures and category hazard carry information
about next year's failures, as the ranking assumes. Deterministic for a seed.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.common import hooks
from apps.common.audit import audit_record
from apps.enterprises.models import Enterprise

from ..choices import OrganisationKind, SampleStatus, SamplingPurpose, Stage, TaskStatus
from ..models import ConsultationMeeting, Organisation, Sample, SamplingPlan, SamplingTask, SuggestionWeights
from .mapping import majors_of
from .selectors import Catalogue


@transaction.atomic
def seed_demo() -> dict:
    if not getattr(settings, "DEMO_MODE", False):
        raise RuntimeError("靶向抽检演示数据只能在演示模式（DEMO_MODE=1）下创建")
    today = timezone.localdate()
    _, weights_created = SuggestionWeights.objects.get_or_create(
        effective_from=dt.date(today.year, 1, 1),
        defaults={"note": "演示：默认权重（风险等级 30、既往不合格 30、投诉 10、间隔 15、品类 15）"},
    )
    meeting_created = False
    if not ConsultationMeeting.objects.exists():
        ConsultationMeeting.objects.create(
            held_on=today - dt.timedelta(days=14),
            title="演示：食品安全风险会商（季度）",
            participants="海宁市市场监督管理局、海宁市卫生健康局、各镇街食安办",
            summary="通报近期抽检不合格和投诉举报情况；研究下季度靶向抽检重点品类（餐饮食品、食用农产品）。",
        )
        meeting_created = True
    if weights_created or meeting_created:
        audit_record(
            "sampling.targeting_demo_seed",
            object_type="sampling.suggestionweights",
            object_repr="靶向抽检演示数据",
            extra={"weights": weights_created, "meeting": meeting_created},
        )
    return {"weights": weights_created, "meeting": meeting_created}


@dataclass
class HistoryResult:
    samples: int
    unqualified: int
    risky: int
    by_year: dict


def _orgs() -> tuple[Organisation, Organisation]:
    sampler, _ = Organisation.objects.get_or_create(
        name="海宁市演示抽样机构", defaults={"kind": OrganisationKind.SAMPLER, "uscc": "12330481MB0000001X"}
    )
    lab, _ = Organisation.objects.get_or_create(
        name="嘉兴市演示食品检验机构", defaults={"kind": OrganisationKind.LAB, "uscc": "12330400MB0000002X"}
    )
    return sampler, lab


def synthetic_history(
    *,
    years: list[int],
    enterprises=None,
    sample_rate: float = 0.2,
    base_rate: float = 0.02,
    risky_share: float = 0.15,
    risk_factor: float = 6.0,
    risky_by_grade: dict[str, float] | None = None,
    seed: int = 20261207,
    batch_size: int = 2000,
) -> HistoryResult:
    """Samples for ``years`` at the (operating) ``enterprises`` (default: all), in the 大类 the mapping gives them.

    ``risky_by_grade`` ({"A": 0.05, …, "D": 0.5}) ties the latent risk to the current risk grade (from the
    ``risk.enterprise_attributes`` provider; ungraded enterprises use ``risky_share``): the grade then carries the
    signal a real grade is meant to carry."""
    rng = random.Random(seed)
    today = timezone.localdate()
    catalogue = Catalogue.load()
    by_name = catalogue.major_ids_by_name
    qs = enterprises if enterprises is not None else Enterprise.objects.operating()
    rows = list(
        qs.order_by("pk").values_list(
            "pk", "name", "township_id", "business_type__code", "business_type__parent__code", "business_type__sector"
        )
    )
    foods = defaultdict(list)
    for eid, code in Enterprise.food_categories.through.objects.filter(enterprise_id__in=qs.values("pk")).values_list(
        "enterprise_id", "foodcategory__code"
    ):
        foods[eid].append(code)
    grades: dict[int, str] = {}
    if risky_by_grade:
        for provider in hooks.providers("risk.enterprise_attributes").values():
            for pk, attrs in provider(qs.values("pk"), on=None).items():
                grades[pk] = attrs.get("grade", "")
    sampler, lab = _orgs()
    stage_of = {"production": Stage.PRODUCTION, "sales": Stage.CIRCULATION, "catering": Stage.CATERING}
    plans = {}
    for year in years:
        plans[year], _ = SamplingPlan.objects.get_or_create(
            year=year,
            name=f"{year}年食品安全监督抽检计划（演示历史）",
            defaults={"purpose": SamplingPurpose.SUPERVISORY, "status": "closed" if year < today.year else "approved"},
        )
    start = Sample.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    samples_total = unqualified = risky_count = 0
    by_year = {}
    pending = []
    for position, (pk, name, township_id, bt, parent, sector) in enumerate(rows):
        majors = sorted(majors_of((bt, parent), foods.get(pk, ()), by_name))
        # seeded by the enterprise's place in pk order, not its pk: the same registry gives the same history
        # whatever ids the database handed out (tests run in any order, on any worker)
        erng = random.Random(f"{seed}:{position}")
        share = (risky_by_grade or {}).get(grades.get(pk, ""), risky_share)
        risky = erng.random() < share
        risky_count += risky
        if not majors:
            continue
        for year in years:
            if rng.random() >= sample_rate:
                continue
            major = majors[rng.randrange(len(majors))]
            hazard = catalogue.majors[major][2]
            p = min(0.95, base_rate * hazard / 3 * (risk_factor if risky else 1))
            failed = rng.random() < p
            last = min(dt.date(year, 12, 31), today - dt.timedelta(days=1))
            first = dt.date(year, 1, 1)
            if last < first:
                continue
            day = first + dt.timedelta(days=rng.randrange((last - first).days + 1))
            pending.append((pk, name, township_id, sector, year, major, day, failed))
    tasks, samples = [], []
    for pk, _name, _township, _sector, year, major, _day, _failed in pending:
        tasks.append(
            SamplingTask(
                plan=plans[year],
                enterprise_id=pk,
                category_id=major,
                sampling_org=sampler,
                lab=lab,
                status=TaskStatus.SAMPLED,
            )
        )
    SamplingTask.objects.bulk_create(tasks, batch_size=batch_size)
    for i, ((pk, name, township_id, sector, year, major, day, failed), task) in enumerate(
        zip(pending, tasks, strict=True)
    ):
        n = start + i + 1
        samples.append(
            Sample(
                task=task,
                number=f"DC{year % 100:02d}3304819{n:08d}",  # 9…: clear of the real sequences
                purpose=SamplingPurpose.SUPERVISORY,
                stage=stage_of.get(sector, Stage.CIRCULATION),
                category_id=major,
                sampling_org=sampler,
                lab=lab,
                samplers=["演示抽样员甲", "演示抽样员乙"],
                enterprise_id=pk,
                township_id=township_id,
                site_name=name,
                name="演示样品",
                production_date=day - dt.timedelta(days=5),
                sampled_on=day,
                quantity=2,
                backup_quantity=1,
                backup_seal_no=f"FY{n:08d}",
                status=SampleStatus.REPORTED,
                conclusion="unqualified" if failed else "qualified",
            )
        )
        samples_total += 1
        unqualified += failed
        stats = by_year.setdefault(year, [0, 0])
        stats[0] += 1
        stats[1] += failed
    Sample.objects.bulk_create(samples, batch_size=batch_size)
    return HistoryResult(samples=samples_total, unqualified=unqualified, risky=risky_count, by_year=by_year)
