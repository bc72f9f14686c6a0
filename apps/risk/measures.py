"""Risk's measures (apps/common/measures.py; docs/measures.md), registered from ``RiskConfig.ready()``.

Both read the maintained coverage state (``CoverageState``, one row per operating enterprise, refreshed when an
inspection is finalised, a grade changes and nightly: apps/risk/coverage.py), the same rows as the coverage page
``/risk/coverage/``. The state is kept for the current year only: for another year the values say so (no figure is
invented). One GROUP BY for both measures (``shared`` in a batch), whatever the number of townships.
"""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils import timezone

from apps.common.measures import (
    MeasureValue,
    actor_key,
    count,
    list_url,
    per_year,
    ratio,
    register_all,
    shared,
    township_values,
)

from .models import CoverageState

NOT_KEPT = "覆盖状态只保存本年度，{year} 年的数据无法计算"


def _coverage_url(params: dict):
    def url(tid):
        return list_url("risk:coverage", {**params, "township": tid})

    return url


def _not_kept(township_ids, year) -> dict:
    note = NOT_KEPT.format(year=year)
    return {key: MeasureValue(None, None, note=note) for key in [*township_ids, None]}


def _note(as_of) -> str:
    today = timezone.localdate()
    return f"链接列出今天（{today:%Y-%m-%d}）的状态" if as_of != today else ""


def _coverage_counts(actor, as_of) -> dict[str, dict]:
    """{"required" / "behind" / "overdue": {township_id: count}} of the coverage state on ``as_of``, in one GROUP BY
    (shared in a batch by both measures)."""

    def load():
        rows = (
            CoverageState.objects.visible_to(actor)
            .order_by()
            .values("township_id")
            .annotate(
                n_required=Count("pk", filter=Q(required__gte=1)),
                n_behind=Count("pk", filter=Q(required__gte=1, frequency_due__lt=as_of)),
                n_overdue=Count("pk", filter=Q(next_due__lt=as_of)),
            )
        )
        out: dict[str, dict] = {"required": {}, "behind": {}, "overdue": {}}
        for r in rows:
            for name in out:
                out[name][r["township_id"]] = r[f"n_{name}"]
        return out

    return shared(("risk.coverage", actor_key(actor), as_of), load)


def _this_year_only(compute_one):
    """A measure over the coverage state: the current year from the state, any other year "not kept" (no query)."""

    def compute_years(actor, *, as_of, township_ids):
        this_year = timezone.localdate().year
        return {
            year: compute_one(actor, township_ids, day) if year == this_year else _not_kept(township_ids, year)
            for year, day in as_of.items()
        }

    compute_years.__doc__ = compute_one.__doc__
    return per_year(compute_years)


@_this_year_only
def inspection_coverage(actor, township_ids, as_of):
    """Enterprises with at least one inspection required this year whose grade frequency is not overdue on
    ``as_of`` ÷ those enterprises. The link lists the complement (those behind their frequency): the coverage page
    lists only overdue enterprises."""
    counts = _coverage_counts(actor, as_of)
    den = {tid: n for tid, n in counts["required"].items() if n}
    num = {tid: n - counts["behind"][tid] for tid, n in den.items()}
    note = "链接列出未达到等级检查频次的企业（分母减分子）"
    if _note(as_of):
        note += "；" + _note(as_of)
    return township_values(township_ids, num, den, url=_coverage_url({"reason": "frequency"}), note=note)


@_this_year_only
def coverage_debt(actor, township_ids, as_of):
    """Operating enterprises overdue under any rule on ``as_of`` (the coverage page's rows)."""
    counts = {tid: n for tid, n in _coverage_counts(actor, as_of)["overdue"].items() if n}
    return township_values(township_ids, counts, url=_coverage_url({}), note=_note(as_of))


MEASURES = (
    ratio(
        code="risk.inspection_coverage",
        label="检查频次达标率",
        compute=inspection_coverage,
        order=40,
        description="本年应检查（按风险等级频次至少 1 次）的营业企业中，统计日没有逾期未做的等级频次检查的比例",
    ),
    count(
        code="risk.coverage_debt",
        label="逾期未检（覆盖欠账）",
        unit="家",
        compute=coverage_debt,
        order=50,
        higher_is_better=False,
        description="统计日逾期未检查的营业企业数（等级频次、两年全项目检查、三小一摊首次检查，任一逾期即计）",
    ),
)


def register() -> None:
    register_all(MEASURES)
