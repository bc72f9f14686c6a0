"""Schemes as plain data: the JSON format of fixtures/risk_*.json, of the export/import on the scheme page and of
``scheme_revise`` (a revision is dump → load as version + 1).

``scheme_write`` takes the model classes as an argument so the data migration can pass its historical models.

Format (all numbers in points)::

    {"code", "name", "source", "description", "effective_from", "effective_to", "status",
     "static_max", "dynamic_max", "credit_max", "credit_points": {"A": 0, ...}, "credit_default_class",
     "new_business_method": "proportional" | "fixed", "new_business_dynamic_points",
     "static_tables": [{"sector", "business_types": [...], "name",
                        "factors": [{"code", "name", "basis", "flag_field", "max_points", "default_points",
                                     "tier_points": {"Ⅰ": 4, ...}?,   # optional shorthand for options
                                     "options": [{"key", "label", "tier", "points"?}]}]}],
     "dynamic_items": [{"sector", "code", "name", "max_points"}],
     "bands": [{"grade", "score_max", "min_inspections", "max_inspections", "period_years"}],
     "adjustment_rules": [{"event_type", "action", "levels", "min_count", "window_years", "sectors",
                           "only_if_no_raise", "note"}]}
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal, InvalidOperation
from pathlib import Path
from types import SimpleNamespace

from .choices import (
    FLAG_FIELDS,
    GRADES,
    AdjustmentAction,
    CreditGrade,
    EventType,
    FactorBasis,
    NewBusinessMethod,
)

FIXTURE_DIR = Path(__file__).resolve().parents[2] / "fixtures"
FIXTURE_FILES = ("risk_cfda2016.json", "risk_samr2022_production.json")
SECTORS = ("production", "sales", "catering")
SCALES = ("micro", "small", "medium", "large")
PARTS = ("static_tables", "dynamic_items", "bands", "adjustment_rules")
SCALAR_FIELDS = (
    "name",
    "source",
    "description",
    "effective_from",
    "effective_to",
    "static_max",
    "dynamic_max",
    "credit_max",
    "credit_points",
    "credit_default_class",
    "new_business_method",
    "new_business_dynamic_points",
)


def fixture_data() -> list[dict]:
    return [json.loads((FIXTURE_DIR / name).read_text(encoding="utf-8")) for name in FIXTURE_FILES]


def _num(value):
    if value is None:
        return None
    d = Decimal(str(value))
    return int(d) if d == d.to_integral_value() else float(d)


def _date(value):
    if value in (None, ""):
        return None
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


# ---------------------------------------------------------------------------- dump
def scheme_dump(scheme) -> dict:
    """The scheme version as plain data (options always explicit, with points)."""
    return {
        "code": scheme.code,
        "version": scheme.version,
        "status": scheme.status,
        "name": scheme.name,
        "source": scheme.source,
        "description": scheme.description,
        "effective_from": scheme.effective_from.isoformat(),
        "effective_to": scheme.effective_to.isoformat() if scheme.effective_to else None,
        "static_max": _num(scheme.static_max),
        "dynamic_max": _num(scheme.dynamic_max),
        "credit_max": _num(scheme.credit_max),
        "credit_points": {k: _num(v) for k, v in (scheme.credit_points or {}).items()},
        "credit_default_class": scheme.credit_default_class,
        "new_business_method": scheme.new_business_method,
        "new_business_dynamic_points": _num(scheme.new_business_dynamic_points),
        "static_tables": [
            {
                "sector": t.sector,
                "business_types": list(t.business_types or []),
                "name": t.name,
                "factors": [
                    {
                        "code": f.code,
                        "name": f.name,
                        "basis": f.basis,
                        "flag_field": f.flag_field,
                        "max_points": _num(f.max_points),
                        "default_points": _num(f.default_points),
                        "options": [
                            {"key": o.key, "label": o.label, "tier": o.tier, "points": _num(o.points)}
                            for o in f.options.all()
                        ],
                    }
                    for f in t.factors.all()
                ],
            }
            for t in scheme.static_tables.all()
        ],
        "dynamic_items": [
            {"sector": i.sector, "code": i.code, "name": i.name, "max_points": _num(i.max_points)}
            for i in scheme.dynamic_items.all()
        ],
        "bands": [
            {
                "grade": b.grade,
                "score_max": _num(b.score_max),
                "min_inspections": b.min_inspections,
                "max_inspections": b.max_inspections,
                "period_years": b.period_years,
            }
            for b in scheme.bands.all()
        ],
        "adjustment_rules": [
            {
                "event_type": r.event_type,
                "action": r.action,
                "levels": r.levels,
                "min_count": r.min_count,
                "window_years": r.window_years,
                "sectors": list(r.sectors or []),
                "only_if_no_raise": r.only_if_no_raise,
                "note": r.note,
            }
            for r in scheme.adjustment_rules.all()
        ],
    }


# ---------------------------------------------------------------------------- validate
def _options(factor: dict) -> list[dict]:
    tier_points = factor.get("tier_points") or {}
    out = []
    for o in factor.get("options") or []:
        points = o.get("points")
        if points is None:
            points = tier_points.get(o.get("tier", ""))
        out.append({**o, "points": points})
    return out


def scheme_validate(data: dict, *, business_type_codes=None, food_category_codes=None) -> dict[str, list[str]]:
    """Errors by section ({} when valid). Points must add up: each static table to static_max, each sector's
    dynamic items to dynamic_max; bands A..D with rising thresholds and D open-ended."""
    errors: dict[str, list[str]] = {}

    def err(section, message):
        errors.setdefault(section, []).append(message)

    def dec(value, section, what):
        try:
            return Decimal(str(value))
        except (InvalidOperation, TypeError, ValueError):
            err(section, f"{what} 不是数字：{value!r}")
            return None

    for key in ("code", "name", "effective_from"):
        if not data.get(key):
            err("scheme", f"缺少 {key}")
    try:
        start, end = _date(data.get("effective_from")), _date(data.get("effective_to"))
        if start and end and end <= start:
            err("scheme", "失效日期必须晚于生效日期")
    except ValueError:
        err("scheme", "日期格式应为 YYYY-MM-DD")
    static_max = dec(data.get("static_max"), "scheme", "静态风险分值")
    dynamic_max = dec(data.get("dynamic_max"), "scheme", "动态风险分值")
    credit_max = dec(data.get("credit_max", 0), "scheme", "信用风险分值")
    if static_max is not None and static_max <= 0:
        err("scheme", "静态风险分值必须大于 0")
    if dynamic_max is not None and dynamic_max < 0:
        err("scheme", "动态风险分值不能为负")
    if data.get("new_business_method", NewBusinessMethod.PROPORTIONAL) not in NewBusinessMethod.values:
        err("scheme", "新办企业折算方式无效")
    if data.get("new_business_method") == NewBusinessMethod.FIXED:
        pts = data.get("new_business_dynamic_points")
        if pts is None:
            err("scheme", "固定值折算须填写新办企业动态分")
        elif dynamic_max is not None and (d := dec(pts, "scheme", "新办企业动态分")) is not None and d > dynamic_max:
            err("scheme", "新办企业动态分不能超过动态风险分值")

    if credit_max is not None and credit_max > 0:
        points = data.get("credit_points") or {}
        for cls in CreditGrade.values:
            if cls not in points:
                err("credit", f"缺少信用分类 {cls} 的计分")
            elif (v := dec(points[cls], "credit", f"信用分类 {cls} 计分")) is not None and not 0 <= v <= credit_max:
                err("credit", f"信用分类 {cls} 计分须在 0–{credit_max} 之间")
        if data.get("credit_default_class") not in CreditGrade.values:
            err("credit", "须指定无信用分类时按哪一类计分")

    tables = data.get("static_tables") or []
    if not tables:
        err("static_tables", "至少需要一张静态风险因素表")
    defaults = {}
    for t in tables:
        name = t.get("name") or "?"
        if t.get("sector") not in SECTORS:
            err("static_tables", f"{name}：监管环节无效")
            continue
        bts = t.get("business_types") or []
        if not bts:
            if t["sector"] in defaults:
                err("static_tables", f"{name}：环节 {t['sector']} 已有默认表「{defaults[t['sector']]}」")
            defaults[t["sector"]] = name
        if business_type_codes is not None:
            for bt in bts:
                if bt not in business_type_codes:
                    err("static_tables", f"{name}：未知业态代码 {bt}")
        total = Decimal(0)
        codes = set()
        for f in t.get("factors") or []:
            fname = f"{name}/{f.get('name') or f.get('code')}"
            if f.get("code") in codes:
                err("static_tables", f"{fname}：因素代码重复")
            codes.add(f.get("code"))
            if f.get("basis") not in FactorBasis.values:
                err("static_tables", f"{fname}：计分依据无效")
            if f.get("basis") == FactorBasis.FLAG and f.get("flag_field") not in FLAG_FIELDS:
                err("static_tables", f"{fname}：标识字段须为 {', '.join(FLAG_FIELDS)} 之一")
            fmax = dec(f.get("max_points"), "static_tables", f"{fname} 满分")
            if fmax is None:
                continue
            total += fmax
            dflt = dec(f.get("default_points", 0), "static_tables", f"{fname} 默认分")
            if dflt is not None and not 0 <= dflt <= fmax:
                err("static_tables", f"{fname}：无匹配时得分须在 0–{fmax} 之间")
            keys = set()
            for o in _options(f):
                if o.get("key") in keys:
                    err("static_tables", f"{fname}：取值 {o.get('key')} 重复")
                keys.add(o.get("key"))
                if o.get("points") is None:
                    err("static_tables", f"{fname}：取值 {o.get('key')} 缺少得分")
                    continue
                pts = dec(o["points"], "static_tables", f"{fname}/{o.get('key')}")
                if pts is not None and not 0 <= pts <= fmax:
                    err("static_tables", f"{fname}：取值 {o.get('key')} 得分须在 0–{fmax} 之间")
                if f.get("basis") == FactorBasis.SCALE and o.get("key") not in SCALES:
                    err("static_tables", f"{fname}：规模取值须为 {', '.join(SCALES)}")
                if f.get("basis") == FactorBasis.FLAG and o.get("key") not in ("yes", "no"):
                    err("static_tables", f"{fname}：标识取值须为 yes 或 no")
                if (
                    f.get("basis") == FactorBasis.BUSINESS_TYPE
                    and business_type_codes is not None
                    and o.get("key") not in business_type_codes
                ):
                    err("static_tables", f"{fname}：未知业态代码 {o.get('key')}")
                if (
                    f.get("basis") == FactorBasis.FOOD_CATEGORY
                    and food_category_codes is not None
                    and o.get("key") not in food_category_codes
                ):
                    err("static_tables", f"{fname}：未知食品类别代码 {o.get('key')}")
        if static_max is not None and total != static_max:
            err("static_tables", f"{name}：各因素满分合计 {total}，应等于静态风险分值 {static_max}")

    items = data.get("dynamic_items") or []
    by_sector: dict[str, Decimal] = {}
    seen = set()
    for it in items:
        if it.get("sector") not in SECTORS:
            err("dynamic_items", f"{it.get('code')}：监管环节无效")
            continue
        if (it["sector"], it.get("code")) in seen:
            err("dynamic_items", f"{it.get('code')}：代码重复")
        seen.add((it["sector"], it.get("code")))
        pts = dec(it.get("max_points"), "dynamic_items", f"{it.get('code')} 满分")
        if pts is not None:
            by_sector[it["sector"]] = by_sector.get(it["sector"], Decimal(0)) + pts
    for sector in {t.get("sector") for t in tables if t.get("sector") in SECTORS}:
        got = by_sector.get(sector, Decimal(0))
        if dynamic_max is not None and dynamic_max > 0 and got != dynamic_max:
            err("dynamic_items", f"环节 {sector} 的动态项目满分合计 {got}，应等于动态风险分值 {dynamic_max}")

    bands = {b.get("grade"): b for b in data.get("bands") or []}
    if sorted(bands) != list(GRADES):
        err("bands", "须且仅须包含 A、B、C、D 四个等级")
    else:
        previous = None
        for g in GRADES:
            b = bands[g]
            smax = b.get("score_max")
            if g == GRADES[-1]:
                if smax is not None:
                    err("bands", "D 级不设分值上限")
            elif smax is None:
                err("bands", f"{g} 级须设分值上限")
            else:
                smax = dec(smax, "bands", f"{g} 级上限")
                if smax is not None and previous is not None and smax <= previous:
                    err("bands", f"{g} 级上限须高于上一等级")
                previous = smax
            mn, mx = b.get("min_inspections"), b.get("max_inspections")
            if not isinstance(mn, int) or mn < 0:
                err("bands", f"{g} 级最少检查次数无效")
            if mx is not None and (not isinstance(mx, int) or (isinstance(mn, int) and mx < mn)):
                err("bands", f"{g} 级最多检查次数须不少于最少次数")
            if not isinstance(b.get("period_years", 1), int) or b.get("period_years", 1) < 1:
                err("bands", f"{g} 级周期须为正整数年")

    for r in data.get("adjustment_rules") or []:
        label = r.get("event_type")
        if r.get("event_type") not in EventType.values:
            err("adjustment_rules", f"事件类型无效：{label}")
        if r.get("action") not in AdjustmentAction.values:
            err("adjustment_rules", f"{label}：调整方式无效")
        if r.get("action") in (AdjustmentAction.RAISE, AdjustmentAction.LOWER) and r.get("levels", 1) not in (1, 2, 3):
            err("adjustment_rules", f"{label}：级数须为 1–3")
        if not isinstance(r.get("min_count", 1), int) or r.get("min_count", 1) < 1:
            err("adjustment_rules", f"{label}：至少发生次数须为正整数")
        if not isinstance(r.get("window_years", 1), int) or r.get("window_years", 1) < 1:
            err("adjustment_rules", f"{label}：回溯年数须为正整数")
        for s in r.get("sectors") or []:
            if s not in SECTORS:
                err("adjustment_rules", f"{label}：适用环节无效 {s}")
    return errors


# ---------------------------------------------------------------------------- write
def real_models() -> SimpleNamespace:
    from . import models as m

    return SimpleNamespace(
        RiskScheme=m.RiskScheme,
        StaticTable=m.StaticTable,
        StaticFactor=m.StaticFactor,
        StaticOption=m.StaticOption,
        DynamicItem=m.DynamicItem,
        GradeBand=m.GradeBand,
        AdjustmentRule=m.AdjustmentRule,
    )


def scheme_parts_replace(scheme, data: dict, M) -> None:
    """Delete the scheme's tables/items/bands/rules and create them from ``data`` (only the sections present)."""
    if "static_tables" in data:
        M.StaticTable.objects.filter(scheme=scheme).delete()
        for ti, t in enumerate(data["static_tables"]):
            table = M.StaticTable.objects.create(
                scheme=scheme,
                sector=t["sector"],
                business_types=list(t.get("business_types") or []),
                name=t["name"],
                order=ti,
            )
            for fi, f in enumerate(t.get("factors") or []):
                factor = M.StaticFactor.objects.create(
                    table=table,
                    code=f["code"],
                    name=f["name"],
                    basis=f["basis"],
                    flag_field=f.get("flag_field") or "",
                    max_points=Decimal(str(f["max_points"])),
                    default_points=Decimal(str(f.get("default_points") or 0)),
                    order=fi,
                )
                M.StaticOption.objects.bulk_create(
                    [
                        M.StaticOption(
                            factor=factor,
                            key=o["key"],
                            label=o.get("label") or "",
                            tier=o.get("tier") or "",
                            points=Decimal(str(o["points"])),
                        )
                        for o in _options(f)
                    ]
                )
    if "dynamic_items" in data:
        M.DynamicItem.objects.filter(scheme=scheme).delete()
        M.DynamicItem.objects.bulk_create(
            [
                M.DynamicItem(
                    scheme=scheme,
                    sector=i["sector"],
                    code=i["code"],
                    name=i["name"],
                    max_points=Decimal(str(i["max_points"])),
                    order=n,
                )
                for n, i in enumerate(data["dynamic_items"])
            ]
        )
    if "bands" in data:
        M.GradeBand.objects.filter(scheme=scheme).delete()
        M.GradeBand.objects.bulk_create(
            [
                M.GradeBand(
                    scheme=scheme,
                    grade=b["grade"],
                    score_max=None if b.get("score_max") is None else Decimal(str(b["score_max"])),
                    min_inspections=b["min_inspections"],
                    max_inspections=b.get("max_inspections"),
                    period_years=b.get("period_years") or 1,
                )
                for b in data["bands"]
            ]
        )
    if "adjustment_rules" in data:
        M.AdjustmentRule.objects.filter(scheme=scheme).delete()
        M.AdjustmentRule.objects.bulk_create(
            [
                M.AdjustmentRule(
                    scheme=scheme,
                    event_type=r["event_type"],
                    action=r["action"],
                    levels=r.get("levels") or 1,
                    min_count=r.get("min_count") or 1,
                    window_years=r.get("window_years") or 1,
                    sectors=list(r.get("sectors") or []),
                    only_if_no_raise=bool(r.get("only_if_no_raise")),
                    note=r.get("note") or "",
                    order=n,
                )
                for n, r in enumerate(data["adjustment_rules"])
            ]
        )


def scalar_values(data: dict) -> dict:
    out = {}
    for key in SCALAR_FIELDS:
        if key not in data:
            continue
        value = data[key]
        if key in ("effective_from", "effective_to"):
            value = _date(value)
        elif key in ("static_max", "dynamic_max", "credit_max", "new_business_dynamic_points"):
            value = None if value is None else Decimal(str(value))
        elif key == "credit_default_class":
            value = value or ""
        elif key == "credit_points":
            value = {k: _num(v) for k, v in (value or {}).items()}
        elif key in ("source", "description"):
            value = value or ""
        out[key] = value
    return out


def scheme_write(data: dict, M, *, version: int, status: str, **extra):
    """Create one scheme version from plain data."""
    values = {"credit_max": Decimal(0), **scalar_values(data), **extra}
    scheme = M.RiskScheme.objects.create(code=data["code"], version=version, status=status, **values)
    scheme_parts_replace(scheme, {k: data.get(k) or [] for k in PARTS}, M)
    return scheme
