"""The grading computation: plain data in, plain data out, no database.

``rules_load(scheme)`` turns one scheme version into a frozen ``Rules`` value (a handful of queries, once per scheme);
``compute(rules, inputs)`` grades one enterprise from its input snapshot. The yearly regrade, single assessments and
``regrade_check`` all call ``compute`` — so a stored assessment re-computes to the same result under its version.

Scores are Decimals quantised to 0.1 (ROUND_HALF_UP), so the result does not depend on float rounding.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from .choices import GRADES, AdjustmentAction, FactorBasis, NewBusinessMethod

TENTH = Decimal("0.1")
ZERO = Decimal("0")


def q(value) -> Decimal:
    """Decimal from int/float/str/Decimal, quantised to 0.1."""
    if isinstance(value, Decimal):
        d = value
    elif isinstance(value, float):
        d = Decimal(repr(value))
    else:
        d = Decimal(str(value))
    return d.quantize(TENTH, rounding=ROUND_HALF_UP)


def num(value: Decimal):
    """JSON number for a quantised Decimal: int when whole, else float (0.1 steps round-trip exactly via repr)."""
    value = q(value)
    return int(value) if value == value.to_integral_value() else float(value)


class SchemeNotApplicable(Exception):
    """The scheme has no static table for this enterprise's sector/business type."""


@dataclass(frozen=True)
class FactorRule:
    code: str
    name: str
    basis: str
    flag_field: str
    max_points: Decimal
    default_points: Decimal
    options: dict[str, Decimal]


@dataclass(frozen=True)
class TableRule:
    sector: str
    business_types: tuple[str, ...]
    name: str
    factors: tuple[FactorRule, ...]


@dataclass(frozen=True)
class ItemRule:
    code: str
    name: str
    max_points: Decimal


@dataclass(frozen=True)
class BandRule:
    grade: str
    score_max: Decimal | None
    min_inspections: int
    max_inspections: int | None
    period_years: int


@dataclass(frozen=True)
class AdjRule:
    id: int
    event_type: str
    action: str
    levels: int
    min_count: int
    window_years: int
    sectors: tuple[str, ...]
    only_if_no_raise: bool
    note: str


@dataclass(frozen=True)
class Rules:
    scheme_id: int
    code: str
    version: int
    static_max: Decimal
    dynamic_max: Decimal
    credit_max: Decimal
    credit_points: dict[str, Decimal]
    credit_default_class: str
    new_business_method: str
    new_business_dynamic_points: Decimal | None
    tables: tuple[TableRule, ...]
    items: dict[str, tuple[ItemRule, ...]]
    bands: tuple[BandRule, ...]
    adjustments: tuple[AdjRule, ...]
    max_window_years: int = field(default=1)

    @property
    def sectors(self) -> set[str]:
        return {t.sector for t in self.tables}

    def table_for(self, sector: str, business_type: str) -> TableRule:
        default = None
        for table in self.tables:
            if table.sector != sector:
                continue
            if business_type in table.business_types:
                return table
            if not table.business_types and default is None:
                default = table
        if default is None:
            raise SchemeNotApplicable(f"方案未覆盖该业态：{sector}/{business_type}")
        return default

    def band(self, grade: str) -> BandRule | None:
        return next((b for b in self.bands if b.grade == grade), None)

    def grade_for(self, total: Decimal) -> str:
        for band in self.bands:  # ordered A..D
            if band.score_max is None or total <= band.score_max:
                return band.grade
        return self.bands[-1].grade


def rules_load(scheme) -> Rules:
    """Read one scheme version (4 queries with the prefetches below) into a frozen Rules value."""
    from .models import RiskScheme

    if not hasattr(scheme, "_prefetched_objects_cache") or "static_tables" not in scheme._prefetched_objects_cache:
        scheme = RiskScheme.objects.prefetch_related(
            "static_tables__factors__options", "dynamic_items", "bands", "adjustment_rules"
        ).get(pk=scheme.pk)
    tables = tuple(
        TableRule(
            sector=t.sector,
            business_types=tuple(t.business_types or ()),
            name=t.name,
            factors=tuple(
                FactorRule(
                    code=f.code,
                    name=f.name,
                    basis=f.basis,
                    flag_field=f.flag_field,
                    max_points=q(f.max_points),
                    default_points=q(f.default_points),
                    options={o.key: q(o.points) for o in f.options.all()},
                )
                for f in sorted(t.factors.all(), key=lambda f: (f.order, f.id))
            ),
        )
        for t in sorted(scheme.static_tables.all(), key=lambda t: (t.order, t.id))
    )
    items: dict[str, list[ItemRule]] = {}
    for it in sorted(scheme.dynamic_items.all(), key=lambda i: (i.sector, i.order, i.id)):
        items.setdefault(it.sector, []).append(ItemRule(it.code, it.name, q(it.max_points)))
    bands = tuple(
        BandRule(
            b.grade,
            None if b.score_max is None else q(b.score_max),
            b.min_inspections,
            b.max_inspections,
            b.period_years,
        )
        for b in sorted(scheme.bands.all(), key=lambda b: GRADES.index(b.grade))
    )
    adjustments = tuple(
        AdjRule(
            r.id,
            r.event_type,
            r.action,
            r.levels,
            r.min_count,
            r.window_years,
            tuple(r.sectors or ()),
            r.only_if_no_raise,
            r.note,
        )
        for r in sorted(scheme.adjustment_rules.all(), key=lambda r: (r.order, r.id))
    )
    return Rules(
        scheme_id=scheme.pk,
        code=scheme.code,
        version=scheme.version,
        static_max=q(scheme.static_max),
        dynamic_max=q(scheme.dynamic_max),
        credit_max=q(scheme.credit_max),
        credit_points={k: q(v) for k, v in (scheme.credit_points or {}).items()},
        credit_default_class=scheme.credit_default_class or "",
        new_business_method=scheme.new_business_method,
        new_business_dynamic_points=(
            None if scheme.new_business_dynamic_points is None else q(scheme.new_business_dynamic_points)
        ),
        tables=tables,
        items={k: tuple(v) for k, v in items.items()},
        bands=bands,
        adjustments=adjustments,
        max_window_years=max([r.window_years for r in adjustments] or [1]),
    )


# ---------------------------------------------------------------------------- the computation
def _static(table: TableRule, ent: dict) -> tuple[dict[str, Decimal], Decimal]:
    scores: dict[str, Decimal] = {}
    for f in table.factors:
        if f.basis == FactorBasis.FOOD_CATEGORY:
            # 就高不就低: the highest-risk category the business holds decides the factor.
            held = [f.options[c] for c in ent.get("food_categories", ()) if c in f.options]
            pts = max(held) if held else f.default_points
        elif f.basis == FactorBasis.BUSINESS_TYPE:
            pts = f.options.get(ent.get("business_type", ""), f.default_points)
        elif f.basis == FactorBasis.SCALE:
            pts = f.options.get(ent.get("scale", ""), f.default_points)
        elif f.basis == FactorBasis.FLAG:
            flag = bool((ent.get("flags") or {}).get(f.flag_field, False))
            pts = f.options.get("yes" if flag else "no", f.default_points)
        else:  # pragma: no cover - validated when the scheme is activated
            pts = f.default_points
        scores[f.code] = min(q(pts), f.max_points)
    return scores, q(sum(scores.values(), ZERO))


def _dynamic(rules: Rules, sector: str, dynamic: dict | None) -> dict[str, Decimal] | None:
    """Item scores clamped to [0, max]; None when the input has none of this scheme's items (→ static only)."""
    if not dynamic:
        return None
    given = dynamic.get("item_scores") or {}
    items = rules.items.get(sector, ())
    if not items or not any(it.code in given for it in items):
        return None
    scores = {}
    for it in items:
        raw = given.get(it.code)
        value = ZERO if raw is None else q(raw)  # an item not scored counts as no risk found (documented)
        scores[it.code] = max(ZERO, min(value, it.max_points))
    return scores


def _shift(grade: str, levels: int) -> str:
    idx = GRADES.index(grade) + levels
    return GRADES[max(0, min(len(GRADES) - 1, idx))]


def adjustments_apply(rules: Rules, sector: str, year: int, grade: str, events: list[dict]) -> tuple[str, list[dict]]:
    """Apply the scheme's adjustment rules to the events of the years before ``year``. Returns (grade, applied)."""
    matched = []
    for rule in rules.adjustments:
        if rule.sectors and sector not in rule.sectors:
            continue
        first_year = year - rule.window_years
        hits = [
            e
            for e in events
            if e["type"] == rule.event_type and first_year <= dt.date.fromisoformat(e["date"]).year <= year - 1
        ]
        if len(hits) >= rule.min_count:
            matched.append((rule, hits))
    raising = [(r, h) for r, h in matched if r.action in (AdjustmentAction.RAISE, AdjustmentAction.TO_D)]
    applied: list[dict] = []
    final = grade
    if any(r.action == AdjustmentAction.TO_D for r, _ in raising):
        final = GRADES[-1]
    else:
        up = max([r.levels for r, _ in raising if r.action == AdjustmentAction.RAISE] or [0])
        down = max(
            [
                r.levels
                for r, _ in matched
                if r.action == AdjustmentAction.LOWER and not (r.only_if_no_raise and raising)
            ]
            or [0]
        )
        final = _shift(grade, up - down)
    for rule, hits in matched:
        skipped = rule.action == AdjustmentAction.LOWER and rule.only_if_no_raise and bool(raising)
        applied.append(
            {
                "rule": rule.id,
                "event_type": rule.event_type,
                "action": rule.action,
                "levels": rule.levels,
                "events": sorted(e["id"] for e in hits),
                "applied": not skipped,
                "note": rule.note,
            }
        )
    return final, applied


def compute(rules: Rules, inputs: dict) -> dict:
    """Grade one enterprise. ``inputs`` is the JSON snapshot stored on the assessment (see inputs_build)."""
    ent = inputs["enterprise"]
    sector = ent["sector"]
    table = rules.table_for(sector, ent["business_type"])
    static_scores, static = _static(table, ent)

    dyn_scores = _dynamic(rules, sector, inputs.get("dynamic"))
    if dyn_scores is not None:
        basis = "dynamic"
        dynamic = q(sum(dyn_scores.values(), ZERO))
    else:
        basis = "static_only"
        if rules.new_business_method == NewBusinessMethod.FIXED and rules.new_business_dynamic_points is not None:
            dynamic = rules.new_business_dynamic_points
        else:  # proportional: the dynamic part is scored at the same rate as the static part
            dynamic = q(static * rules.dynamic_max / rules.static_max) if rules.static_max else ZERO
        dynamic = min(dynamic, rules.dynamic_max)

    credit = ZERO
    credit_class = ""
    if rules.credit_max > 0:
        credit_class = (inputs.get("credit") or {}).get("class") or rules.credit_default_class
        credit = min(rules.credit_points.get(credit_class, ZERO), rules.credit_max)

    total = q(static + dynamic + credit)
    score_grade = rules.grade_for(total)
    grade, applied = adjustments_apply(rules, sector, int(inputs["year"]), score_grade, inputs.get("events") or [])
    override = inputs.get("override")
    if override:
        grade = override["to_grade"]
    return {
        "basis": basis,
        "table": table.name,
        "factor_scores": {
            "static": {k: num(v) for k, v in static_scores.items()},
            "dynamic": {k: num(v) for k, v in (dyn_scores or {}).items()},
            "credit": {"class": credit_class, "points": num(credit)} if rules.credit_max > 0 else {},
        },
        "static_score": static,
        "dynamic_score": q(dynamic),
        "credit_score": q(credit),
        "total_score": total,
        "score_grade": score_grade,
        "adjustments": applied,
        "grade": grade,
    }
