"""Back-test of the 靶向抽检 ranking (issue 10 point 4; tools/backtest_targeting.py prints it).

For a past year Y: take that year's concluded samples (not quick tests), score each sample's (enterprise, 大类) with
the ranking as it stood on 31 December of Y − 1 — only samples taken before Y count as history, the weights are those
in force on 1 January of Y — and order the samples by that score (ties in a seeded random order). Then, for each N,
report the share of the year's unqualified samples found among the first N, against uniform random order: the
expected share N / total (exact), and optionally a seeded Monte Carlo of random orders (mean and 5 %–95 % range).

Caveat printed with the method: the risk grade comes from the ``risk.enterprise_attributes`` provider, which gives
the *current* grade — it may already reflect the replayed year's failures. ``use_grade=False`` leaves it out.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from dataclasses import dataclass, field

from apps.enterprises.models import Enterprise
from apps.standards.choices import Verdict

from ..models import Sample
from .ranking import Weights
from .selectors import Catalogue, rank, weights_in_force


@dataclass
class BacktestRow:
    n: int
    found: int  # unqualified samples among the first n by the ranking
    share: float  # found / unqualified total
    random_share: float  # expected share under uniform random order: n / total
    random_found: float  # expected count: n / total × unqualified total
    mc_mean: float | None = None
    mc_low: float | None = None  # 5th percentile of the share
    mc_high: float | None = None  # 95th percentile

    @property
    def lift(self) -> float | None:
        return self.share / self.random_share if self.random_share else None


@dataclass
class BacktestResult:
    year: int
    data_until: dt.date
    weights: Weights
    use_grade: bool
    township_id: int | None
    total: int  # concluded samples of the year
    unqualified: int
    skipped: int  # samples whose category is in no active 大类
    trials: int
    seed: int
    rows: list[BacktestRow] = field(default_factory=list)

    def method(self) -> str:
        w = self.weights
        basis = w.label or (f"{w.effective_from:%Y-%m-%d} 起的权重" if w.effective_from else "默认权重")
        grade = (
            "风险等级取风险分级当前等级（可能已含回放年度的信息）" if self.use_grade else "不使用风险等级（按未评级计）"
        )
        random_part = "均匀随机的期望值 N/总数"
        if self.trials:
            random_part += f"，并以种子 {self.seed} 做 {self.trials} 次蒙特卡洛随机排序"
        return (
            f"按 {self.data_until:%Y-%m-%d} 及以前的数据给 {self.year} 年每批样品的（检查对象，抽检大类）打分排序，"
            f"同分按种子 {self.seed} 随机；{basis}（风险等级 {w.grade}、既往不合格 {w.unqualified}、投诉举报 {w.complaints}、"
            f"距上次抽检 {w.staleness}、品类风险 {w.hazard}，回溯 {w.history_years} 年）；{grade}；对照：{random_part}。"
        )

    def as_dict(self) -> dict:
        return {
            "year": self.year,
            "data_until": self.data_until.isoformat(),
            "weights": self.weights.as_dict(),
            "use_grade": self.use_grade,
            "township_id": self.township_id,
            "samples": self.total,
            "unqualified": self.unqualified,
            "skipped": self.skipped,
            "trials": self.trials,
            "seed": self.seed,
            "method": self.method(),
            "rows": [
                {
                    "n": r.n,
                    "found": r.found,
                    "share": round(r.share, 4),
                    "random_share": round(r.random_share, 4),
                    "random_found": round(r.random_found, 2),
                    "monte_carlo": None
                    if r.mc_mean is None
                    else {"mean": round(r.mc_mean, 4), "p05": round(r.mc_low, 4), "p95": round(r.mc_high, 4)},
                    "lift": None if r.lift is None else round(r.lift, 3),
                }
                for r in self.rows
            ],
        }


def _tiebreak(seed: int, sample_id: int) -> str:
    return hashlib.sha256(f"{seed}:{sample_id}".encode()).hexdigest()


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def backtest(
    *,
    year: int,
    ns: list[int],
    township_id: int | None = None,
    use_grade: bool = True,
    trials: int = 0,
    seed: int = 1,
    weights: Weights | None = None,
) -> BacktestResult:
    """Replay ``year`` (system read: every enterprise and sample, or one township's samples)."""
    data_until = dt.date(year - 1, 12, 31)
    weights = weights or weights_in_force(dt.date(year, 1, 1))
    samples = Sample.objects.filter(sampled_on__year=year, is_quick_test=False).exclude(conclusion="")
    if township_id:
        samples = samples.filter(township_id=township_id)
    rows = list(samples.order_by("id").values_list("pk", "enterprise_id", "category_id", "conclusion"))
    catalogue = Catalogue.load()
    pairs, kept, skipped = set(), [], 0
    for pk, enterprise_id, category_id, conclusion in rows:
        major = catalogue.root_of.get(category_id)
        if major not in catalogue.majors:
            skipped += 1
            continue
        pairs.add((enterprise_id, major))
        kept.append((pk, enterprise_id, major, conclusion == Verdict.UNQUALIFIED))
    enterprises = Enterprise.objects.filter(pk__in={e for e, _m in pairs})
    ranking = rank(
        enterprises,
        year=year,
        data_until=data_until,
        weights=weights,
        keys=pairs,
        keys_only=True,
        exclude_planned=False,
        use_grade=use_grade,
    )
    score = ranking.totals()
    ordered = sorted(kept, key=lambda r: (-score.get((r[1], r[2]), 0.0), _tiebreak(seed, r[0])))
    flags = [bad for *_rest, bad in ordered]
    total, unqualified = len(flags), sum(flags)
    result = BacktestResult(
        year=year,
        data_until=data_until,
        weights=weights,
        use_grade=use_grade,
        township_id=township_id,
        total=total,
        unqualified=unqualified,
        skipped=skipped,
        trials=trials,
        seed=seed,
    )
    rng = random.Random(seed)
    for n in ns:
        n = max(0, min(n, total))
        found = sum(flags[:n])
        row = BacktestRow(
            n=n,
            found=found,
            share=found / unqualified if unqualified else 0.0,
            random_share=n / total if total else 0.0,
            random_found=n / total * unqualified if total else 0.0,
        )
        if trials and unqualified:
            shares = []
            bad_positions = {i for i, bad in enumerate(flags) if bad}
            for _ in range(trials):
                picked = rng.sample(range(total), n)
                shares.append(sum(1 for i in picked if i in bad_positions) / unqualified)
            row.mc_mean = sum(shares) / len(shares)
            row.mc_low, row.mc_high = _percentile(shares, 0.05), _percentile(shares, 0.95)
        result.rows.append(row)
    return result


def report_lines(result: BacktestResult) -> list[str]:
    """The report as printed by tools/backtest_targeting.py."""
    lines = [
        f"靶向抽检回测：{result.year} 年"
        + (f"（镇街编号 {result.township_id}）" if result.township_id else "（全市）"),
        f"方法：{result.method()}",
        f"样品：{result.total} 批已出结论（不含快检），其中不合格 {result.unqualified} 批"
        + (f"；{result.skipped} 批的分类不在启用的抽检大类下，未计入" if result.skipped else ""),
    ]
    for r in result.rows:
        line = (
            f"N = {r.n}：按排名前 {r.n} 批中不合格 {r.found} 批，占全年不合格 {r.share:.1%}；"
            f"均匀随机期望 {r.random_share:.1%}（{r.random_found:.1f} 批）"
        )
        if r.mc_mean is not None:
            line += f"；蒙特卡洛均值 {r.mc_mean:.1%}（5%–95%：{r.mc_low:.1%}–{r.mc_high:.1%}）"
        if r.lift is not None:
            line += f"；提升 {r.lift:.2f} 倍"
        lines.append(line)
    return lines
