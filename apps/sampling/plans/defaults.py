"""The default configuration rows of sampling, as data (every threshold, weight and deadline is configuration with an
effective date; DOMAIN.md "Design rule").

``defaults_load(models, years)`` creates what is missing and never overwrites a row staff have edited. The data
migration ``0004_plans_default_config`` runs it for the year the database is migrated in and the next one (so every
database, tests included, has them); ``services.config_defaults_ensure`` runs it again for any years (setup_demo, a
database whose tables were emptied). A year that still has no QuotaRate row of its own uses the latest earlier
year's (``quotas.rates_for_year``, shown as "沿用").
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

QUOTA_RATE_NOTE = (
    "默认值：食品抽检 4.5 批次/千人、风险监测 1 批次/千人（《海宁市人民政府关于加强食品安全工作的实施意见》三(五)）；"
    "自评 60% / 靶向 30% / 你点我检 10% 为本地规划选择，待确认"
)
QUOTA_RATE_DEFAULTS = {
    "food_rate": Decimal("4.50"),
    "monitoring_rate": Decimal("1.00"),
    "routine_share": 60,
    "targeted_share": 30,
    "vote_share": 10,
}
# 《食品安全抽样检验管理办法》(SAMR Order No. 15) came into force on 2019-10-01; the deadlines below are its defaults
# as DOMAIN.md §3.2 lists them (most marked [M]: to confirm against the official text).
CONFIG_EFFECTIVE_FROM = dt.date(2019, 10, 1)
DEADLINES_NOTE = "默认值，依《食品安全抽样检验管理办法》（市场监管总局令第15号）整理，待与正式文本核对"
WEIGHTS_NOTE = "默认权重（风险等级 30、既往不合格 30、投诉举报 10、距上次抽检 15、品类风险 15），待确认"


def default_years(today: dt.date | None = None) -> list[int]:
    year = (today or dt.date.today()).year
    return [year, year + 1]


def defaults_load(models, years) -> dict:
    """Create the missing default rows with ``models`` (real or historical: QuotaRate, SuggestionWeights,
    SamplingDeadlines). Returns what was created."""
    created = {"quota_rates": [], "suggestion_weights": False, "deadlines": False}
    for year in sorted(set(int(y) for y in years)):
        _, made = models.QuotaRate.objects.get_or_create(
            year=year,
            defaults={**QUOTA_RATE_DEFAULTS, "effective_from": dt.date(year, 1, 1), "note": QUOTA_RATE_NOTE},
        )
        if made:
            created["quota_rates"].append(year)
    if not models.SuggestionWeights.objects.exists():
        models.SuggestionWeights.objects.create(effective_from=CONFIG_EFFECTIVE_FROM, note=WEIGHTS_NOTE)
        created["suggestion_weights"] = True
    if not models.SamplingDeadlines.objects.exists():
        models.SamplingDeadlines.objects.create(effective_from=CONFIG_EFFECTIVE_FROM, note=DEADLINES_NOTE)
        created["deadlines"] = True
    return created
