"""Writes of sampling/plans (STYLE.md §3.3): each atomic, permission-checked, scoped and audited once.

* quota rates per year (``quota_rate_create`` / ``quota_rate_update``) and the default configuration rows
  (``config_defaults_ensure``);
* plans: ``plan_create`` (a hand-made plan), ``plan_generate`` (a draft's lines from the quota split, origin
  "按配额分解"; regenerating replaces only those lines), ``plan_approve`` (下达: draft → approved) and
  ``plan_close`` (approved → closed), following ``PLAN_TRANSITIONS``;
* plan lines: ``line_create`` / ``line_update`` / ``line_delete``. A draft's lines are edited freely. Once a plan is
  issued its lines are what the townships and the API work from: they are never deleted, only added by the other
  sources of 三位一体 (accepted suggestions, vote topics, consultation decisions: ``origin`` says which) or changed
  by a consultation decision (``origin_ref`` names it). A closed plan changes no more;
* ``quota_report_request`` — the on-demand quota report (job ``sampling.quota_report``).

Bad input is a ``ValidationFailed`` naming the field in Chinese (→ 400 / the message beside the form) and nothing
is written; a township the actor does not see is such an error on ``township`` (it is not told apart from one that
does not exist).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from apps.accounts.models import Township
from apps.common.audit import audit_record, diff, model_snapshot
from apps.common.exceptions import Conflict, InvalidTransition, OutOfScope, ValidationFailed
from apps.common.jobs import job_create
from apps.common.models import Job, JobStatus
from apps.common.permissions import require_perm
from apps.common.scoping import user_sees_all_townships
from apps.enterprises.models import BusinessType, Enterprise
from apps.standards.models import SamplingCategory

from ..choices import LineOrigin, LineSource, PlanStatus, SamplingPurpose
from ..models import PlanLine, QuotaRate, SamplingDeadlines, SamplingPlan, SuggestionWeights
from . import defaults, quotas

RATE_BOUNDS = (Decimal("0"), Decimal("100"))
BATCH_BOUNDS = (1, 100_000)
YEAR_BOUNDS = (2000, 2100)
ISSUED_ORIGINS = (LineOrigin.SUGGESTION, LineOrigin.VOTE, LineOrigin.CONSULTATION)
QUOTA_REPORT_KIND = "sampling.quota_report"
PLAN_NAMES = {
    SamplingPurpose.SUPERVISORY: "{year}年食品安全监督抽检计划",
    SamplingPurpose.MONITORING: "{year}年食品安全风险监测计划",
    SamplingPurpose.EVALUATIVE: "{year}年食品安全评价性抽检计划",
}


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, fields={field: [message]})


def _actor_or_none(actor):
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def _int(value, field: str, label: str, low: int, high: int) -> int:
    try:
        if isinstance(value, bool) or value is None or value == "":
            raise ValueError
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise _invalid(field, f"{label}应为整数") from None
    if not low <= number <= high:
        raise _invalid(field, f"{label}应在 {low}–{high} 之间")
    return number


def _year(value) -> int:
    return _int(value, "year", "年度", *YEAR_BOUNDS)


# ------------------------------------------------------------------------------------------------ configuration
@transaction.atomic
def config_defaults_ensure(*, years=None, actor=None) -> dict:
    """The default QuotaRate rows of ``years`` (default: this year and next) and the default weights and deadlines,
    where missing; never overwrites. Idempotent (the data migration does the same for a new database)."""
    require_perm(actor, "sampling.add_quotarate", system_allowed=True)
    from types import SimpleNamespace

    models = SimpleNamespace(
        QuotaRate=QuotaRate, SuggestionWeights=SuggestionWeights, SamplingDeadlines=SamplingDeadlines
    )
    created = defaults.defaults_load(models, years or defaults.default_years(timezone.localdate()))
    if created["quota_rates"] or created["suggestion_weights"] or created["deadlines"]:
        audit_record("sampling.config_defaults_load", object_type="sampling.quotarate", actor=actor, extra=created)
    return created


def _rate_values(data: dict, *, year: int) -> dict:
    """Validated rate fields (Chinese errors naming the field). Shares are whole per cent and sum to 100."""
    out = {}
    for name, label in (("food_rate", "食品抽检（批次/千人）"), ("monitoring_rate", "风险监测（批次/千人）")):
        raw = data.get(name)
        try:
            if isinstance(raw, bool) or raw is None or str(raw).strip() == "":
                raise InvalidOperation
            value = Decimal(str(raw).strip())
            if not value.is_finite():
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            raise _invalid(name, f"{label}应为数字") from None
        if not RATE_BOUNDS[0] <= value <= RATE_BOUNDS[1]:
            raise _invalid(name, f"{label}应在 0–100 之间")
        if value != value.quantize(Decimal("0.01")):
            raise _invalid(name, f"{label}最多两位小数")
        out[name] = value.quantize(Decimal("0.01"))
    for name, label in (
        ("routine_share", "自评抽检占比"),
        ("targeted_share", "靶向抽检占比"),
        ("vote_share", "你点我检占比"),
    ):
        out[name] = _int(data.get(name), name, label, 0, 100)
    if out["routine_share"] + out["targeted_share"] + out["vote_share"] != 100:
        raise ValidationFailed(
            "三项来源占比之和应为 100%",
            fields={"routine_share": ["三项来源占比之和应为 100%"]},
        )
    effective = data.get("effective_from") or dt.date(year, 1, 1)
    if isinstance(effective, str):
        try:
            effective = dt.date.fromisoformat(effective)
        except ValueError:
            raise _invalid("effective_from", "生效日期格式应为 YYYY-MM-DD") from None
    if not isinstance(effective, dt.date) or effective > dt.date(year, 12, 31) or effective.year < year - 1:
        raise _invalid("effective_from", f"生效日期应在 {year - 1} 年 1 月 1 日至 {year} 年 12 月 31 日之间")
    out["effective_from"] = effective
    note = str(data.get("note") or "").strip()
    if len(note) > 200:
        raise _invalid("note", "依据/说明不能超过 200 个字")
    out["note"] = note
    return out


@transaction.atomic
def quota_rate_create(*, actor, year, **data) -> QuotaRate:
    """A year's rates (批次/千人) and source shares; one row per year."""
    require_perm(actor, "sampling.add_quotarate")
    year = _year(year)
    values = _rate_values(data, year=year)
    if QuotaRate.objects.select_for_update().filter(year=year).exists():
        raise ValidationFailed(f"{year} 年已有配额标准，请修改该年度的记录", fields={"year": ["该年度已有配额标准"]})
    rate = QuotaRate.objects.create(year=year, **values)
    audit_record("sampling.quota_rate_create", obj=rate, actor=actor, changes={"after": model_snapshot(rate)})
    return rate


@transaction.atomic
def quota_rate_update(*, actor, rate_id, **data) -> QuotaRate:
    require_perm(actor, "sampling.change_quotarate")
    try:
        rate = QuotaRate.objects.select_for_update().get(pk=rate_id)
    except (QuotaRate.DoesNotExist, ValueError, TypeError):
        raise OutOfScope() from None
    before = model_snapshot(rate)
    for name, value in _rate_values(data, year=rate.year).items():
        setattr(rate, name, value)
    rate.save()
    changes = diff(before, model_snapshot(rate))
    changes.pop("updated_at", None)
    audit_record("sampling.quota_rate_update", obj=rate, actor=actor, changes=changes)
    return rate


# ------------------------------------------------------------------------------------------------ plans
def _plan_locked(plan_id) -> SamplingPlan:
    try:
        return SamplingPlan.objects.select_for_update().get(pk=plan_id)
    except (SamplingPlan.DoesNotExist, ValueError, TypeError):
        raise OutOfScope() from None


def _purpose(value) -> str:
    if value not in SamplingPurpose.values:
        raise _invalid("purpose", "任务类别无效（监督抽检、风险监测或评价性抽检）")
    return value


@transaction.atomic
def plan_create(*, actor, year, purpose, name="", note="") -> SamplingPlan:
    """A draft plan made by hand (lines added one by one); the name defaults to the year's standard name."""
    require_perm(actor, "sampling.add_samplingplan")
    year, purpose = _year(year), _purpose(purpose)
    name = (name or PLAN_NAMES[purpose].format(year=year)).strip()
    if len(name) > 120:
        raise _invalid("name", "计划名称不能超过 120 个字")
    if SamplingPlan.objects.filter(year=year, name=name).exists():
        raise _invalid("name", f"{year} 年已有同名计划")
    plan = SamplingPlan.objects.create(
        year=year, name=name, purpose=purpose, note=str(note or "")[:2000], created_by=_actor_or_none(actor)
    )
    audit_record("sampling.plan_create", obj=plan, actor=actor, changes={"after": model_snapshot(plan)})
    return plan


def generation_inputs(*, year: int, purpose: str, weighting: str) -> dict:
    """What plan generation splits: the rates, every active township's quota, the active 大类 and their weights.
    Shared by the preview page and the service (so they agree). Problems are listed, not raised."""
    from .selectors import Catalogue

    problems = []
    if weighting not in quotas.WEIGHTINGS:
        raise _invalid("weighting", "分解方式无效（hazard 或 even）")
    table = quotas.township_quotas(
        actor=None, year=year, townships=Township.objects.filter(is_active=True).order_by("order", "id")
    )
    if table.rates.row is None:
        problems.append(f"尚未设定 {year} 年（及以前年度）的配额标准，请先在“配额标准”中设定。")
    roots = Catalogue.load().roots
    if not roots:
        problems.append("抽检食品分类中没有启用的大类，无法按品类分解。")
    weights = quotas.category_weights(roots, weighting)
    kind = "monitoring" if purpose == SamplingPurpose.MONITORING else "food"
    rows = []
    for r in table.rows:
        total = r.monitoring if kind == "monitoring" else r.food
        split = {}
        if total is not None and weights:
            split = quotas.quota_split(
                total, shares=None if kind == "monitoring" else table.rates.shares, weights=weights
            )
        by_source = {}
        for (source, _, _), n in split.items():
            by_source[source] = by_source.get(source, 0) + n
        rows.append({"quota": r, "total": total, "split": split, "lines": len(split), "by_source": by_source})
    missing = [r.township.name for r in table.rows if r.population is None]
    if missing:
        problems.append(f"以下镇街缺少 {year} 年及以前的常住人口，将不生成明细：{'、'.join(missing)}。")
    return {
        "year": year,
        "purpose": purpose,
        "kind": kind,
        "weighting": weighting,
        "table": table,
        "categories": roots,
        "weights": weights,
        "rows": rows,
        "problems": problems,
        "blocking": table.rates.row is None or not roots,
    }


@transaction.atomic
def plan_generate(
    *, actor, year, purpose=SamplingPurpose.SUPERVISORY, weighting=quotas.DEFAULT_WEIGHTING
) -> SamplingPlan:
    """The year's draft plan for ``purpose`` with lines from the quota split (origin "按配额分解"): per township ×
    source × 大类 × month. Food sampling (监督抽检, 评价性抽检) splits the food quota by the year's source shares;
    risk monitoring splits the monitoring quota (one source). Regenerating a draft replaces its quota lines and keeps
    the others; an issued plan is refused. ``actor=None`` is the system (the demo seed)."""
    require_perm(actor, "sampling.add_samplingplan", system_allowed=True)
    require_perm(actor, "sampling.add_planline", system_allowed=True)
    year, purpose = _year(year), _purpose(purpose)
    inputs = generation_inputs(year=year, purpose=purpose, weighting=weighting)
    if inputs["blocking"]:
        raise ValidationFailed(inputs["problems"][0], fields={"year": inputs["problems"][:1]})
    name = PLAN_NAMES[purpose].format(year=year)
    plan = SamplingPlan.objects.select_for_update().filter(year=year, name=name).first()
    created = plan is None
    if created:
        plan = SamplingPlan.objects.create(year=year, name=name, purpose=purpose, created_by=_actor_or_none(actor))
    elif not plan.can_transition_to(PlanStatus.APPROVED):
        raise InvalidTransition(f"“{plan.name}”已{plan.get_status_display()}，不能重新分解")
    elif plan.purpose != purpose:
        raise Conflict(f"“{plan.name}”的任务类别不是{SamplingPurpose(purpose).label}")
    replaced = PlanLine.objects.filter(plan=plan, origin=LineOrigin.QUOTA).delete()[0]
    lines = []
    for row in inputs["rows"]:
        township = row["quota"].township
        for (source, category_id, month), n in row["split"].items():
            lines.append(
                PlanLine(
                    plan=plan,
                    township=township,
                    category_id=category_id,
                    month=month,
                    source=source,
                    batches=n,
                    origin=LineOrigin.QUOTA,
                    origin_ref=f"quota-rate:{inputs['table'].rates.row.pk}",
                )
            )
    PlanLine.objects.bulk_create(lines, batch_size=1000)
    rates = inputs["table"].rates
    estimate = "（人口为估算值）" if inputs["table"].any_estimate else ""
    plan.note = (
        f"按配额分解：{quotas.WEIGHTINGS[weighting]}；"
        f"{'沿用 ' + str(rates.carried_from) + ' 年' if rates.carried_from else str(year) + ' 年'}配额标准"
        f"{estimate}。"
    )
    plan.save(update_fields=["note", "updated_at"])
    batches = sum(line.batches for line in lines)
    audit_record(
        "sampling.plan_generate",
        obj=plan,
        actor=actor,
        extra={
            "year": year,
            "purpose": purpose,
            "weighting": weighting,
            "quota_rate": rates.row.pk,
            "carried_from": rates.carried_from,
            "lines": len(lines),
            "batches": batches,
            "replaced_lines": replaced,
            "created": created,
        },
    )
    return plan


def approve_preview(*, plan: SamplingPlan) -> dict:
    """What approving will issue: lines and batches per township against each township's quota (city-wide)."""
    kind = "monitoring" if plan.purpose == SamplingPurpose.MONITORING else "food"
    table = quotas.township_quotas(
        actor=None, year=plan.year, townships=Township.objects.filter(is_active=True).order_by("order", "id")
    )
    from django.db.models import Count, Sum

    sums = {
        r["township_id"]: r
        for r in PlanLine.objects.filter(plan=plan)
        .values("township_id")
        .annotate(lines=Count("id"), batches=Sum("batches"))
        .order_by()
    }
    rows, short = [], []
    for q in table.rows:
        s = sums.get(q.township.pk, {"lines": 0, "batches": 0})
        target = q.monitoring if kind == "monitoring" else q.food
        rows.append({"quota": q, "target": target, "lines": s["lines"], "batches": s["batches"] or 0})
        if target is not None and (s["batches"] or 0) < target and plan.purpose != SamplingPurpose.EVALUATIVE:
            short.append(f"{q.township.name}（计划 {s['batches'] or 0} 批，配额 {target} 批）")
    total_lines = sum(r["lines"] for r in rows)
    blockers = []
    if not plan.can_transition_to(PlanStatus.APPROVED):
        blockers.append(f"计划已{plan.get_status_display()}，不能再下达。")
    if total_lines == 0:
        blockers.append("计划还没有明细，请先按配额分解或添加明细。")
    return {
        "kind": kind,
        "table": table,
        "rows": rows,
        "lines": total_lines,
        "batches": sum(r["batches"] for r in rows),
        "short": short,
        "blockers": blockers,
    }


def _touch_lines(plan: SamplingPlan, now) -> int:
    """The lines' ``updated_at`` follows the plan's status, so a change-feed subscriber sees them issued/closed."""
    return PlanLine.objects.filter(plan=plan).update(updated_at=now)


@transaction.atomic
def plan_approve(*, actor, plan_id, version_at=None) -> SamplingPlan:
    """下达: draft → approved (permission ``sampling.approve_samplingplan``; ``None``: the demo seed). Needs a line."""
    require_perm(actor, "sampling.approve_samplingplan", system_allowed=True)
    plan = _plan_locked(plan_id)
    if not plan.can_transition_to(PlanStatus.APPROVED):
        raise InvalidTransition(f"计划已{plan.get_status_display()}，不能下达")
    if version_at is not None and plan.updated_at.isoformat() != str(version_at):
        raise Conflict("计划在预览后已被修改，请重新核对后再下达")
    preview = approve_preview(plan=plan)
    if preview["lines"] == 0:
        raise ValidationFailed("计划还没有明细，不能下达", fields={"lines": ["计划还没有明细"]})
    now = timezone.now()
    plan.status, plan.approved_at = PlanStatus.APPROVED, now
    plan.save(update_fields=["status", "approved_at", "updated_at"])
    _touch_lines(plan, now)
    audit_record(
        "sampling.plan_approve",
        obj=plan,
        actor=actor,
        changes={"status": [PlanStatus.DRAFT, PlanStatus.APPROVED]},
        extra={"lines": preview["lines"], "batches": preview["batches"], "below_quota": preview["short"]},
    )
    return plan


@transaction.atomic
def plan_close(*, actor, plan_id) -> SamplingPlan:
    """结束: approved → closed (the year is over); its lines change no more."""
    require_perm(actor, "sampling.change_samplingplan")
    plan = _plan_locked(plan_id)
    if not plan.can_transition_to(PlanStatus.CLOSED):
        raise InvalidTransition(f"计划{plan.get_status_display()}，不能结束")
    previous = plan.status
    plan.status = PlanStatus.CLOSED
    plan.save(update_fields=["status", "updated_at"])
    _touch_lines(plan, plan.updated_at)
    audit_record("sampling.plan_close", obj=plan, actor=actor, changes={"status": [previous, PlanStatus.CLOSED]})
    return plan


# ------------------------------------------------------------------------------------------------ lines
LINE_FIELDS = ("township", "category", "month", "source", "batches", "enterprise", "business_type", "note")


def _township(actor, value) -> Township:
    try:
        township = Township.objects.get(pk=int(value), is_active=True)
    except (Township.DoesNotExist, ValueError, TypeError):
        raise _invalid("township", "镇街不存在或不在您的管辖范围内") from None
    if actor is not None and not user_sees_all_townships(actor) and township.pk not in actor.township_ids():
        raise _invalid("township", "镇街不存在或不在您的管辖范围内")
    return township


def _category(value) -> SamplingCategory:
    try:
        return SamplingCategory.objects.get(pk=int(value), is_active=True)
    except (SamplingCategory.DoesNotExist, ValueError, TypeError):
        raise _invalid("category", "抽检分类不存在或已停用") from None


def _enterprise(actor, value, township) -> Enterprise | None:
    if value in (None, ""):
        return None
    qs = Enterprise.objects.all() if actor is None else Enterprise.objects.visible_to(actor)
    try:
        enterprise = qs.get(pk=int(value))
    except (Enterprise.DoesNotExist, ValueError, TypeError):
        raise _invalid("enterprise", "指定对象不存在或不在您的管辖范围内") from None
    if enterprise.township_id != township.pk:
        raise _invalid("enterprise", f"指定对象不在{township.name}")
    return enterprise


def _business_type(value) -> BusinessType | None:
    if value in (None, ""):
        return None
    try:
        return BusinessType.objects.get(pk=int(value))
    except (BusinessType.DoesNotExist, ValueError, TypeError):
        raise _invalid("business_type", "业态不存在") from None


def _line_values(actor, data: dict, *, current: PlanLine | None = None) -> dict:
    """Validated line fields from ``data`` (on an update, missing keys keep ``current``'s values)."""

    def get(name):
        if name in data:
            return data[name]
        if current is None:
            return None
        return getattr(
            current, f"{name}_id" if name in ("township", "category", "enterprise", "business_type") else name
        )

    out = {}
    out["township"] = _township(actor, get("township"))
    out["category"] = _category(get("category"))
    out["month"] = _int(get("month"), "month", "月份", 1, 12)
    source = get("source") or LineSource.ROUTINE
    if source not in LineSource.values:
        raise _invalid("source", "来源无效（自评抽检、靶向抽检或你点我检）")
    out["source"] = source
    out["batches"] = _int(get("batches"), "batches", "批次", *BATCH_BOUNDS)
    out["enterprise"] = _enterprise(actor, get("enterprise"), out["township"])
    out["business_type"] = _business_type(get("business_type"))
    note = str(get("note") or "").strip()
    if len(note) > 200:
        raise _invalid("note", "备注不能超过 200 个字")
    out["note"] = note
    return out


def _writable(plan: SamplingPlan, *, origin: str, origin_ref: str, adding: bool) -> None:
    if plan.status == PlanStatus.DRAFT:
        return
    if plan.status == PlanStatus.CLOSED:
        raise InvalidTransition("计划已结束，明细不能再修改")
    # issued: only the other sources of 三位一体 add lines; only a consultation decision changes one
    if adding and origin in ISSUED_ORIGINS:
        return
    if not adding and origin == LineOrigin.CONSULTATION and origin_ref:
        return
    raise InvalidTransition("计划已下达，明细只能由靶向建议、你点我检或风险会商决定增加或调整")


@transaction.atomic
def line_create(*, actor, plan_id, origin=LineOrigin.MANUAL, origin_ref: str = "", reasons=None, **data) -> PlanLine:
    require_perm(actor, "sampling.add_planline", system_allowed=True)
    unknown = set(data) - set(LINE_FIELDS)
    if unknown:
        name = sorted(unknown)[0]
        raise _invalid(name, "不支持的字段")
    plan = _plan_locked(plan_id)
    if origin not in LineOrigin.values:
        raise _invalid("origin", "编制依据无效")
    _writable(plan, origin=origin, origin_ref=origin_ref, adding=True)
    values = _line_values(actor, data)
    line = PlanLine.objects.create(
        plan=plan, origin=origin, origin_ref=str(origin_ref or "")[:40], reasons=reasons or [], **values
    )
    audit_record("sampling.line_create", obj=line, actor=actor, changes={"after": model_snapshot(line)})
    return line


def _line_locked(actor, line_id) -> PlanLine:
    qs = PlanLine.objects.all() if actor is None else PlanLine.objects.visible_to(actor)
    try:
        return qs.select_for_update().select_related("plan").get(pk=line_id)
    except (PlanLine.DoesNotExist, ValueError, TypeError):
        raise OutOfScope() from None


@transaction.atomic
def line_update(*, actor, line_id, origin_ref: str = "", **data) -> PlanLine:
    """Change a line (a draft's; or an issued plan's by a consultation decision: ``origin_ref`` names it)."""
    require_perm(actor, "sampling.change_planline", system_allowed=True)
    unknown = set(data) - set(LINE_FIELDS)
    if unknown:
        raise _invalid(sorted(unknown)[0], "不支持的字段")
    line = _line_locked(actor, line_id)
    plan = SamplingPlan.objects.select_for_update().get(pk=line.plan_id)
    origin = LineOrigin.CONSULTATION if origin_ref else line.origin
    _writable(plan, origin=origin, origin_ref=origin_ref, adding=False)
    before = model_snapshot(line)
    for name, value in _line_values(actor, data, current=line).items():
        setattr(line, name, value)
    if origin_ref:
        line.origin, line.origin_ref = LineOrigin.CONSULTATION, str(origin_ref)[:40]
    line.save()
    changes = diff(before, model_snapshot(line))
    changes.pop("updated_at", None)
    audit_record("sampling.line_update", obj=line, actor=actor, changes=changes)
    return line


@transaction.atomic
def line_delete(*, actor, line_id) -> None:
    """Delete a draft's line (an issued plan's lines are never deleted: the API's subscribers hold them)."""
    require_perm(actor, "sampling.delete_planline")
    line = _line_locked(actor, line_id)
    plan = SamplingPlan.objects.select_for_update().get(pk=line.plan_id)
    if plan.status != PlanStatus.DRAFT:
        raise InvalidTransition("计划已下达，明细不能删除")
    snapshot = model_snapshot(line)
    label = str(line)
    line.delete()
    audit_record(
        "sampling.line_delete",
        object_type="sampling.planline",
        object_id=str(snapshot["id"]),
        object_repr=label,
        actor=actor,
        changes={"before": snapshot},
    )


# ------------------------------------------------------------------------------------------------ the quota report
@transaction.atomic
def quota_report_request(*, actor, year) -> Job:
    """The quota report on demand (permission ``sampling.run_quota_report``): a job the page follows. A pending or
    running report of the same year by the same person is reused."""
    require_perm(actor, "sampling.run_quota_report")
    year = _year(year)
    running = (
        Job.objects.filter(
            kind=QUOTA_REPORT_KIND,
            status__in=[JobStatus.PENDING, JobStatus.RUNNING],
            payload__year=year,
            created_by=actor,
        )
        .order_by("-created_at")
        .first()
    )
    if running:
        return running
    today = timezone.localdate()
    return job_create(
        kind=QUOTA_REPORT_KIND,
        payload={"year": year, "as_of": min(today, dt.date(year, 12, 31)).isoformat()},
        actor=actor,
        title=f"{year} 年抽检配额报表（截至 {min(today, dt.date(year, 12, 31)):%Y-%m-%d}）",
    )


def monthly_report_create(*, today: dt.date | None = None) -> Job:
    """Beat, the 1st of each month: the report of the year to the end of last month (on 1 January: last year's
    whole year); one job per month even if beat fires twice. The system acts (all townships)."""
    today = today or timezone.localdate()
    as_of = today.replace(day=1) - dt.timedelta(days=1)
    return job_create(
        kind=QUOTA_REPORT_KIND,
        payload={"year": as_of.year, "as_of": as_of.isoformat(), "monthly": True},
        title=f"{as_of.year} 年抽检配额月报（截至 {as_of:%Y-%m-%d}，定时）",
        dedupe_key=f"{QUOTA_REPORT_KIND}:{as_of:%Y-%m}:beat",
    )
