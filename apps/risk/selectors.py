"""Reads of the risk app, each starting from ``visible_to(actor)`` (STYLE.md §3.5–3.6).

For other apps (draws in apps.inspections read these):
* ``current_grades(enterprise_ids)`` → {enterprise_id: "A".."D"} (current food-safety risk grade)
* ``credit_classes_current(enterprise_ids, on=None)`` → {enterprise_id: "A".."D"} (信用风险分类, latest as_of ≤ on)
* ``coverage.coverage_debt_counts(actor)`` → per-township overdue counts (township home page)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Count, Prefetch, Sum
from django.utils import timezone

from apps.accounts.models import Township
from apps.common.filters import filter_queryset
from apps.enterprises.models import Enterprise

from .choices import GRADES, AssessmentBasis, AssessmentKind, OverrideStatus
from .filters import AssessmentFilterSet, OverrideFilterSet, UngradedFilterSet
from .models import (
    CreditClass,
    DynamicEvaluation,
    DynamicItem,
    GradeOverride,
    RiskAssessment,
    RiskEvent,
    RiskScheme,
    StaticFactor,
)


def _can(actor, perm: str) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False) and actor.is_active and actor.has_perm(perm)


# ---------------------------------------------------------------------------- assessments
def assessment_list(*, actor, filters: dict | None = None):
    qs = (
        RiskAssessment.objects.visible_to(actor)
        .select_related("enterprise", "enterprise__township", "scheme", "enterprise__business_type")
        .order_by("-assessed_on", "-id")
    )
    return filter_queryset(AssessmentFilterSet, qs, filters)


def current_assessment_list(*, actor, filters=None):
    """The grade list page: current grades only, by township then name, through ``AssessmentFilterSet``."""
    qs = assessment_list(actor=actor).filter(is_current=True)
    qs = filter_queryset(AssessmentFilterSet, qs, filters)
    return qs.order_by("enterprise__township__order", "enterprise__name", "enterprise_id")


def current_grades(enterprise_ids: Iterable[int]) -> dict[int, str]:
    return dict(
        RiskAssessment.objects.filter(enterprise_id__in=list(enterprise_ids), is_current=True).values_list(
            "enterprise_id", "grade"
        )
    )


def credit_classes_current(enterprise_ids: Iterable[int], on: dt.date | None = None) -> dict[int, str]:
    on = on or timezone.localdate()
    out: dict[int, str] = {}
    rows = (
        CreditClass.objects.filter(enterprise_id__in=list(enterprise_ids), as_of__lte=on)
        .order_by("enterprise_id", "as_of", "id")
        .values_list("enterprise_id", "credit_class")
    )
    for eid, cls in rows:
        out[eid] = cls
    return out


def credit_class_list(*, actor):
    return (
        CreditClass.objects.visible_to(actor)
        .select_related("enterprise", "enterprise__township")
        .order_by("-as_of", "-id")
    )


def risk_event_list(*, actor):
    return (
        RiskEvent.objects.visible_to(actor)
        .select_related("enterprise", "enterprise__township", "recorded_by")
        .order_by("-occurred_on", "-id")
    )


def override_list(*, actor, filters=None):
    """Grade overrides visible to ``actor`` through ``OverrideFilterSet`` (``filters={"status": ...}``)."""

    qs = (
        GradeOverride.objects.visible_to(actor)
        .select_related("enterprise", "enterprise__township", "proposed_by", "decided_by")
        .order_by("-created_at", "-id")
    )
    return filter_queryset(OverrideFilterSet, qs, filters)


def coverage_overdue_count(*, actor) -> int:
    """Enterprises visible to ``actor`` that are overdue for an inspection (home-page KPI, ``fn(actor=...)``)."""
    from .coverage import coverage_overdue_count as count

    if not _can(actor, "risk.view_riskassessment"):
        return 0
    return count(actor)


def pending_override_count(*, actor) -> int:
    if not _can(actor, "risk.approve_gradeoverride"):
        return 0
    return override_list(actor=actor, filters={"status": OverrideStatus.PROPOSED}).exclude(proposed_by=actor).count()


# ---------------------------------------------------------------------------- the enterprise risk card
def risk_enterprise_get(*, actor, pk) -> Enterprise:
    """The enterprise a risk page is about (its card, forms and buttons), with its township, business type and food
    categories. Raises Enterprise.DoesNotExist when missing or out of scope."""
    return (
        Enterprise.objects.visible_to(actor)
        .select_related("township", "business_type")
        .prefetch_related("food_categories")
        .get(pk=pk)
    )


def risk_card(*, actor, enterprise_id) -> dict:
    """Everything the risk card shows, in a fixed number of queries. Raises Enterprise.DoesNotExist out of scope."""
    return risk_card_of(risk_enterprise_get(actor=actor, pk=enterprise_id))


def risk_card_of(enterprise: Enterprise) -> dict:
    """The risk card of an enterprise read through ``risk_enterprise_get``."""
    history = list(
        RiskAssessment.objects.filter(enterprise=enterprise)
        .select_related("scheme", "created_by")
        .order_by("-assessed_on", "-id")
    )
    current = next((a for a in history if a.is_current), None)
    labels = _factor_labels(current) if current else {}
    factor_rows = _factor_rows(current, labels) if current else []
    previous = None
    if current:
        older = [a for a in history if a.pk != current.pk and (a.assessed_on, a.pk) < (current.assessed_on, current.pk)]
        previous = older[0] if older else None
    return {
        "enterprise": enterprise,
        "current": current,
        "previous": previous,
        "change": grade_change_explained(current, previous, factor_rows) if current else [],
        "history": history,
        "factor_rows": factor_rows,
        "events": list(
            RiskEvent.objects.filter(enterprise=enterprise)
            .select_related("recorded_by")
            .order_by("-occurred_on", "-id")
        ),
        "credit_classes": list(CreditClass.objects.filter(enterprise=enterprise).order_by("-as_of", "-id")),
        "evaluations": list(
            DynamicEvaluation.objects.filter(enterprise=enterprise)
            .select_related("evaluated_by")
            .order_by("-evaluated_on", "-id")[:10]
        ),
        "overrides": list(
            GradeOverride.objects.filter(enterprise=enterprise)
            .select_related("proposed_by", "decided_by")
            .order_by("-created_at", "-id")
        ),
    }


def _pts(value) -> str:
    f = float(value or 0)
    return str(int(f)) if f == int(f) else f"{f:.1f}"


def grade_change_explained(current: RiskAssessment, previous: RiskAssessment | None, factor_rows: list[dict]) -> list:
    """Sentences (plain Chinese) saying why the current grade differs from the previous one: which part of the score
    moved and by what rule (DOMAIN.md §1.2–1.4, docs/risk.md §4). Empty when there is no previous grade."""
    if previous is None:
        return []
    cur_g, prev_g = current.grade, previous.grade
    verb = "不变" if cur_g == prev_g else ("降为" if cur_g < prev_g else "升为")
    head = (
        f"等级由 {prev_g} 级（{_pts(previous.total_score)} 分，{previous.assessed_on:%Y-%m-%d}）"
        f"{'保持' if verb == '不变' else verb} {cur_g} 级（{_pts(current.total_score)} 分）。"
    )
    out = [head]
    scheme = current.scheme
    if previous.basis == AssessmentBasis.STATIC_ONLY and current.basis == AssessmentBasis.DYNAMIC:
        out.append(
            f"此前没有监督检查或现场评定的动态评分，按方案把动态分由静态分折算"
            f"（{_pts(previous.static_score)} × {_pts(scheme.dynamic_max)}/{_pts(scheme.static_max)} = "
            f"{_pts(previous.dynamic_score)} 分），这是对未检查企业的估计；"
            f"本次以检查结论计分，动态分为 {_pts(current.dynamic_score)} 分。"
        )
    elif previous.dynamic_score != current.dynamic_score:
        out.append(f"动态分由 {_pts(previous.dynamic_score)} 分变为 {_pts(current.dynamic_score)} 分。")
    if current.basis == AssessmentBasis.DYNAMIC:
        found = [r for r in factor_rows if r["part"] == "动态" and float(r["points"] or 0) > 0]
        if found:
            out.append(
                "检查发现的问题计入："
                + "；".join(f"{r['name']} {_pts(r['points'])} / {_pts(r['max'])} 分" for r in found)
                + "（各项目按不符合的检查项目所占比例计分，基本符合计一半）。"
            )
        else:
            out.append("本次检查各项目均符合，动态分为 0。")
    if previous.static_score != current.static_score:
        out.append(
            f"静态分由 {_pts(previous.static_score)} 分变为 {_pts(current.static_score)} 分（企业业态、规模或食品类别有变化）。"
        )
    if previous.credit_score != current.credit_score:
        out.append(f"信用分由 {_pts(previous.credit_score)} 分变为 {_pts(current.credit_score)} 分。")
    if current.score_grade != current.grade:
        out.append(
            f"按分值为 {current.score_grade} 级，经{'人工调整' if current.kind == 'override' else '等级调整规则'}为 {cur_g} 级。"
        )
    if cur_g < prev_g and current.kind == AssessmentKind.INSPECTION:
        out.append(
            "检查中发现的违法行为如经立案并受到行政处罚，请在本页登记风险事件“故意违法受到罚款、没收或停产停业处罚”："
            "按调整规则，下一年度的等级将调高。"
        )
    return out


def _factor_labels(assessment: RiskAssessment) -> dict:
    """{("static", code): (name, max), ("dynamic", code): (name, max)} from the assessment's own scheme version
    and static table (factor codes repeat across tables)."""
    out = {}
    table = (assessment.factor_scores or {}).get("table")
    sector = (assessment.inputs or {}).get("enterprise", {}).get("sector")
    factors = StaticFactor.objects.filter(table__scheme_id=assessment.scheme_id, table__name=table)
    for f in factors.values("code", "name", "max_points"):
        out[("static", f["code"])] = (f["name"], f["max_points"])
    for it in DynamicItem.objects.filter(scheme_id=assessment.scheme_id, sector=sector).values(
        "code", "name", "max_points"
    ):
        out[("dynamic", it["code"])] = (it["name"], it["max_points"])
    return out


def _factor_rows(assessment: RiskAssessment, labels: dict) -> list[dict]:
    rows = []
    fs = assessment.factor_scores or {}
    for code, pts in (fs.get("static") or {}).items():
        name, mx = labels.get(("static", code), (code, None))
        rows.append({"part": "静态", "code": code, "name": name, "points": pts, "max": mx})
    for code, pts in (fs.get("dynamic") or {}).items():
        name, mx = labels.get(("dynamic", code), (code, None))
        rows.append({"part": "动态", "code": code, "name": name, "points": pts, "max": mx})
    credit = fs.get("credit") or {}
    if credit:
        rows.append(
            {
                "part": "信用",
                "code": "credit",
                "name": f"信用风险分类 {credit.get('class') or '—'}",
                "points": credit.get("points"),
                "max": assessment.scheme.credit_max,
            }
        )
    return rows


# ---------------------------------------------------------------------------- overview
def grade_distribution(*, actor) -> dict:
    """Current grades of operating enterprises per township: one GROUP BY over the coverage buckets (the maintained
    coverage state holds each operating enterprise's township and current grade, refreshed whenever a grade
    changes), plus the townships. Rows + totals, for the table and chart."""
    from .models import CoverageBucket

    counts: dict[int, dict[str, int]] = {}
    totals: dict[int, int] = {}
    rows = CoverageBucket.objects.visible_to(actor).values("township_id", "grade").annotate(n=Sum("enterprises"))
    for row in rows.order_by():
        counts.setdefault(row["township_id"], {})[row["grade"]] = row["n"]
        totals[row["township_id"]] = totals.get(row["township_id"], 0) + row["n"]
    townships = Township.objects.filter(pk__in=totals).order_by("order", "id")
    rows = []
    sums = {g: 0 for g in GRADES} | {"none": 0, "total": 0}
    for t in townships:
        c = counts.get(t.pk, {})
        row = {"township": t, **{g: c.get(g, 0) for g in GRADES}}
        row["total"] = totals.get(t.pk, 0)
        row["none"] = row["total"] - sum(c.get(g, 0) for g in GRADES)
        rows.append(row)
        for key in sums:
            sums[key] += row[key]
    sums["graded"] = sums["total"] - sums["none"]
    return {"rows": rows, "totals": sums}


def chart_data(distribution: dict) -> dict:
    """JSON for the stacked bar chart (static/js/risk.js)."""
    rows = distribution["rows"]
    return {
        "townships": [r["township"].name for r in rows],
        "township_ids": [r["township"].pk for r in rows],
        "series": [{"grade": g, "values": [r[g] for r in rows]} for g in GRADES]
        + [{"grade": "none", "values": [r["none"] for r in rows]}],
    }


# ---------------------------------------------------------------------------- schemes
def scheme_list(*, actor):
    if not _can(actor, "risk.view_riskscheme"):
        return RiskScheme.objects.none()
    return RiskScheme.objects.annotate(
        assessment_count=Count("assessments", distinct=True),
        table_count=Count("static_tables", distinct=True),
    ).order_by("code", "-version")


def scheme_detail(*, actor, pk):
    if not _can(actor, "risk.view_riskscheme"):
        raise RiskScheme.DoesNotExist
    return (
        RiskScheme.objects.select_related("revised_from", "created_by", "activated_by")
        .prefetch_related(
            Prefetch(
                "static_tables__factors",
                queryset=StaticFactor.objects.prefetch_related("options").order_by("order", "id"),
            ),
            "dynamic_items",
            "bands",
            "adjustment_rules",
        )
        .get(pk=pk)
    )


def scheme_queryset_for_api(*, actor):
    if not _can(actor, "risk.view_riskscheme"):
        return RiskScheme.objects.none()
    return RiskScheme.objects.select_related("revised_from").prefetch_related(
        Prefetch(
            "static_tables__factors",
            queryset=StaticFactor.objects.prefetch_related("options").order_by("order", "id"),
        ),
        "dynamic_items",
        "bands",
        "adjustment_rules",
    )


def enterprise_risk_summary(*, actor, enterprise_id) -> dict | None:
    """The risk grade and coverage state of one enterprise for the enterprise page (two queries), or None when the
    actor may not view grades."""
    from .models import CoverageState

    if not _can(actor, "risk.view_riskassessment"):
        return None
    current = (
        RiskAssessment.objects.visible_to(actor)
        .filter(enterprise_id=enterprise_id, is_current=True)
        .select_related("scheme")
        .first()
    )
    state = CoverageState.objects.visible_to(actor).filter(enterprise_id=enterprise_id).first()
    return {"current": current, "coverage": state}


def ungraded_list(*, actor, filters=None):
    """Operating enterprises without a current grade (the overview's 未评级 count), from the maintained state,
    through ``UngradedFilterSet`` (``?township=``)."""
    from .models import CoverageState

    qs = CoverageState.objects.visible_to(actor).filter(grade="")
    qs = qs.select_related("enterprise__business_type", "township").order_by("township_id", "enterprise_id")
    return filter_queryset(UngradedFilterSet, qs, filters)


def enterprise_attributes(enterprise_ids, *, on: dt.date | None = None) -> dict[int, dict]:
    """Provider ``risk.enterprise_attributes`` (apps.common.hooks): {enterprise id: {"grade", "credit_class"}} for the
    draw strata — the current grade and the latest credit class as of ``on``. Two queries whatever the number."""
    out: dict[int, dict] = {}
    for pk, grade in RiskAssessment.objects.filter(enterprise_id__in=enterprise_ids, is_current=True).values_list(
        "enterprise_id", "grade"
    ):
        out.setdefault(pk, {})["grade"] = grade or ""
    qs = CreditClass.objects.filter(enterprise_id__in=enterprise_ids)
    if on is not None:
        qs = qs.filter(as_of__lte=on)
    for pk, cls in qs.order_by("enterprise_id", "as_of", "id").values_list("enterprise_id", "credit_class"):
        out.setdefault(pk, {})["credit_class"] = cls or ""  # the last row per enterprise wins (latest as_of)
    return out
