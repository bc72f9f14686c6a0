"""Writes of the risk app (STYLE.md §3.3): each one atomic, scoped, permission-checked and audited.

Grading paths, all ending in ``engine.compute``:

* ``assessment_from_inspection`` — the hook the inspections app calls when a result is finalised (idempotent per
  ``source_ref``); ``onsite_evaluation_submit`` — the on-site evaluation form; ``assessment_recompute`` — one
  enterprise on demand. They store a ``DynamicEvaluation`` (where there is one) and a ``RiskAssessment``.
* ``regrade_year`` — the yearly regrade (job "risk.regrade", Celery beat on 1 January): set-based and chunked,
  a constant number of queries per chunk, one yearly grade per enterprise and year (re-running changes nothing).

``regrade_check(assessment)`` re-computes a stored grade under its own scheme version from its input snapshot.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Callable, Iterable
from decimal import Decimal

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from apps.common.audit import audit_record, model_snapshot
from apps.common.exceptions import Conflict, DomainError, OutOfScope, ValidationFailed
from apps.common.jobs import job_create
from apps.common.models import Job, JobStatus
from apps.common.permissions import require_perm
from apps.enterprises.choices import EnterpriseStatus
from apps.enterprises.models import BusinessType, Enterprise, FoodCategory

from . import coverage, engine
from .choices import (
    FLAG_FIELDS,
    GRADES,
    AssessmentKind,
    CreditGrade,
    EvaluationSource,
    EventType,
    OverrideStatus,
    SchemeStatus,
)
from .models import (
    CreditClass,
    DynamicEvaluation,
    GradeOverride,
    RiskAssessment,
    RiskEvent,
    RiskScheme,
)
from .schemes_io import PARTS, SCALAR_FIELDS, real_models, scalar_values, scheme_dump, scheme_parts_replace
from .schemes_io import scheme_validate as scheme_data_validate

log = logging.getLogger(__name__)
IN_FORCE = (SchemeStatus.ACTIVE, SchemeStatus.RETIRED)
REGRADE_CHUNK = 2000


# ---------------------------------------------------------------------------- helpers


def _actor_or_none(actor):
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def _enterprise_get(actor, enterprise_id, *, lock: bool = False) -> Enterprise:
    """The enterprise if the actor may see it (actor None = system); locked for the rest of the transaction."""
    qs = Enterprise.objects.all() if actor is None else Enterprise.objects.visible_to(actor)
    if lock:
        qs = qs.select_for_update(no_key=True, of=("self",))
    try:
        return qs.get(pk=enterprise_id)
    except (Enterprise.DoesNotExist, ValueError, TypeError):
        raise OutOfScope() from None


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


# ---------------------------------------------------------------------------- schemes
def schemes_in_force(*, on: dt.date) -> dict[str, RiskScheme]:
    """The scheme applied to each sector on a date: published (active or retired), effective on that date;
    if several cover a sector, the one that took effect last wins."""
    qs = (
        RiskScheme.objects.filter(status__in=IN_FORCE, effective_from__lte=on)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gt=on))
        .prefetch_related("static_tables")
        .order_by("-effective_from", "-version", "-id")
    )
    chosen: dict[str, RiskScheme] = {}
    for scheme in qs:
        for table in scheme.static_tables.all():
            chosen.setdefault(table.sector, scheme)
    return chosen


def scheme_in_force(*, sector: str, on: dt.date) -> RiskScheme | None:
    return schemes_in_force(on=on).get(sector)


def _reference_codes() -> dict:
    return {
        "business_type_codes": set(BusinessType.objects.values_list("code", flat=True)),
        "food_category_codes": set(FoodCategory.objects.values_list("code", flat=True)),
    }


def _validate_or_raise(data: dict) -> None:
    errors = scheme_data_validate(data, **_reference_codes())
    if errors:
        first = next(iter(errors.values()))[0]
        raise ValidationFailed(f"方案数据有误：{first}", fields=errors)


def _scheme_locked(scheme_id) -> RiskScheme:
    try:
        return RiskScheme.objects.select_for_update(no_key=True).get(pk=scheme_id)
    except (RiskScheme.DoesNotExist, ValueError, TypeError):
        raise OutOfScope() from None


@transaction.atomic
def reference_schemes_load(*, actor=None) -> list[str]:
    """Create the reference schemes of fixtures/risk_*.json that are missing (by code); never overwrites.

    The data migration does this for every new database; this is for a database whose tables were emptied
    (e.g. a transactional test's flush). Returns the codes created.
    """
    from .schemes_io import fixture_data, scheme_write

    created = []
    for data in fixture_data():
        if RiskScheme.objects.filter(code=data["code"]).exists():
            continue
        scheme = scheme_write(data, real_models(), version=1, status=data["status"])
        audit_record("risk.scheme.load", obj=scheme, actor=actor, extra={"code": scheme.code})
        created.append(scheme.code)
    return created


@transaction.atomic
def scheme_revise(
    *, scheme_id, effective_from: dt.date, actor, changes: dict | None = None, activate: bool = False
) -> RiskScheme:
    """Editing a scheme in force: copy it into a new version (draft) starting ``effective_from``, with ``changes``
    (same JSON sections as the fixtures) applied. Grades already made keep pointing to the old version."""
    require_perm(actor, "risk.add_riskscheme", system_allowed=True)
    source = _scheme_locked(scheme_id)
    if source.status == SchemeStatus.DRAFT:
        raise Conflict("草稿可直接修改，无需修订为新版本")
    draft = RiskScheme.objects.filter(code=source.code, status=SchemeStatus.DRAFT).first()
    if draft:
        raise Conflict(f"该方案已有草稿版本 v{draft.version}，请先修改或启用该草稿")
    data = scheme_dump(source)
    for key, value in (changes or {}).items():
        if key not in SCALAR_FIELDS and key not in PARTS:
            raise ValidationFailed(f"不能修改的字段：{key}", fields={key: ["不能修改"]})
        data[key] = value
    data["effective_from"] = effective_from.isoformat()
    data["effective_to"] = None
    _validate_or_raise(data)
    version = (RiskScheme.objects.filter(code=source.code).aggregate(v=Max("version"))["v"] or 0) + 1
    values = scalar_values(data)
    scheme = RiskScheme.objects.create(
        code=source.code,
        version=version,
        status=SchemeStatus.DRAFT,
        revised_from=source,
        created_by=_actor_or_none(actor),
        **values,
    )
    scheme_parts_replace(scheme, {k: data[k] for k in PARTS}, real_models())
    audit_record(
        "risk.scheme.revise",
        obj=scheme,
        actor=actor,
        changes={k: [scheme_dump(source).get(k), v] for k, v in (changes or {}).items()},
        extra={"from_version": source.version, "version": version, "effective_from": effective_from},
    )
    if activate:
        return scheme_activate(scheme_id=scheme.pk, actor=actor)
    return scheme


@transaction.atomic
def scheme_update_draft(*, scheme_id, data: dict, actor) -> RiskScheme:
    """Change a draft version (the only editable state): scalar fields and/or whole sections."""
    require_perm(actor, "risk.change_riskscheme", system_allowed=True)
    scheme = _scheme_locked(scheme_id)
    if scheme.status != SchemeStatus.DRAFT:
        raise Conflict("已发布的方案不能直接修改，请修订为新版本")
    before = scheme_dump(scheme)
    merged = dict(before)
    for key, value in data.items():
        if key in ("code", "version", "status"):
            continue
        if key not in SCALAR_FIELDS and key not in PARTS:
            raise ValidationFailed(f"不能修改的字段：{key}", fields={key: ["不能修改"]})
        merged[key] = value
    _validate_or_raise(merged)
    for key, value in scalar_values({k: v for k, v in data.items() if k in SCALAR_FIELDS}).items():
        setattr(scheme, key, value)
    scheme.save()
    scheme_parts_replace(scheme, {k: data[k] for k in PARTS if k in data}, real_models())
    after = scheme_dump(RiskScheme.objects.get(pk=scheme.pk))
    audit_record(
        "risk.scheme.update_draft",
        obj=scheme,
        actor=actor,
        changes={k: [before.get(k), after.get(k)] for k in after if before.get(k) != after.get(k)},
    )
    return scheme


@transaction.atomic
def scheme_activate(*, scheme_id, actor, effective_from: dt.date | None = None) -> RiskScheme:
    """Publish a draft. Earlier published versions of the same code end the day this one starts (retired)."""
    require_perm(actor, "risk.activate_riskscheme", system_allowed=True)
    scheme = _scheme_locked(scheme_id)
    if scheme.status != SchemeStatus.DRAFT:
        raise Conflict("只有草稿可以启用")
    if effective_from:
        scheme.effective_from = effective_from
    _validate_or_raise(scheme_dump(scheme) | {"effective_from": scheme.effective_from.isoformat()})
    previous = list(
        RiskScheme.objects.select_for_update(no_key=True)
        .filter(code=scheme.code, status__in=IN_FORCE)
        .exclude(pk=scheme.pk)
        .order_by("version")
    )
    for old in previous:
        if old.effective_from >= scheme.effective_from:
            raise Conflict(f"生效日期须晚于已发布的 v{old.version}（{old.effective_from}）")
    sectors = set(scheme.static_tables.values_list("sector", flat=True))
    clash = (
        RiskScheme.objects.filter(status=SchemeStatus.ACTIVE, effective_from=scheme.effective_from)
        .exclude(code=scheme.code)
        .filter(static_tables__sector__in=sectors)
        .first()
    )
    if clash:
        raise Conflict(f"「{clash}」在同一天对相同环节生效，请调整生效日期")
    for old in previous:
        before = model_snapshot(old, ["status", "effective_to"])
        if old.effective_to is None or old.effective_to > scheme.effective_from:
            old.effective_to = scheme.effective_from
        old.status = SchemeStatus.RETIRED
        old.save(update_fields=["status", "effective_to", "updated_at"])
        audit_record(
            "risk.scheme.retire",
            obj=old,
            actor=actor,
            changes={k: [before[k], v] for k, v in model_snapshot(old, ["status", "effective_to"]).items()},
            extra={"superseded_by": scheme.pk},
        )
    scheme.status = SchemeStatus.ACTIVE
    scheme.activated_at = timezone.now()
    scheme.activated_by = _actor_or_none(actor)
    scheme.save()
    audit_record(
        "risk.scheme.activate",
        obj=scheme,
        actor=actor,
        extra={"version": scheme.version, "effective_from": scheme.effective_from, "retired": [o.pk for o in previous]},
    )
    return scheme


# ---------------------------------------------------------------------------- inputs snapshot
def enterprise_snapshot(ent: dict, categories: Iterable[str]) -> dict:
    """The enterprise attributes grading reads. ``ent`` holds values() keys of an Enterprise row."""
    return {
        "id": ent["id"],
        "business_type": ent["business_type__code"],
        "sector": ent["business_type__sector"],
        "food_categories": sorted(set(categories)),
        "scale": ent["scale"],
        "flags": {f: bool(ent[f]) for f in FLAG_FIELDS},
    }


ENTERPRISE_VALUES = ("id", "scale", "business_type__code", "business_type__sector", *FLAG_FIELDS)


def evaluation_snapshot(ev: dict | None) -> dict | None:
    if not ev:
        return None
    return {
        "evaluation": ev["id"],
        "source": ev["source"],
        "source_ref": ev["source_ref"],
        "evaluated_on": ev["evaluated_on"].isoformat(),
        "scheme": ev["scheme_id"],
        "item_scores": ev["item_scores"],
    }


def credit_snapshot(cc: dict | None) -> dict | None:
    if not cc:
        return None
    return {"class": cc["credit_class"], "as_of": cc["as_of"].isoformat(), "source": cc["source"], "id": cc["id"]}


def event_snapshot(ev: dict) -> dict:
    return {"id": ev["id"], "type": ev["event_type"], "date": ev["occurred_on"].isoformat()}


def inputs_make(*, year: int, on: dt.date, enterprise: dict, dynamic, credit, events) -> dict:
    return {
        "year": year,
        "on": on.isoformat(),
        "enterprise": enterprise,
        "dynamic": dynamic,
        "credit": credit,
        "events": sorted(events, key=lambda e: (e["date"], e["id"])),
    }


EVALUATION_VALUES = ("id", "enterprise_id", "source", "source_ref", "evaluated_on", "scheme_id", "item_scores")
CREDIT_VALUES = ("id", "enterprise_id", "credit_class", "as_of", "source")
EVENT_VALUES = ("id", "enterprise_id", "event_type", "occurred_on")


def _event_window(year: int, rules: engine.Rules) -> tuple[dt.date, dt.date]:
    """Events that can adjust a grade for ``year``: the ``max_window_years`` calendar years before it."""
    return dt.date(year - rules.max_window_years, 1, 1), dt.date(year, 1, 1)


def _single_inputs(enterprise_id: int, *, year: int, on: dt.date, rules: engine.Rules, evaluation_id=None) -> dict:
    ent = Enterprise.objects.filter(pk=enterprise_id).values(*ENTERPRISE_VALUES).get()
    cats = Enterprise.food_categories.through.objects.filter(enterprise_id=enterprise_id).values_list(
        "foodcategory__code", flat=True
    )
    evs = DynamicEvaluation.objects.filter(enterprise_id=enterprise_id)
    evs = evs.filter(pk=evaluation_id) if evaluation_id else evs.filter(evaluated_on__lte=on)
    ev = evs.order_by("-evaluated_on", "-id").values(*EVALUATION_VALUES).first()
    cc = (
        CreditClass.objects.filter(enterprise_id=enterprise_id, as_of__lte=on)
        .order_by("-as_of", "-id")
        .values(*CREDIT_VALUES)
        .first()
    )
    start, end = _event_window(year, rules)
    events = RiskEvent.objects.filter(
        enterprise_id=enterprise_id, is_void=False, occurred_on__gte=start, occurred_on__lt=end
    ).values(*EVENT_VALUES)
    return inputs_make(
        year=year,
        on=on,
        enterprise=enterprise_snapshot(ent, cats),
        dynamic=evaluation_snapshot(ev),
        credit=credit_snapshot(cc),
        events=[event_snapshot(e) for e in events],
    )


def _result_fields(result: dict) -> dict:
    return {
        "basis": result["basis"],
        "factor_scores": {**result["factor_scores"], "table": result["table"]},
        "adjustments": result["adjustments"],
        "static_score": result["static_score"],
        "dynamic_score": result["dynamic_score"],
        "credit_score": result["credit_score"],
        "total_score": result["total_score"],
        "score_grade": result["score_grade"],
        "grade": result["grade"],
    }


def _assessment_store(
    *,
    enterprise: Enterprise,
    scheme: RiskScheme,
    rules: engine.Rules,
    inputs: dict,
    kind: str,
    on: dt.date,
    year: int,
    actor,
    source_ref: str = "",
    override: GradeOverride | None = None,
) -> RiskAssessment:
    """Compute and save one assessment; it becomes the current grade unless a later-dated one exists."""
    try:
        result = engine.compute(rules, inputs)
    except engine.SchemeNotApplicable as exc:
        raise DomainError(str(exc), code="scheme_not_applicable") from None
    current = RiskAssessment.objects.filter(enterprise=enterprise, is_current=True).first()
    becomes_current = current is None or current.assessed_on <= on
    if becomes_current and current is not None:
        RiskAssessment.objects.filter(pk=current.pk).update(is_current=False, updated_at=timezone.now())
    assessment = RiskAssessment.objects.create(
        enterprise=enterprise,
        scheme=scheme,
        year=year,
        kind=kind,
        assessed_on=on,
        source_ref=source_ref,
        inputs=inputs,
        is_current=becomes_current,
        override=override,
        created_by=_actor_or_none(actor),
        **_result_fields(result),
    )
    if becomes_current:
        coverage.coverage_refresh([enterprise.pk])  # the grade sets the inspection frequency
    audit_record(
        "risk.assessment.create",
        obj=assessment,
        actor=actor,
        changes={"grade": [current.grade if current else None, assessment.grade]} if becomes_current else {},
        extra={
            "enterprise": enterprise.pk,
            "kind": kind,
            "scheme": scheme.pk,
            "total": result["total_score"],
            "score_grade": result["score_grade"],
            "grade": result["grade"],
            "current": becomes_current,
        },
    )
    return assessment


def _scheme_for(enterprise: Enterprise, on: dt.date) -> RiskScheme:
    sector = enterprise.business_type.sector
    scheme = scheme_in_force(sector=sector, on=on)
    if scheme is None:
        raise DomainError(f"{on} 没有适用于「{enterprise.business_type}」的风险分级方案", code="no_scheme")
    return scheme


def _clean_item_scores(rules: engine.Rules, sector: str, item_scores: dict) -> dict:
    items = {it.code: it for it in rules.items.get(sector, ())}
    if not items:
        raise ValidationFailed("该方案没有此环节的动态风险项目", fields={"item_scores": ["方案无动态项目"]})
    errors, clean = {}, {}
    for code, value in (item_scores or {}).items():
        if code not in items:
            errors[code] = ["不是该方案的动态风险项目"]
            continue
        try:
            d = engine.q(value)
        except Exception:
            errors[code] = ["必须是数字"]
            continue
        if not Decimal(0) <= d <= items[code].max_points:
            errors[code] = [f"须在 0–{engine.num(items[code].max_points)} 之间"]
            continue
        clean[code] = engine.num(d)
    if not clean and not errors:
        errors["item_scores"] = ["至少填写一个项目的得分"]
    if errors:
        raise ValidationFailed("动态风险评分有误", fields=errors)
    return clean


def _evaluate(
    *, enterprise: Enterprise, item_scores: dict, on: dt.date, source: str, source_ref: str, actor, note: str, kind: str
) -> RiskAssessment:
    scheme = _scheme_for(enterprise, on)
    rules = engine.rules_load(scheme)
    clean = _clean_item_scores(rules, enterprise.business_type.sector, item_scores)
    evaluation = DynamicEvaluation.objects.create(
        enterprise=enterprise,
        scheme=scheme,
        source=source,
        source_ref=source_ref,
        evaluated_on=on,
        item_scores=clean,
        total=engine.q(sum((Decimal(str(v)) for v in clean.values()), Decimal(0))),
        note=note,
        evaluated_by=_actor_or_none(actor),
    )
    audit_record(
        "risk.evaluation.create",
        obj=evaluation,
        actor=actor,
        extra={"enterprise": enterprise.pk, "source": source, "source_ref": source_ref, "item_scores": clean},
    )
    inputs = _single_inputs(enterprise.pk, year=on.year, on=on, rules=rules, evaluation_id=evaluation.pk)
    return _assessment_store(
        enterprise=enterprise,
        scheme=scheme,
        rules=rules,
        inputs=inputs,
        kind=kind,
        on=on,
        year=on.year,
        actor=actor,
        source_ref=source_ref,
    )


@transaction.atomic
def assessment_from_inspection(
    *, enterprise_id, item_scores: dict, inspected_on: dt.date, source_ref: str, actor=None
) -> RiskAssessment:
    """Hook for the inspections app: a finalised inspection's item scores (codes = the scheme's dynamic items for
    the enterprise's sector, values 0..max points, higher = more risk) become the dynamic score.

    Idempotent per ``source_ref``: calling it again for the same inspection returns the first assessment.
    No risk permission is required (the caller already authorised the finalisation); the enterprise must be
    visible to ``actor`` when one is given.
    """
    if not source_ref:
        raise ValidationFailed("缺少检查结果编号", fields={"source_ref": ["必填"]})
    enterprise = _enterprise_get(actor, enterprise_id, lock=True)
    existing = DynamicEvaluation.objects.filter(source=EvaluationSource.INSPECTION, source_ref=source_ref).first()
    if existing:
        found = (
            RiskAssessment.objects.filter(enterprise_id=existing.enterprise_id, source_ref=source_ref)
            .order_by("id")
            .first()
        )
        if found:
            return found
    return _evaluate(
        enterprise=enterprise,
        item_scores=item_scores,
        on=inspected_on,
        source=EvaluationSource.INSPECTION,
        source_ref=source_ref,
        actor=actor,
        note="",
        kind=AssessmentKind.INSPECTION,
    )


OUTCOME_SHARE = {"符合": Decimal(0), "基本符合": Decimal("0.5"), "不符合": Decimal(1)}


def item_scores_from_outcomes(*, rules: engine.Rules, sector: str, outcomes: dict[str, list[str]]) -> dict:
    """Helper for callers with per-check-item outcomes: {dynamic item code: ["符合", "不符合", ...]} → points.

    An item scores max_points × (share of 不符合 + half the share of 基本符合). Outcomes not listed count as 符合.
    """
    items = {it.code: it for it in rules.items.get(sector, ())}
    out = {}
    for code, results in outcomes.items():
        if code not in items or not results:
            continue
        share = sum((OUTCOME_SHARE.get(r, Decimal(0)) for r in results), Decimal(0)) / len(results)
        out[code] = engine.num(items[code].max_points * share)
    return out


@transaction.atomic
def onsite_evaluation_submit(
    *, enterprise_id, item_scores: dict, evaluated_on: dt.date, actor, note: str = ""
) -> RiskAssessment:
    """The on-site dynamic-risk evaluation form (动态风险评价表): same input as an inspection result."""
    require_perm(actor, "risk.add_dynamicevaluation", system_allowed=True)
    if evaluated_on > timezone.localdate():
        raise ValidationFailed("评定日期不能晚于今天", fields={"evaluated_on": ["不能晚于今天"]})
    enterprise = _enterprise_get(actor, enterprise_id, lock=True)
    return _evaluate(
        enterprise=enterprise,
        item_scores=item_scores,
        on=evaluated_on,
        source=EvaluationSource.ONSITE,
        source_ref="",
        actor=actor,
        note=note,
        kind=AssessmentKind.ONSITE,
    )


@transaction.atomic
def assessment_recompute(*, enterprise_id, actor, on: dt.date | None = None) -> RiskAssessment:
    """Grade one enterprise now from its current data (e.g. after an event was recorded)."""
    require_perm(actor, "risk.add_riskassessment", system_allowed=True)
    on = on or timezone.localdate()
    enterprise = _enterprise_get(actor, enterprise_id, lock=True)
    scheme = _scheme_for(enterprise, on)
    rules = engine.rules_load(scheme)
    inputs = _single_inputs(enterprise.pk, year=on.year, on=on, rules=rules)
    return _assessment_store(
        enterprise=enterprise,
        scheme=scheme,
        rules=rules,
        inputs=inputs,
        kind=AssessmentKind.MANUAL,
        on=on,
        year=on.year,
        actor=actor,
    )


def regrade_check(assessment: RiskAssessment) -> dict:
    """Re-compute a stored assessment under its own scheme version from its input snapshot.

    Returns {"ok", "differences": {field: [stored, recomputed]}, "recomputed": {...}}.
    """
    rules = engine.rules_load(assessment.scheme)
    result = engine.compute(rules, assessment.inputs)
    fields = _result_fields(result)
    differences = {}
    for key, value in fields.items():
        stored = getattr(assessment, key)
        if isinstance(stored, Decimal):
            same = engine.q(stored) == engine.q(value)
        else:
            same = stored == value
        if not same:
            differences[key] = [stored, value]
    return {"ok": not differences, "differences": differences, "recomputed": fields}


# ---------------------------------------------------------------------------- events and credit
@transaction.atomic
def risk_event_record(
    *, enterprise_id, event_type: str, occurred_on: dt.date, description: str, actor, source_ref: str = ""
) -> RiskEvent:
    require_perm(actor, "risk.add_riskevent", system_allowed=True)
    if event_type not in EventType.values:
        raise ValidationFailed("事件类型无效", fields={"event_type": ["无效的事件类型"]})
    if occurred_on > timezone.localdate():
        raise ValidationFailed("发生日期不能晚于今天", fields={"occurred_on": ["不能晚于今天"]})
    if not (description or "").strip():
        raise ValidationFailed("请填写情况说明", fields={"description": ["必填"]})
    enterprise = _enterprise_get(actor, enterprise_id)
    event = RiskEvent.objects.create(
        enterprise=enterprise,
        event_type=event_type,
        occurred_on=occurred_on,
        description=description.strip(),
        source_ref=source_ref,
        recorded_by=_actor_or_none(actor),
    )
    audit_record("risk.event.record", obj=event, actor=actor, changes={"new": model_snapshot(event)})
    return event


@transaction.atomic
def risk_event_void(*, event_id, reason: str, actor) -> RiskEvent:
    """Events are never deleted; a mistaken one is voided with a reason (grades already made keep their snapshot).
    ``actor=None`` is the system (e.g. a 复检 overturned the failed sample the event came from)."""
    require_perm(actor, "risk.change_riskevent", system_allowed=True)
    if not (reason or "").strip():
        raise ValidationFailed("请填写作废理由", fields={"reason": ["必填"]})
    events = RiskEvent.objects.all() if actor is None else RiskEvent.objects.visible_to(actor)
    try:
        event = events.select_for_update(no_key=True, of=("self",)).get(pk=event_id)
    except (RiskEvent.DoesNotExist, ValueError, TypeError):
        raise OutOfScope() from None
    if event.is_void:
        raise Conflict("该事件已作废")
    event.is_void = True
    event.void_reason = reason.strip()[:200]
    event.voided_by = _actor_or_none(actor)
    event.voided_at = timezone.now()
    event.save(update_fields=["is_void", "void_reason", "voided_by", "voided_at", "updated_at"])
    audit_record(
        "risk.event.void", obj=event, actor=actor, changes={"is_void": [False, True]}, extra={"reason": reason}
    )
    return event


@transaction.atomic
def credit_class_set(
    *, enterprise_id, credit_class: str, source: str, as_of: dt.date, actor, note: str = ""
) -> CreditClass:
    """Record an enterprise's credit-risk class (信用风险分类) as of a date; the latest date is the current one."""
    require_perm(actor, "risk.add_creditclass", system_allowed=True)
    if credit_class not in CreditGrade.values:
        raise ValidationFailed("信用风险分类须为 A、B、C、D", fields={"credit_class": ["无效"]})
    if not (source or "").strip():
        raise ValidationFailed("请填写来源", fields={"source": ["必填"]})
    if as_of > timezone.localdate():
        raise ValidationFailed("分类日期不能晚于今天", fields={"as_of": ["不能晚于今天"]})
    enterprise = _enterprise_get(actor, enterprise_id)
    row = CreditClass.objects.create(
        enterprise=enterprise,
        credit_class=credit_class,
        source=source.strip()[:100],
        as_of=as_of,
        note=note[:200],
        recorded_by=_actor_or_none(actor),
    )
    audit_record("risk.credit.set", obj=row, actor=actor, changes={"new": model_snapshot(row)})
    return row


# ---------------------------------------------------------------------------- manual override (two people)
@transaction.atomic
def override_propose(*, enterprise_id, to_grade: str, reason: str, actor) -> GradeOverride:
    require_perm(actor, "risk.add_gradeoverride", system_allowed=True)
    if to_grade not in GRADES:
        raise ValidationFailed("等级须为 A、B、C、D", fields={"to_grade": ["无效"]})
    if len((reason or "").strip()) < 5:
        raise ValidationFailed("请写明调整理由（不少于 5 个字）", fields={"reason": ["理由过短"]})
    enterprise = _enterprise_get(actor, enterprise_id, lock=True)
    current = RiskAssessment.objects.filter(enterprise=enterprise, is_current=True).first()
    if current is None:
        raise Conflict("该企业尚未评定风险等级，不能人工调整")
    if current.grade == to_grade:
        raise ValidationFailed("调整后的等级与当前等级相同", fields={"to_grade": ["与当前等级相同"]})
    if GradeOverride.objects.filter(enterprise=enterprise, status=OverrideStatus.PROPOSED).exists():
        raise Conflict("该企业已有待审批的等级调整")
    override = GradeOverride.objects.create(
        enterprise=enterprise,
        base_assessment=current,
        from_grade=current.grade,
        to_grade=to_grade,
        reason=reason.strip(),
        proposed_by=actor,
    )
    audit_record(
        "risk.override.propose",
        obj=override,
        actor=actor,
        changes={"grade": [current.grade, to_grade]},
        extra={"reason": override.reason, "base_assessment": current.pk},
    )
    return override


def _override_locked(actor, override_id) -> GradeOverride:
    try:
        return (
            GradeOverride.objects.visible_to(actor)
            .select_for_update(no_key=True, of=("self",))
            .select_related("base_assessment", "base_assessment__scheme", "enterprise")
            .get(pk=override_id)
        )
    except (GradeOverride.DoesNotExist, ValueError, TypeError):
        raise OutOfScope() from None


@transaction.atomic
def override_approve(*, override_id, actor, note: str = "") -> RiskAssessment:
    """Second person approves: a new assessment (kind override) with the same scores and the proposed grade."""
    require_perm(actor, "risk.approve_gradeoverride", system_allowed=True)
    override = _override_locked(actor, override_id)
    if override.status != OverrideStatus.PROPOSED:
        raise Conflict("该申请已处理")
    if override.proposed_by_id == actor.pk:
        raise DomainError("提出人不能审批自己的调整申请", code="same_person")
    enterprise = _enterprise_get(actor, override.enterprise_id, lock=True)
    base = override.base_assessment
    current = RiskAssessment.objects.filter(enterprise=enterprise, is_current=True).first()
    if current is None or current.pk != base.pk:
        raise Conflict("提出申请后该企业已重新评定，请驳回后重新提出")
    today = timezone.localdate()
    inputs = {
        **base.inputs,
        "override": {"id": override.pk, "to_grade": override.to_grade, "base_assessment": base.pk},
    }
    override.status = OverrideStatus.APPROVED
    override.decided_by = actor
    override.decided_at = timezone.now()
    override.decision_note = (note or "")[:500]
    override.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "updated_at"])
    audit_record(
        "risk.override.approve",
        obj=override,
        actor=actor,
        changes={"status": [OverrideStatus.PROPOSED, OverrideStatus.APPROVED]},
        extra={"note": override.decision_note, "proposed_by": override.proposed_by_id},
    )
    return _assessment_store(
        enterprise=enterprise,
        scheme=base.scheme,
        rules=engine.rules_load(base.scheme),
        inputs=inputs,
        kind=AssessmentKind.OVERRIDE,
        on=max(today, base.assessed_on),
        year=base.year,
        actor=actor,
        override=override,
    )


@transaction.atomic
def override_reject(*, override_id, actor, note: str) -> GradeOverride:
    require_perm(actor, "risk.approve_gradeoverride", system_allowed=True)
    if not (note or "").strip():
        raise ValidationFailed("请填写驳回理由", fields={"note": ["必填"]})
    override = _override_locked(actor, override_id)
    if override.status != OverrideStatus.PROPOSED:
        raise Conflict("该申请已处理")
    if override.proposed_by_id == actor.pk:
        raise DomainError("提出人不能审批自己的调整申请", code="same_person")
    override.status = OverrideStatus.REJECTED
    override.decided_by = actor
    override.decided_at = timezone.now()
    override.decision_note = note.strip()[:500]
    override.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "updated_at"])
    audit_record(
        "risk.override.reject",
        obj=override,
        actor=actor,
        changes={"status": [OverrideStatus.PROPOSED, OverrideStatus.REJECTED]},
        extra={"note": override.decision_note},
    )
    return override


# ---------------------------------------------------------------------------- yearly regrade (set-based)
def _latest_by_enterprise(rows: Iterable[dict]) -> dict[int, dict]:
    """Rows ordered ascending by date/id: the last one per enterprise wins."""
    out = {}
    for row in rows:
        out[row["enterprise_id"]] = row
    return out


def regrade_chunk(ids: list[int], *, year: int, rules_by_sector: dict[str, engine.Rules], actor=None) -> Counter:
    """Grade one chunk of enterprises for ``year``: 8 queries + the bulk insert, whatever the chunk size.

    ``ids`` are ascending; related rows are read by id range (cheaper than 2,000-value IN lists) and filtered here.
    """
    on = dt.date(year, 1, 1)
    counts: Counter = Counter()
    lo, hi = ids[0], ids[-1]
    in_range = {"enterprise_id__gte": lo, "enterprise_id__lte": hi}
    existing = set(
        RiskAssessment.objects.filter(**in_range, year=year, kind=AssessmentKind.YEARLY).values_list(
            "enterprise_id", flat=True
        )
    )
    todo = {i for i in ids if i not in existing}
    counts["unchanged"] += len(set(ids) & existing)
    if not todo:
        return counts
    ents = [
        e
        for e in Enterprise.objects.filter(pk__gte=lo, pk__lte=hi).order_by("pk").values(*ENTERPRISE_VALUES)
        if e["id"] in todo
    ]
    cats: dict[int, list[str]] = {}
    for eid, code in Enterprise.food_categories.through.objects.filter(**in_range).values_list(
        "enterprise_id", "foodcategory__code"
    ):
        cats.setdefault(eid, []).append(code)
    evals = _latest_by_enterprise(
        DynamicEvaluation.objects.filter(**in_range, evaluated_on__lt=on)
        .order_by("enterprise_id", "evaluated_on", "id")
        .values(*EVALUATION_VALUES)
    )
    credits = _latest_by_enterprise(
        CreditClass.objects.filter(**in_range, as_of__lte=on)
        .order_by("enterprise_id", "as_of", "id")
        .values(*CREDIT_VALUES)
    )
    max_window = max(r.max_window_years for r in rules_by_sector.values())
    events: dict[int, list[dict]] = {}
    for ev in RiskEvent.objects.filter(
        **in_range, is_void=False, occurred_on__gte=dt.date(year - max_window, 1, 1), occurred_on__lt=on
    ).values(*EVENT_VALUES):
        events.setdefault(ev["enterprise_id"], []).append(event_snapshot(ev))
    current = dict(
        RiskAssessment.objects.filter(**in_range, is_current=True).values_list("enterprise_id", "assessed_on")
    )
    rows, flip = [], []
    grade_counts: Counter = Counter()
    for ent in ents:
        rules = rules_by_sector.get(ent["business_type__sector"])
        if rules is None:
            counts["no_scheme"] += 1
            continue
        eid = ent["id"]
        inputs = inputs_make(
            year=year,
            on=on,
            enterprise=enterprise_snapshot(ent, cats.get(eid, ())),
            dynamic=evaluation_snapshot(evals.get(eid)),
            credit=credit_snapshot(credits.get(eid)),
            events=[e for e in events.get(eid, ()) if e["date"] >= f"{year - rules.max_window_years}-01-01"],
        )
        try:
            result = engine.compute(rules, inputs)
        except engine.SchemeNotApplicable:
            counts["no_scheme"] += 1
            continue
        becomes_current = eid not in current or current[eid] <= on
        if becomes_current and eid in current:
            flip.append(eid)
        rows.append(
            RiskAssessment(
                enterprise_id=eid,
                scheme_id=rules.scheme_id,
                year=year,
                kind=AssessmentKind.YEARLY,
                assessed_on=on,
                inputs=inputs,
                is_current=becomes_current,
                created_by=_actor_or_none(actor),
                **_result_fields(result),
            )
        )
        grade_counts[result["grade"]] += 1
    if flip:
        RiskAssessment.objects.filter(enterprise_id__in=flip, is_current=True).update(
            is_current=False, updated_at=timezone.now()
        )
    RiskAssessment.objects.bulk_create(rows, batch_size=1000)
    counts["created"] += len(rows)
    for g, n in grade_counts.items():
        counts[f"grade_{g}"] += n
    if rows:
        audit_record(
            "risk.regrade.chunk",
            object_type="risk.riskassessment",
            actor=actor,
            extra={
                "year": year,
                "created": len(rows),
                "first_enterprise": rows[0].enterprise_id,
                "last_enterprise": rows[-1].enterprise_id,
                "grades": dict(sorted(grade_counts.items())),
            },
        )
    return counts


def regrade_year(
    *, year: int, actor=None, progress: Callable[[int, str], None] | None = None, chunk_size: int = REGRADE_CHUNK
) -> dict:
    """Yearly regrade of every operating enterprise for ``year`` (the scheme in force on 1 January; events of the
    previous years as the scheme's rules say). Chunked: one transaction per chunk. Idempotent: an enterprise that
    already has its yearly grade for ``year`` is left alone."""
    on = dt.date(year, 1, 1)
    if on > timezone.localdate():
        raise DomainError(f"{year} 年尚未开始，不能提前评定（等级自当年 1 月 1 日起适用）", code="future_year")
    schemes = schemes_in_force(on=on)
    if not schemes:
        raise DomainError(f"{on} 没有生效的风险分级方案", code="no_scheme")
    rules_cache: dict[int, engine.Rules] = {}
    rules_by_sector = {}
    for sector, scheme in schemes.items():
        if scheme.pk not in rules_cache:
            rules_cache[scheme.pk] = engine.rules_load(scheme)
        rules_by_sector[sector] = rules_cache[scheme.pk]
    ids = list(Enterprise.objects.filter(status=EnterpriseStatus.OPERATING).order_by("pk").values_list("pk", flat=True))
    total = len(ids)
    counts: Counter = Counter()
    for start in range(0, total, chunk_size):
        chunk = ids[start : start + chunk_size]
        with transaction.atomic():
            counts.update(regrade_chunk(chunk, year=year, rules_by_sector=rules_by_sector, actor=actor))
        if progress:
            done = min(start + chunk_size, total)
            progress(int(done * 100 / total) if total else 100, f"已处理 {done}/{total} 家")
    coverage.coverage_refresh(ids)  # new grades → new frequencies (chunks of its own, not of the regrade)
    result = {"year": year, "enterprises": total, **{k: counts[k] for k in sorted(counts)}}
    result.setdefault("created", 0)
    result.setdefault("unchanged", 0)
    audit_record("risk.regrade", object_type="risk.riskassessment", actor=actor, extra=result)
    return result


@transaction.atomic
def regrade_start(*, year: int, actor) -> Job:
    """On demand (overview page button): a job the page can follow. A pending/running one for the year is reused."""
    require_perm(actor, "risk.run_regrade", system_allowed=True)
    if not 2000 <= int(year) <= timezone.localdate().year:
        raise ValidationFailed("评定年度无效（不能晚于今年）", fields={"year": ["不能晚于今年"]})
    running = (
        Job.objects.filter(kind="risk.regrade", status__in=[JobStatus.PENDING, JobStatus.RUNNING], payload__year=year)
        .order_by("-created_at")
        .first()
    )
    if running:
        return running
    return job_create(kind="risk.regrade", payload={"year": int(year)}, actor=actor, title=f"{year} 年度风险等级评定")
