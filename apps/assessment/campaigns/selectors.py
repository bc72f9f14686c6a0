"""Reads of assessment/campaigns. ``kpi_targets`` is what the leadership dashboard and the reports compare the
measures with (DOMAIN.md §S: every number of the seed is a target stored with the year it applies to)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class KpiTarget:
    measure_code: str  # a code of apps.common.measures
    label: str  # Chinese
    target: Decimal | None  # None: "keep widening", no number
    scope: str  # "city" (one figure for the city, e.g. 150 centres) or "township" (every township must reach it)
    campaign_code: str = ""  # the campaign (八大攻坚行动) it belongs to, "" for a general target
    source: str = ""  # the seed's section, e.g. "三(三) 农村家宴"


# The seed's targets until the campaigns subpackage stores them as dated data (issue 12, point 4).
_SEED_TARGETS = (
    KpiTarget("sampling.food_batches_per_1000", "食品抽检（批次/千人·年）", Decimal("4.5"), "township", "", "三(五)"),
    KpiTarget("sampling.monitoring_per_1000", "风险监测（批次/千人·年）", Decimal("1"), "township", "", "三(五)"),
    KpiTarget(
        "enterprises.sunshine_kitchen_online", "网络餐饮阳光厨房覆盖率", Decimal("100"), "township", "", "三(二)"
    ),
    KpiTarget("enterprises.responsibility_list", "主体责任清单覆盖率", Decimal("100"), "township", "", "三(四)"),
    KpiTarget(
        "enterprises.evaluators_per_100_urban_caterers",
        "第三方评估（人/百家城区餐饮）",
        Decimal("1"),
        "township",
        "",
        "三(三)",
    ),
    KpiTarget("enterprises.rural_banquet_centres", "农村家宴中心（个）", Decimal("150"), "city", "", "三(三)"),
    KpiTarget("enterprises.liability_insurance", "食品安全责任保险覆盖率", None, "township", "", "四(三)"),
)


def kpi_targets(*, year: int) -> dict[str, KpiTarget]:
    """{measure code: target} in force for ``year``."""
    return {t.measure_code: t for t in _SEED_TARGETS}
