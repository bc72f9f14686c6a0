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

from django.db.models import Count

from apps.common.measures import RATE, RATIO, Measure, MeasureValue, register_measure
from apps.enterprises.measures import list_url

from ..models import Sample
from . import quotas
from .selectors import KINDS, sample_filters

MISSING_POPULATION = "缺少该镇街的人口数"
OUT_OF_SCOPE = "该镇街不在可见范围内"


def _batches(actor, *, year: int, as_of: dt.date, kind: str) -> dict:
    """{township_id: lab batches of ``kind``} sampled in ``year`` up to ``as_of`` (one GROUP BY)."""
    rows = (
        Sample.objects.visible_to(actor)
        .filter(
            sampled_on__gte=dt.date(year, 1, 1),
            sampled_on__lte=as_of,
            is_quick_test=False,
            purpose__in=[str(p) for p in KINDS[kind]],
        )
        .order_by()
        .values("township_id")
        .annotate(n=Count("id"))
    )
    out: dict = defaultdict(int)
    for r in rows:
        out[r["township_id"]] += r["n"]
    return out


def _url(*, year: int, as_of: dt.date, kind: str):
    until = as_of.isoformat() if as_of < dt.date(year, 12, 31) else None

    def url(tid):
        return list_url("sampling:sample_list", sample_filters(year=year, township=tid, kind=kind, sampled_until=until))

    return url


def _per_population(actor, *, year, township_ids, as_of, kind):
    table = quotas.township_quotas(actor=actor, year=year)
    done = _batches(actor, year=year, as_of=as_of, kind=kind)
    url = _url(year=year, as_of=as_of, kind=kind)
    out = {}
    for tid in township_ids:
        row = table.for_township(tid)
        pop = row.population_value if row else None
        note = OUT_OF_SCOPE if row is None else ("" if pop else MISSING_POPULATION)
        out[tid] = MeasureValue(done.get(tid, 0), pop, url=url(tid), note=note)
    missing = table.missing_population
    note = ("缺少人口数的镇街未计入分母：" + "、".join(t.name for t in missing)) if missing else ""
    out[None] = MeasureValue(sum(done.values()), table.population_total or None, url=url(None), note=note)
    return out


def food_batches_per_1000(actor, *, year, township_ids, as_of):
    return _per_population(actor, year=year, township_ids=township_ids, as_of=as_of, kind="food")


def monitoring_per_1000(actor, *, year, township_ids, as_of):
    return _per_population(actor, year=year, township_ids=township_ids, as_of=as_of, kind="monitoring")


def year_to_date_quota(quota: int | None, as_of: dt.date) -> int | None:
    """The even monthly split of the year's quota summed over the months begun by ``as_of`` (the burn-down's
    cumulative target)."""
    if quota is None:
        return None
    return sum(quotas.even_months(quota)[: as_of.month])


def quota_fulfilment(actor, *, year, township_ids, as_of):
    """食品抽检 batches done ÷ the year-to-date food-sampling quota (per township; the city: sums of both)."""
    table = quotas.township_quotas(actor=actor, year=year)
    done = _batches(actor, year=year, as_of=as_of, kind="food")
    url = _url(year=year, as_of=as_of, kind="food")
    out = {}
    total_quota = 0
    for row in table.rows:
        total_quota += year_to_date_quota(row.food, as_of) or 0
    for tid in township_ids:
        row = table.for_township(tid)
        target = year_to_date_quota(row.food if row else None, as_of)
        if row is None:
            note = OUT_OF_SCOPE
        else:
            note = "" if target is not None else "缺少人口数或当年配额标准，无法计算配额"
        out[tid] = MeasureValue(done.get(tid, 0), target, url=url(tid), note=note)
    note = "" if table.rates.row else "尚未设置抽检配额标准"
    out[None] = MeasureValue(sum(done.values()), total_quota, url=url(None), note=note)
    return out


MEASURES = (
    Measure(
        code="sampling.food_batches_per_1000",
        label="食品抽检批次/千人",
        unit="批次/千人",
        kind=RATE,
        per=1000,
        compute=food_batches_per_1000,
        order=10,
        description="当年至统计日的监督抽检和评价性抽检批次（不含快检）÷ 常住人口 × 1000",
        extra={"target": 4.5},
    ),
    Measure(
        code="sampling.monitoring_per_1000",
        label="风险监测批次/千人",
        unit="批次/千人",
        kind=RATE,
        per=1000,
        compute=monitoring_per_1000,
        order=20,
        description="当年至统计日的风险监测批次（不含快检）÷ 常住人口 × 1000",
        extra={"target": 1},
    ),
    Measure(
        code="sampling.quota_fulfilment",
        label="抽检配额完成率",
        unit="%",
        kind=RATIO,
        compute=quota_fulfilment,
        order=30,
        description="当年至统计日完成的食品抽检批次 ÷ 截至统计日所在月份的累计配额（年度配额按月平均分配）",
    ),
)


def register() -> None:
    for m in MEASURES:
        register_measure(m)
