"""The scoring of one suggestion (enterprise × sampling 大类), pure Python: five reasons, each a raw value, a score
normalised to 0–1, a weight, and points = score × weight; the total is the sum of the points
(docs/sampling-targeting.md §3).

| reason | raw value | score |
| --- | --- | --- |
| 风险等级 ``grade`` | current grade A–D ("" = not graded) | A 0, B ⅓, C ⅔, D 1; not graded ½ |
| 既往不合格 ``unqualified`` | unqualified samples of the enterprise in the window, each weighted by recency (1 on the day, falling linearly to 0 at the window's start) | u / (1 + u) |
| 投诉举报 ``complaints`` | complaints in the window (None: no provider) | c / (1 + c); 0 without a provider |
| 距上次抽检 ``staleness`` | days since the enterprise was last sampled in this 大类 (None: not in the window) | days / window, capped at 1; never = 1 |
| 品类风险 ``hazard`` | the 大类's hazard 1–5 | (h − 1) / 4 |

The window is the last ``history_years`` years up to ``data_until`` (SuggestionWeights). No normalisation depends on
the other candidates, so a suggestion's score is the same on the page, in the API and in the back-test.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

GRADE_SCORES = {"A": 0.0, "B": 1 / 3, "C": 2 / 3, "D": 1.0}
UNGRADED_SCORE = 0.5
REASON_LABELS = {
    "grade": "风险等级",
    "unqualified": "既往不合格",
    "complaints": "投诉举报",
    "staleness": "距上次抽检",
    "hazard": "品类风险",
}
REASON_CODES = tuple(REASON_LABELS)


@dataclass(frozen=True)
class Weights:
    """A snapshot of the SuggestionWeights row in force (or the defaults when none is configured)."""

    grade: int
    unqualified: int
    complaints: int
    staleness: int
    hazard: int
    history_years: int
    effective_from: dt.date | None  # None: the model defaults, no row configured
    row_id: int | None = None
    label: str = ""  # how the back-test names a set that is no row ("命令行试用的权重")

    @classmethod
    def of(cls, row) -> Weights:
        return cls(
            grade=row.grade,
            unqualified=row.unqualified,
            complaints=row.complaints,
            staleness=row.staleness,
            hazard=row.hazard,
            history_years=row.history_years,
            effective_from=row.effective_from,
            row_id=row.pk,
        )

    def weight(self, code: str) -> int:
        return getattr(self, code)

    @property
    def total(self) -> int:
        return sum(self.weight(c) for c in REASON_CODES)

    def as_tuple(self) -> tuple[int, ...]:
        return tuple(self.weight(c) for c in REASON_CODES)

    def as_dict(self) -> dict:
        return {
            "effective_from": self.effective_from.isoformat() if self.effective_from else None,
            **{code: self.weight(code) for code in REASON_CODES},
            "history_years": self.history_years,
        }


@dataclass(frozen=True)
class Reason:
    code: str
    raw: object  # str, int, float or None — see the module table
    detail: str  # the raw value in words, as the page shows it
    score: float  # 0–1
    weight: int

    @property
    def label(self) -> str:
        return REASON_LABELS[self.code]

    @property
    def points(self) -> float:
        return round(self.score * self.weight, 2)

    @property
    def percent(self) -> int:
        return round(self.score * 100)

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "label": self.label,
            "raw": self.raw,
            "detail": self.detail,
            "score": round(self.score, 4),
            "weight": self.weight,
            "points": self.points,
        }


@dataclass
class Suggestion:
    enterprise_id: int
    enterprise_name: str
    uscc: str
    township_id: int
    township_name: str
    business_type_name: str
    category_id: int
    category_code: str
    category_name: str
    reasons: list[Reason] = field(default_factory=list)
    total: float = 0.0
    rank: int | None = None

    @property
    def key(self) -> str:
        return suggestion_key(self.enterprise_id, self.category_id)

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "rank": self.rank,
            "enterprise_id": self.enterprise_id,
            "enterprise_name": self.enterprise_name,
            "uscc": self.uscc,
            "township_id": self.township_id,
            "township_name": self.township_name,
            "business_type_name": self.business_type_name,
            "category_id": self.category_id,
            "category_code": self.category_code,
            "category_name": self.category_name,
            "total": self.total,
            "reasons": [r.as_dict() for r in self.reasons],
        }


def suggestion_key(enterprise_id: int, category_id: int) -> str:
    return f"{enterprise_id}-{category_id}"


def parse_key(key: str) -> tuple[int, int] | None:
    """``"12-5"`` → (12, 5); anything else → None."""
    left, sep, right = (key or "").strip().partition("-")
    if not sep or not left.isascii() or not right.isascii() or not left.isdigit() or not right.isdigit():
        return None
    if len(left) > 18 or len(right) > 18:
        return None
    enterprise_id, category_id = int(left), int(right)
    if enterprise_id < 1 or category_id < 1:
        return None
    return enterprise_id, category_id


def window_start(data_until: dt.date, years: int) -> dt.date:
    """The first day of the window of ``years`` years ending on ``data_until`` (29 February → 28 February)."""
    try:
        start = data_until.replace(year=data_until.year - years)
    except ValueError:
        start = data_until.replace(year=data_until.year - years, day=28)
    return start + dt.timedelta(days=1)


def recency(day: dt.date, data_until: dt.date, window_days: int) -> float:
    """1 on ``data_until``, falling linearly to 0 at the start of the window."""
    age = (data_until - day).days
    if age < 0 or age >= window_days:
        return 0.0
    return 1 - age / window_days


def window_days(data_until: dt.date, years: int) -> int:
    return (data_until - window_start(data_until, years)).days + 1


# The five scores, one function each: the ranking of every pair (selectors.rank) and the reasons of the rows shown
# (score_reasons) call the same ones, so a shown total is the total the row was ranked by.
def grade_score(grade: str) -> float:
    return GRADE_SCORES.get(grade, UNGRADED_SCORE)


def unqualified_weighted(days, data_until: dt.date, window: int) -> float:
    return sum(recency(d, data_until, window) for d in days)


def unqualified_score(weighted: float) -> float:
    return weighted / (1 + weighted)


def complaints_score(count: int | None) -> float:
    return 0.0 if count is None else count / (1 + count)


def staleness_score(last_sampled: dt.date | None, data_until: dt.date, window: int) -> float:
    if last_sampled is None:
        return 1.0
    return min(max(0, (data_until - last_sampled).days), window) / window


def clamp_hazard(hazard) -> int:
    return min(5, max(1, int(hazard or 1)))


def hazard_score(hazard) -> float:
    return (clamp_hazard(hazard) - 1) / 4


def total_of(scores, weights: tuple[int, ...]) -> float:
    """Σ score × weight in reason order, rounded to 0.01 (the one formula of the total)."""
    return round(sum(score * weight for score, weight in zip(scores, weights, strict=True)), 2)


def score_reasons(
    *,
    weights: Weights,
    data_until: dt.date,
    grade: str,
    unqualified_days: list[dt.date],
    complaints: int | None,
    last_sampled: dt.date | None,
    hazard: int,
) -> tuple[list[Reason], float]:
    """The five reasons of one suggestion and its total (see the module table)."""
    years = weights.history_years
    window = window_days(data_until, years)

    if grade in GRADE_SCORES:
        grade_reason = Reason("grade", grade, f"{grade} 级", grade_score(grade), weights.grade)
    else:
        grade_reason = Reason("grade", None, "未评级（按中间值计）", grade_score(grade), weights.grade)

    weighted = unqualified_weighted(unqualified_days, data_until, window)
    count = len(unqualified_days)
    if count:
        last = max(unqualified_days)
        detail = f"近 {years} 年 {count} 次（按时间远近加权 {weighted:.2f}），最近 {last:%Y-%m-%d}"
    else:
        detail = f"近 {years} 年无不合格"
    unqualified_reason = Reason(
        "unqualified", round(weighted, 4), detail, unqualified_score(weighted), weights.unqualified
    )

    if complaints is None:
        complaints_reason = Reason("complaints", None, "投诉数据暂未接入", 0.0, weights.complaints)
    else:
        complaints_reason = Reason(
            "complaints", complaints, f"近 {years} 年 {complaints} 件", complaints_score(complaints), weights.complaints
        )

    if last_sampled is None:
        staleness_reason = Reason("staleness", None, f"近 {years} 年未抽检该类", 1.0, weights.staleness)
    else:
        days = max(0, (data_until - last_sampled).days)
        staleness_reason = Reason(
            "staleness",
            days,
            f"{days} 天前（{last_sampled:%Y-%m-%d}）",
            staleness_score(last_sampled, data_until, window),
            weights.staleness,
        )

    hazard = clamp_hazard(hazard)
    hazard_reason = Reason("hazard", hazard, f"风险程度 {hazard}/5", hazard_score(hazard), weights.hazard)

    reasons = [grade_reason, unqualified_reason, complaints_reason, staleness_reason, hazard_reason]
    total = total_of([r.score for r in reasons], weights.as_tuple())
    return reasons, total
