"""The arithmetic of a round, pure (no queries): inputs + scheme indicators + upheld appeals → per-township items,
totals, ranks and stars. The compute job, an appeal decision and 复核 all go through ``score_round``, so a closed
round recomputed from its frozen inputs gives the same numbers (docs/assessment.md §3).

``inputs`` (stored on the round): ``{"as_of": "YYYY-MM-DD", "townships": [id, ...], "values": {indicator code:
{str(township id): entry}}}``; an entry is ``MeasureValue.as_dict()`` plus ``"status"``: ``ok`` (a value),
``no_data`` (the measure had nothing to count: not applicable, full points), ``missing`` (the measure is not
registered, or a manual value was not submitted: 0 points)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
OK, NO_DATA, MISSING = "ok", "no_data", "missing"


def dec(v) -> Decimal | None:
    if v is None or v == "":
        return None
    try:
        return Decimal(str(v))
    except (InvalidOperation, ValueError):
        return None


def band_points(bands: list, direction: str, value: Decimal) -> Decimal:
    """The points (0–100) of the first band ``value`` reaches; 0 when none."""
    for band in bands:
        at = dec(band.get("at"))
        if at is None:
            continue
        if (value >= at) if direction == "higher" else (value <= at):
            return Decimal(str(band.get("points", 0))).quantize(CENT)
    return Decimal("0.00")


def bands_text(bands: list, direction: str, unit: str = "") -> str:
    sign = "≥" if direction == "higher" else "≤"
    parts = [f"{sign}{b.get('at')}{unit} 得 {b.get('points')}%" for b in bands]
    return "；".join(parts) + "；其余得 0" if parts else "—"


@dataclass
class ItemResult:
    indicator_id: int
    code: str
    numerator: Decimal | None
    denominator: Decimal | None
    computed_value: Decimal | None
    computed_points: Decimal
    value: Decimal | None
    points: Decimal
    weighted: Decimal
    url: str = ""
    denominator_url: str = ""
    note: str = ""
    appeal_id: int | None = None


@dataclass
class TownshipResult:
    township_id: int
    total: Decimal = Decimal("0.00")
    rank: int = 0
    stars: int = 1
    items: list[ItemResult] = field(default_factory=list)


def _item(ind, entry: dict | None, appeal) -> ItemResult:
    entry = entry or {"status": MISSING, "note": "无数据"}
    status = entry.get("status", OK)
    value = dec(entry.get("value"))
    note = entry.get("note") or ""
    if status == OK and value is not None:
        points = band_points(ind.bands, ind.direction, value)
    elif status == NO_DATA:
        points = HUNDRED.quantize(CENT)
        note = note or "无可计数的对象，按满分计"
    else:
        points = Decimal("0.00")
        note = note or "无数据，按 0 分计"
    computed_value, computed_points = value, points
    appeal_id = None
    if appeal is not None:
        appeal_id = appeal.pk
        if appeal.granted_points is not None:
            points = Decimal(appeal.granted_points).quantize(CENT)
            note = f"申诉采纳：裁定得分率 {points}%"
        else:
            value = Decimal(appeal.corrected_value)
            points = band_points(ind.bands, ind.direction, value)
            note = f"申诉采纳：更正为 {value.normalize():f}"
    weighted = (Decimal(ind.weight) * points / HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP)
    return ItemResult(
        indicator_id=ind.pk,
        code=ind.code,
        numerator=dec(entry.get("numerator")),
        denominator=dec(entry.get("denominator")),
        computed_value=computed_value,
        computed_points=computed_points,
        value=value,
        points=points,
        weighted=weighted,
        url=entry.get("url") or "",
        denominator_url=entry.get("denominator_url") or "",
        note=note[:300],
        appeal_id=appeal_id,
    )


def score_round(scheme, indicators, inputs: dict, upheld_appeals) -> dict[int, TownshipResult]:
    """``{township id: TownshipResult}`` with ranks (1, 1, 3 … for equal totals) and stars from the scheme."""
    appeals = {(a.township_id, a.indicator_id): a for a in upheld_appeals}
    values = inputs.get("values", {})
    results = {}
    for tid in inputs.get("townships", []):
        res = TownshipResult(township_id=int(tid))
        for ind in indicators:
            item = _item(ind, values.get(ind.code, {}).get(str(tid)), appeals.get((int(tid), ind.pk)))
            res.items.append(item)
        res.total = sum((i.weighted for i in res.items), Decimal("0.00")).quantize(CENT)
        res.stars = scheme.stars_for(res.total)
        results[res.township_id] = res
    ordered = sorted(results.values(), key=lambda r: -r.total)
    for pos, res in enumerate(ordered, start=1):
        res.rank = pos if pos == 1 or res.total != ordered[pos - 2].total else ordered[pos - 2].rank
    return results
