"""All writes of assessment schemes, rounds, manual values, appeals and star ratings (docs/assessment.md).

Each write is one transaction with one audit event (Chinese names in ``contrib.AUDIT_ACTIONS``), the round row
locked (``select_for_update``) so a computation, an appeal decision and the closing of one round are serialised.

Who writes what: 市局业务科室 creates and computes rounds, decides appeals and closes a round (irreversible);
镇街 submits manual values with evidence and files appeals for its own township only; 市领导 reads."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from apps.common import measures as measure_registry
from apps.common import uploads
from apps.common.audit import audit_record
from apps.common.exceptions import Conflict, InvalidTransition, OutOfScope, ValidationFailed
from apps.common.permissions import require_perm
from apps.common.scoping import user_sees_all_townships, user_township_ids
from apps.common.text import clean_text

from ..models.schemes import (
    AppealStatus,
    AssessmentRound,
    AssessmentScheme,
    ManualValue,
    RoundStatus,
    SchemeIndicator,
    ScoreAppeal,
    ScoreItem,
    StarRating,
    TownshipScore,
)
from . import scoring

EVIDENCE_TYPES = (*uploads.IMAGE_TYPES, uploads.PDF)
REASON_MAX = 2000
VALUE_MAX = Decimal("1000000")


def evidence_max_bytes() -> int:
    return int(getattr(settings, "ASSESSMENT_EVIDENCE_MAX_BYTES", 10 * 1024 * 1024))


def _fail(field: str, message: str):
    raise ValidationFailed(message, fields={field: [message]})


def _text(value, field: str, label: str, *, required=True, max_length=REASON_MAX) -> str:
    try:
        text = (clean_text("" if value is None else str(value), multiline=True) or "").strip()
    except Exception:
        _fail(field, f"{label}含有不允许的字符")
    if required and not text:
        _fail(field, f"请填写{label}")
    if len(text) > max_length:
        _fail(field, f"{label}最多 {max_length} 个字")
    return text


def _decimal(value, field: str, label: str, *, low=Decimal(0), high=VALUE_MAX) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        d = Decimal(str(value).strip())
    except Exception:
        _fail(field, f"{label}应为数字")
    if not d.is_finite() or d < low or d > high:
        _fail(field, f"{label}应在 {low} 到 {high} 之间")
    return d.quantize(Decimal("0.0001"))


def _active_townships():
    from apps.accounts.models import Township

    return list(Township.objects.filter(is_active=True).order_by("order", "id"))


def scheme_for_year(year: int) -> AssessmentScheme | None:
    """The version in force at the end of ``year`` (or today, for the current year)."""
    day = min(timezone.localdate(), dt.date(year, 12, 31))
    return AssessmentScheme.objects.in_force(day)


def indicators_of(scheme) -> list[SchemeIndicator]:
    return list(scheme.indicators.order_by("order", "id"))


def _round_for_write(round_id) -> AssessmentRound:
    try:
        return AssessmentRound.objects.select_for_update().select_related("scheme").get(pk=round_id)
    except (AssessmentRound.DoesNotExist, ValueError, TypeError):
        raise OutOfScope() from None


def _refuse_if_closed(rnd: AssessmentRound) -> None:
    if rnd.is_closed:
        raise InvalidTransition(f"{rnd.year} 年度考核已关闭，结果不能再改变")


def _own_township(actor, township_id):
    from apps.accounts.models import Township

    try:
        tid = int(township_id)
    except (TypeError, ValueError):
        _fail("township", "请选择镇街")
    if tid not in user_township_ids(actor):
        raise OutOfScope("只能为本镇街填报或申诉")
    return Township.objects.get(pk=tid)


# ------------------------------------------------------------------------------------------------ rounds
@transaction.atomic
def round_create(*, actor, year) -> AssessmentRound:
    require_perm(actor, "assessment.add_assessmentround")
    try:
        year = int(year)
    except (TypeError, ValueError):
        _fail("year", "请填写考核年度")
    if not 2000 <= year <= timezone.localdate().year:
        _fail("year", f"考核年度应在 2000 到 {timezone.localdate().year} 之间")
    if AssessmentRound.objects.filter(year=year).exists():
        _fail("year", f"{year} 年度考核已经建立")
    scheme = scheme_for_year(year)
    if scheme is None:
        _fail("year", f"{year} 年没有生效的考核方案")
    rnd = AssessmentRound.objects.create(year=year, scheme=scheme, created_by=actor)
    audit_record("assessment.round_create", obj=rnd, actor=actor, extra={"year": year, "scheme": scheme.version})
    return rnd


@transaction.atomic
def round_compute_start(*, actor, round_id):
    """Queue the computation (a job with progress); returns the job."""
    from apps.common.jobs import job_create

    from .job_handlers import COMPUTE_KIND

    require_perm(actor, "assessment.change_assessmentround")
    rnd = _round_for_write(round_id)
    _refuse_if_closed(rnd)
    job = job_create(
        kind=COMPUTE_KIND, payload={"round": rnd.pk}, actor=actor, title=f"计算 {rnd.year} 年度镇街考核得分"
    )
    rnd.compute_job = job.pk
    rnd.save(update_fields=["compute_job", "updated_at"])
    return job


def gather_inputs(actor, rnd: AssessmentRound, indicators, townships, progress=None) -> dict:
    """What a computation reads: every measure indicator's values (``apps.common.measures``, as ``actor`` sees
    them, up to ``as_of``) and the manual values submitted for the round."""
    as_of = min(timezone.localdate(), dt.date(rnd.year, 12, 31))
    ids = [t.pk for t in townships]
    values: dict = {}
    manual = {
        (m.indicator_id, m.township_id): m for m in ManualValue.objects.filter(round=rnd).select_related("indicator")
    }
    for n, ind in enumerate(indicators, start=1):
        per: dict = {}
        if ind.is_manual:
            for tid in ids:
                m = manual.get((ind.pk, tid))
                per[str(tid)] = (
                    {"status": scoring.MISSING, "value": None, "note": "未填报"}
                    if m is None
                    else {
                        "status": scoring.OK,
                        "value": str(m.value),
                        "numerator": str(m.value),
                        "note": f"镇街填报，证据 SHA-256 {m.sha256[:12]}…",
                        "manual_value": m.pk,
                    }
                )
        else:
            m = measure_registry.measure(ind.measure_code)
            if m is None:
                for tid in ids:
                    per[str(tid)] = {
                        "status": scoring.MISSING,
                        "value": None,
                        "note": "该项数据尚未接入平台（度量未登记）",
                    }
            else:
                out = m.run(actor, year=rnd.year, township_ids=ids, as_of=as_of)
                for tid in ids:
                    v = out.get(tid)
                    if v is None:
                        per[str(tid)] = {"status": scoring.MISSING, "value": None, "note": "无数据"}
                        continue
                    entry = v.as_dict()
                    entry["status"] = scoring.OK if v.value is not None else scoring.NO_DATA
                    per[str(tid)] = entry
        values[ind.code] = per
        if progress:
            progress(10 + int(80 * n / max(len(indicators), 1)), f"已读取指标 {n}/{len(indicators)}：{ind.label}")
    return {"as_of": as_of.isoformat(), "townships": ids, "values": values}


def _upheld(rnd):
    return list(ScoreAppeal.objects.filter(round=rnd, status=AppealStatus.UPHELD))


ITEM_FIELDS = (
    "numerator",
    "denominator",
    "computed_value",
    "computed_points",
    "value",
    "points",
    "weighted",
    "url",
    "denominator_url",
    "note",
    "appeal_id",
)


def _write_scores(rnd, results) -> None:
    """Store the results in place (a township's score row and its items keep their ids, so links to a drill-down
    stay valid across recomputations and appeal decisions)."""
    existing = {s.township_id: s for s in TownshipScore.objects.filter(round=rnd)}
    TownshipScore.objects.filter(round=rnd).exclude(township_id__in=list(results)).delete()
    new, changed = [], []
    for r in results.values():
        s = existing.get(r.township_id)
        if s is None:
            new.append(TownshipScore(round=rnd, township_id=r.township_id, total=r.total, rank=r.rank, stars=r.stars))
        else:
            s.total, s.rank, s.stars = r.total, r.rank, r.stars
            changed.append(s)
    TownshipScore.objects.bulk_create(new)
    TownshipScore.objects.bulk_update(changed, ["total", "rank", "stars"])
    by_tid = {s.township_id: s for s in TownshipScore.objects.filter(round=rnd)}
    items = {(i.score_id, i.indicator_id): i for i in ScoreItem.objects.filter(score__round=rnd)}
    new_items, changed_items = [], []
    for r in results.values():
        sc = by_tid[r.township_id]
        for i in r.items:
            values = {
                "numerator": i.numerator,
                "denominator": i.denominator,
                "computed_value": i.computed_value,
                "computed_points": i.computed_points,
                "value": i.value,
                "points": i.points,
                "weighted": i.weighted,
                "url": i.url[:500],
                "denominator_url": i.denominator_url[:500],
                "note": i.note,
                "appeal_id": i.appeal_id,
            }
            row = items.get((sc.pk, i.indicator_id))
            if row is None:
                new_items.append(ScoreItem(score=sc, indicator_id=i.indicator_id, **values))
            else:
                for k, v in values.items():
                    setattr(row, k, v)
                changed_items.append(row)
    ScoreItem.objects.bulk_create(new_items)
    ScoreItem.objects.bulk_update(changed_items, list(ITEM_FIELDS), batch_size=500)


@transaction.atomic
def round_compute(*, actor, round_id, progress=None) -> dict:
    """Read the inputs, score every active township, store scores and items (replacing the last computation)."""
    require_perm(actor, "assessment.change_assessmentround")
    rnd = _round_for_write(round_id)
    _refuse_if_closed(rnd)
    indicators = indicators_of(rnd.scheme)
    townships = _active_townships()
    inputs = gather_inputs(actor, rnd, indicators, townships, progress)
    results = scoring.score_round(rnd.scheme, indicators, inputs, _upheld(rnd))
    if progress:
        progress(92, "正在保存得分与排名")
    _write_scores(rnd, results)
    rnd.inputs = inputs
    rnd.as_of = dt.date.fromisoformat(inputs["as_of"])
    rnd.computed_at = timezone.now()
    rnd.save(update_fields=["inputs", "as_of", "computed_at", "updated_at"])
    audit_record(
        "assessment.round_compute",
        obj=rnd,
        actor=actor,
        extra={"year": rnd.year, "townships": len(results), "as_of": inputs["as_of"]},
    )
    return {"townships": len(results), "indicators": len(indicators)}


def _rescore(rnd) -> None:
    indicators = indicators_of(rnd.scheme)
    _write_scores(rnd, scoring.score_round(rnd.scheme, indicators, rnd.inputs, _upheld(rnd)))


def close_blockers(rnd) -> list[str]:
    blockers = []
    if rnd.is_closed:
        blockers.append("本轮考核已关闭")
    if rnd.computed_at is None:
        blockers.append("尚未计算得分")
    pending = ScoreAppeal.objects.filter(round=rnd, status=AppealStatus.PENDING).count()
    if pending:
        blockers.append(f"还有 {pending} 件申诉待裁决")
    return blockers


@transaction.atomic
def round_close(*, actor, round_id) -> AssessmentRound:
    """Close the round (irreversible): the inputs are frozen, the ranking is final, each township gets its star
    rating for the year."""
    require_perm(actor, "assessment.close_assessmentround")
    rnd = _round_for_write(round_id)
    blockers = close_blockers(rnd)
    if blockers:
        raise Conflict("；".join(blockers))
    scores = list(TownshipScore.objects.filter(round=rnd))
    StarRating.objects.bulk_create(
        [
            StarRating(township_id=s.township_id, round=rnd, year=rnd.year, stars=s.stars, total=s.total, rank=s.rank)
            for s in scores
        ]
    )
    rnd.status = RoundStatus.CLOSED
    rnd.closed_at = timezone.now()
    rnd.closed_by = actor
    rnd.save(update_fields=["status", "closed_at", "closed_by", "updated_at"])
    audit_record(
        "assessment.round_close",
        obj=rnd,
        actor=actor,
        extra={"year": rnd.year, "scores": {s.township_id: str(s.total) for s in scores}},
    )
    return rnd


def recompute_differences(rnd) -> list[str]:
    """复核: the round recomputed from its stored inputs, the scheme version and the upheld appeals, compared with
    the stored scores; the differences in Chinese (empty: identical)."""
    indicators = indicators_of(rnd.scheme)
    results = scoring.score_round(rnd.scheme, indicators, rnd.inputs, _upheld(rnd))
    stored = {s.township_id: s for s in TownshipScore.objects.filter(round=rnd).select_related("township")}
    items = {
        (i.score.township_id, i.indicator_id): i
        for i in ScoreItem.objects.filter(score__round=rnd).select_related("score")
    }
    diffs = []
    if set(stored) != set(results):
        diffs.append("参加考核的镇街不一致")
    for tid, res in results.items():
        s = stored.get(tid)
        if s is None:
            continue
        if (s.total, s.rank, s.stars) != (res.total, res.rank, res.stars):
            diffs.append(
                f"{s.township}：存储 {s.total} 分/第 {s.rank} 名/{s.stars} 星，复算 {res.total} 分/第 {res.rank} 名/{res.stars} 星"
            )
        for it in res.items:
            st = items.get((tid, it.indicator_id))
            if st is None or (st.value, st.points, st.weighted) != (it.value, it.points, it.weighted):
                diffs.append(f"{s.township} 指标 {it.code}：存储与复算不一致")
    return diffs


@transaction.atomic
def round_verify(*, actor, round_id) -> list[str]:
    require_perm(actor, "assessment.view_assessmentround", system_allowed=True)
    rnd = _round_for_write(round_id)
    if rnd.computed_at is None:
        raise Conflict("尚未计算得分，无从复核")
    diffs = recompute_differences(rnd)
    rnd.verified_at = timezone.now()
    rnd.verified_identical = not diffs
    rnd.save(update_fields=["verified_at", "verified_identical", "updated_at"])
    audit_record(
        "assessment.round_verify", obj=rnd, actor=actor, extra={"identical": not diffs, "differences": diffs[:20]}
    )
    return diffs


# ------------------------------------------------------------------------------------------------ manual values
@transaction.atomic
def manual_value_submit(*, actor, round_id, data: dict, evidence) -> ManualValue:
    """A township's value of a manual indicator with its evidence; counted at the next computation."""
    require_perm(actor, "assessment.add_manualvalue")
    rnd = _round_for_write(round_id)
    _refuse_if_closed(rnd)
    township = _own_township(actor, data.get("township"))
    try:
        indicator = rnd.scheme.indicators.get(pk=int(data.get("indicator")), source="manual")
    except (SchemeIndicator.DoesNotExist, TypeError, ValueError):
        _fail("indicator", "请选择本方案中需要填报的指标")
    value = _decimal(data.get("value"), "value", "填报值")
    if value is None:
        _fail("value", "请填写填报值")
    note = _text(data.get("note"), "note", "说明", required=False, max_length=500)
    if evidence is None:
        _fail("evidence", "请上传证据文件（PDF 或照片）")
    checked = uploads.check_upload(
        evidence,
        allowed=EVIDENCE_TYPES,
        max_bytes=evidence_max_bytes(),
        max_pixels=50_000_000,
        field="evidence",
        label="证据文件",
    )
    old = ManualValue.objects.select_for_update().filter(round=rnd, township=township, indicator=indicator).first()
    if old is not None:
        old.evidence.delete(save=False)
        old.delete()
    name = (getattr(evidence, "name", "") or "").replace("\\", "/").rsplit("/", 1)[-1]
    mv = ManualValue(
        round=rnd,
        township=township,
        indicator=indicator,
        value=value,
        note=note,
        original_name=(clean_text(name, multiline=False) or "")[:120],
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        submitted_by=actor,
    )
    mv.evidence.save(f"{uuid.uuid4().hex}.{checked.extension}", ContentFile(checked.data), save=False)
    mv.save()
    audit_record(
        "assessment.manual_value_submit",
        obj=mv,
        actor=actor,
        extra={
            "round": rnd.year,
            "indicator": indicator.code,
            "value": str(value),
            "sha256": checked.sha256,
            "replaced": old is not None,
        },
    )
    return mv


# ------------------------------------------------------------------------------------------------ appeals
@transaction.atomic
def appeal_file(*, actor, round_id, township_id, indicator_id, reason) -> ScoreAppeal:
    require_perm(actor, "assessment.add_scoreappeal")
    rnd = _round_for_write(round_id)
    _refuse_if_closed(rnd)
    township = _own_township(actor, township_id)
    if rnd.computed_at is None:
        raise Conflict("得分尚未计算，暂不能申诉")
    try:
        indicator = rnd.scheme.indicators.get(pk=int(indicator_id))
    except (SchemeIndicator.DoesNotExist, TypeError, ValueError):
        _fail("indicator", "请选择本方案中的指标")
    reason = _text(reason, "reason", "申诉理由")
    if ScoreAppeal.objects.filter(
        round=rnd, township=township, indicator=indicator, status=AppealStatus.PENDING
    ).exists():
        raise Conflict("该指标已有一件待裁决的申诉")
    appeal = ScoreAppeal.objects.create(
        round=rnd, township=township, indicator=indicator, reason=reason, filed_by=actor
    )
    audit_record(
        "assessment.appeal_file", obj=appeal, actor=actor, extra={"round": rnd.year, "indicator": indicator.code}
    )
    return appeal


@transaction.atomic
def appeal_decide(*, actor, appeal_id, decision, reason, corrected_value=None, granted_points=None) -> ScoreAppeal:
    """Uphold (with a corrected value or the points given) or reject, with a reason. Upheld: the item and the
    township's total (and the ranking) change at once; rejected: nothing changes."""
    require_perm(actor, "assessment.decide_scoreappeal")
    if not user_sees_all_townships(actor):
        raise OutOfScope()
    try:
        round_id = ScoreAppeal.objects.values_list("round_id", flat=True).get(pk=appeal_id)
    except (ScoreAppeal.DoesNotExist, TypeError, ValueError):
        raise OutOfScope() from None
    rnd = _round_for_write(round_id)
    appeal = ScoreAppeal.objects.select_for_update().get(pk=appeal_id)
    _refuse_if_closed(rnd)
    if appeal.status != AppealStatus.PENDING:
        raise Conflict("该申诉已经裁决")
    if decision not in (AppealStatus.UPHELD, AppealStatus.REJECTED):
        _fail("decision", "请选择采纳或不予采纳")
    reason = _text(reason, "decision_reason", "裁决理由")
    value = _decimal(corrected_value, "corrected_value", "更正后的值")
    points = _decimal(granted_points, "granted_points", "裁定得分率", high=Decimal(100))
    if decision == AppealStatus.UPHELD:
        if (value is None) == (points is None):
            _fail("corrected_value", "采纳申诉须填写“更正后的值”或“裁定得分率”，二者填一项")
    else:
        value = points = None
    appeal.status = decision
    appeal.decision_reason = reason
    appeal.corrected_value = value
    appeal.granted_points = points.quantize(Decimal("0.01")) if points is not None else None
    appeal.decided_at = timezone.now()
    appeal.decided_by = actor
    appeal.save()
    before = (
        TownshipScore.objects.filter(round=rnd, township=appeal.township_id).values_list("total", flat=True).first()
    )
    if decision == AppealStatus.UPHELD:
        _rescore(rnd)
    after = TownshipScore.objects.filter(round=rnd, township=appeal.township_id).values_list("total", flat=True).first()
    audit_record(
        "assessment.appeal_decide",
        obj=appeal,
        actor=actor,
        extra={
            "decision": decision,
            "corrected_value": value,
            "granted_points": points,
            "total_before": before,
            "total_after": after,
        },
    )
    return appeal
