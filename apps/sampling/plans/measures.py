"""Sampling's measures (apps/common/measures.py; docs/measures.md), registered from ``plans/contrib.ready()``.

The batches are the lab samples (not 快检) the actor sees, by ``Sample.township`` (the township at sampling time),
sampled from 1 January of the year up to ``as_of``: 监督抽检 + 评价性抽检 are food sampling, 风险监测 is risk monitoring
(the same rule as the quota page, ``selectors.sample_counts``). Populations are each township's latest figure of the
year or before (``quotas.township_quotas``); the city's is the sum over the townships the actor sees. Four queries
whatever the number of townships: the rates, the townships, their populations, one GROUP BY of the samples.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Count, Q
from django.db.models.functions import ExtractYear

from apps.common.measures import (
    MeasureValue,
    actor_key,
    list_url,
    per_year,
    rate,
    ratio,
    register_all,
    shared,
    span,
    span_key,
    year_start,
)

from ..models import Sample
from . import quotas
from .selectors import KINDS, kind_of, sample_filters

MISSING_POPULATION = "缺少该镇街的人口数"
OUT_OF_SCOPE = "该镇街不在可见范围内"


def _batches(actor, as_of: dict) -> dict:
    """{(year, kind): {township_id: lab batches}} sampled from 1 January of each year up to its day, food and
    monitoring, all the years in one GROUP BY (shared in a batch by the three measures)."""
    days = span_key(span(as_of))

    def load():
        within = Q()
        for year, day in days:
            within |= Q(sampled_on__gte=year_start(year), sampled_on__lte=day)
        purposes = [str(p) for kind in KINDS.values() for p in kind]
        rows = (
            Sample.objects.visible_to(actor)
            .filter(within, is_quick_test=False, purpose__in=purposes)
            .order_by()
            .values("township_id", "purpose", y=ExtractYear("sampled_on"))
            .annotate(n=Count("id"))
        )
        out: dict = defaultdict(lambda: defaultdict(int))
        for r in rows:
            out[(r["y"], kind_of(r["purpose"]))][r["township_id"]] += r["n"]
        return out

    return shared(("sampling.batches", actor_key(actor), days), load)


def _quota_tables(actor, as_of) -> dict:
    years = tuple(sorted(span(as_of)))
    return shared(
        ("sampling.quotas", actor_key(actor), years),
        lambda: quotas.township_quotas_years(actor=actor, years=years),
    )


def _url(*, year: int, as_of: dt.date, kind: str):
    until = as_of.isoformat() if as_of < dt.date(year, 12, 31) else None

    def url(tid):
        return list_url("sampling:sample_list", sample_filters(year=year, township=tid, kind=kind, sampled_until=until))

    return url


def _per_population(kind: str):
    def compute_years(actor, *, as_of, township_ids):
        tables = _quota_tables(actor, as_of)
        batches = _batches(actor, as_of)
        result = {}
        for year, day in as_of.items():
            table, done = tables[year], batches.get((year, kind), {})
            url = _url(year=year, as_of=day, kind=kind)
            out = {}
            for tid in township_ids:
                row = table.for_township(tid)
                pop = row.population_value if row else None
                note = OUT_OF_SCOPE if row is None else ("" if pop else MISSING_POPULATION)
                out[tid] = MeasureValue(done.get(tid, 0), pop, url=url(tid), note=note)
            missing = table.missing_population
            note = ("缺少人口数的镇街未计入分母：" + "、".join(t.name for t in missing)) if missing else ""
            out[None] = MeasureValue(sum(done.values()), table.population_total or None, url=url(None), note=note)
            result[year] = out
        return result

    return per_year(compute_years)


food_batches_per_1000 = _per_population("food")
monitoring_per_1000 = _per_population("monitoring")


def year_to_date_quota(quota: int | None, as_of: dt.date) -> int | None:
    """The even monthly split of the year's quota summed over the months begun by ``as_of`` (the burn-down's
    cumulative target)."""
    if quota is None:
        return None
    return sum(quotas.even_months(quota)[: as_of.month])


@per_year
def quota_fulfilment(actor, *, as_of, township_ids):
    """食品抽检 batches done ÷ the year-to-date food-sampling quota (per township; the city: sums of both)."""
    tables = _quota_tables(actor, as_of)
    batches = _batches(actor, as_of)
    result = {}
    for year, day in as_of.items():
        table, done = tables[year], batches.get((year, "food"), {})
        url = _url(year=year, as_of=day, kind="food")
        out = {}
        total_quota = sum(year_to_date_quota(row.food, day) or 0 for row in table.rows)
        for tid in township_ids:
            row = table.for_township(tid)
            target = year_to_date_quota(row.food if row else None, day)
            if row is None:
                note = OUT_OF_SCOPE
            else:
                note = "" if target is not None else "缺少人口数或当年配额标准，无法计算配额"
            out[tid] = MeasureValue(done.get(tid, 0), target, url=url(tid), note=note)
        note = "" if table.rates.row else "尚未设置抽检配额标准"
        out[None] = MeasureValue(sum(done.values()), total_quota, url=url(None), note=note)
        result[year] = out
    return result


MEASURES = (
    rate(
        code="sampling.food_batches_per_1000",
        label="食品抽检批次/千人",
        unit="批次/千人",
        per=1000,
        compute=food_batches_per_1000,
        order=10,
        description="当年至统计日的监督抽检和评价性抽检批次（不含快检）÷ 常住人口 × 1000",
        extra={"target": 4.5},
    ),
    rate(
        code="sampling.monitoring_per_1000",
        label="风险监测批次/千人",
        unit="批次/千人",
        per=1000,
        compute=monitoring_per_1000,
        order=20,
        description="当年至统计日的风险监测批次（不含快检）÷ 常住人口 × 1000",
        extra={"target": 1},
    ),
    ratio(
        code="sampling.quota_fulfilment",
        label="抽检配额完成率",
        compute=quota_fulfilment,
        order=30,
        description="当年至统计日完成的食品抽检批次 ÷ 截至统计日所在月份的累计配额（年度配额按月平均分配）",
    ),
)


def register() -> None:
    register_all(MEASURES)
