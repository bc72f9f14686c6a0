"""核查处置 of an unqualified sample (DOMAIN.md §3.2; FSL Art 88), its steps and its clocks in working days.

Opened by the results of a supervisory or evaluative sample concluded 不合格 (risk-monitoring results are not
enforcement findings: no disposal, a 风险提示 in the audit log instead). Clocks, from the ``SamplingDeadlines`` in
force on the day each one starts (``apps.common.workdays``: Chinese calendar with 调休):

- ``notify_due`` = opened_on (the conclusion date) + 5 working days: the 检验结果通知书 delivered to the enterprise;
- ``recheck_due`` = notified_on + 7 working days: the 复检 application window (none when an unqualified item is
  microbiological: 微生物项目不合格，不予复检);
- ``verify_due`` = opened_on + 90 calendar days: 核查处置 finished.

Steps (each a ``DisposalStep`` and an audit event; township staff of the enterprise's township or city staff,
``sampling.change_disposal``): 送达 → 复检申请 (the 复检 lab chosen at random, see ``recheck_lab_draw``) or 进入核查处置
(window over, waived, or not re-testable) → the 复检 results (``results.results_submit(is_recheck=True)`` by the 复检
lab: its conclusion is final — 合格 closes the disposal and voids the risk event, otherwise 核查处置 goes on) →
处置措施 (any time before closing) → 办结 with the outcome.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from django.db import transaction
from django.utils import timezone

from apps.common import hooks
from apps.common.audit import audit_record
from apps.common.exceptions import Conflict, InvalidTransition, OutOfScope, ValidationFailed
from apps.common.permissions import require_perm
from apps.common.workdays import add_working_days

from ...choices import DisposalStatus, OrganisationKind, SamplingPurpose, Verdict
from ...models import Disposal, DisposalStep, Organisation, Sample
from ._common import actor_or_none, deadlines_on

PERM = "sampling.change_disposal"

STEP_LABELS = {
    "open": "收到不合格检验报告，启动核查处置",
    "notify": "送达检验结果通知书",
    "recheck_request": "受理复检申请，随机确定复检机构",
    "proceed": "进入核查处置",
    "recheck_result": "复检结论",
    "measures": "处置措施",
    "close": "办结",
    "reschedule": "节假日调整，期限重算",
}
MEASURES = {
    "seal": "封存",
    "off_shelf": "下架",
    "recall": "召回",
    "stop": "停止生产经营",
    "rectify": "责令整改",
    "case": "立案调查",
    "transfer": "移送公安机关",
    "other": "其他",
}
PROCEED_REASONS = {
    "window_passed": "复检申请期届满，被抽样单位未申请复检",
    "waived": "被抽样单位书面放弃复检",
    "not_allowed": "微生物项目不合格，不予复检",
}
RECHECK_RULE = "HMAC-SHA256(种子, “抽样单编号|recheck|机构编号”) 的十六进制值最小者"


def measure_labels(codes) -> list[str]:
    return [MEASURES.get(code, code) for code in codes or []]


def _step(disposal: Disposal, kind: str, on: dt.date, note: str, actor) -> DisposalStep:
    return DisposalStep.objects.create(
        disposal=disposal, kind=kind, happened_on=on, note=note[:4000], actor=actor_or_none(actor)
    )


def _lock(actor, disposal_id) -> Disposal:
    try:
        return (
            Disposal.objects.visible_to(actor)
            .select_for_update(of=("self",))
            .select_related("sample", "sample__lab", "recheck_lab")
            .get(pk=disposal_id)
        )
    except (Disposal.DoesNotExist, ValueError, TypeError):
        raise OutOfScope("未找到该核查处置记录，或不在您的管辖范围内") from None


def _day(value, *, field: str, label: str, not_before: dt.date | None = None, before_label: str = "") -> dt.date:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise ValidationFailed(f"请填写{label}", fields={field: [f"请填写{label}"]})
    if value > timezone.localdate():
        raise ValidationFailed(f"{label}不能晚于今天", fields={field: [f"{label}不能晚于今天"]})
    if not_before is not None and value < not_before:
        message = f"{label}不能早于{before_label}（{not_before:%Y-%m-%d}）"
        raise ValidationFailed(message, fields={field: [message]})
    return value


def _move(disposal: Disposal, status: str) -> None:
    if not disposal.can_transition_to(status):
        raise InvalidTransition(
            f"核查处置当前为“{disposal.get_status_display()}”，不能变为“{DisposalStatus(status).label}”"
        )
    disposal.status = status


def _note(*parts: str) -> str:
    return "；".join(p for p in parts if p)


# ---------------------------------------------------------------------------- opening (from the results)
def _disposal_open(*, actor, sample: Sample, unqualified) -> Disposal:
    """Called by ``results_submit`` in its transaction when a supervisory or evaluative sample is concluded 不合格."""
    opened_on = timezone.localdate(sample.concluded_at)
    cfg = deadlines_on(opened_on)
    micro = [j.test_item.name for j in unqualified if j.test_item.is_microbiological]
    disposal = Disposal.objects.create(
        sample=sample,
        status=DisposalStatus.OPEN,
        opened_on=opened_on,
        notify_due=add_working_days(opened_on, cfg.notify_workdays),
        recheck_allowed=not micro,
        verify_due=opened_on + dt.timedelta(days=cfg.disposal_days),
    )
    items = "、".join(f"{j.test_item.name}（{j.value_text} {j.unit}，{j.judgement.explanation}）" for j in unqualified)
    note = _note(
        f"不合格项目：{items}",
        f"送达期限 {disposal.notify_due:%Y-%m-%d}（{cfg.notify_workdays} 个工作日）",
        f"核查处置期限 {disposal.verify_due:%Y-%m-%d}（{cfg.disposal_days} 日）",
        f"微生物项目（{'、'.join(micro)}）不合格，不予复检" if micro else "",
    )
    _step(disposal, "open", opened_on, note, actor)
    audit_record(
        "sampling.disposal.open",
        obj=disposal,
        actor=actor,
        extra={
            "sample": sample.number,
            "notify_due": disposal.notify_due,
            "verify_due": disposal.verify_due,
            "recheck_allowed": disposal.recheck_allowed,
        },
    )
    return disposal


# ---------------------------------------------------------------------------- the steps
@transaction.atomic
def disposal_notify(*, actor, disposal_id, notified_on: dt.date, note: str = "") -> Disposal:
    """The 检验结果通知书 was delivered to the enterprise: the 复检 window (7 working days) starts."""
    require_perm(actor, PERM)
    disposal = _lock(actor, disposal_id)
    _move(disposal, DisposalStatus.NOTIFIED)
    notified_on = _day(
        notified_on, field="notified_on", label="送达日期", not_before=disposal.opened_on, before_label="收到报告日期"
    )
    disposal.notified_on = notified_on
    cfg = deadlines_on(notified_on)
    disposal.recheck_due = add_working_days(notified_on, cfg.recheck_workdays) if disposal.recheck_allowed else None
    disposal.save(update_fields=["status", "notified_on", "recheck_due", "updated_at"])
    late = notified_on > disposal.notify_due
    text = _note(
        f"送达日期 {notified_on:%Y-%m-%d}" + ("（已超过送达期限）" if late else ""),
        f"复检申请截止 {disposal.recheck_due:%Y-%m-%d}（{cfg.recheck_workdays} 个工作日）"
        if disposal.recheck_allowed
        else "微生物项目不合格，不予复检",
        (note or "").strip(),
    )
    _step(disposal, "notify", notified_on, text, actor)
    audit_record(
        "sampling.disposal.notify",
        obj=disposal,
        actor=actor,
        changes={"status": [DisposalStatus.OPEN, DisposalStatus.NOTIFIED], "notified_on": [None, notified_on]},
        extra={"recheck_due": disposal.recheck_due, "late": late},
    )
    return disposal


def recheck_candidates(first_lab: Organisation) -> list[Organisation]:
    """The published 复检 labs (active, on the list), except the first lab and any lab of the same legal person."""
    qs = Organisation.objects.filter(kind=OrganisationKind.LAB, is_recheck_lab=True, is_active=True).exclude(
        pk=first_lab.pk
    )
    if first_lab.uscc:
        qs = qs.exclude(uscc=first_lab.uscc)
    return list(qs.order_by("pk"))


def recheck_rank(seed_hex: str, sample_number: str, lab_id: int) -> str:
    return hmac.new(bytes.fromhex(seed_hex), f"{sample_number}|recheck|{lab_id}".encode(), hashlib.sha256).hexdigest()


def recheck_lab_draw(sample_number: str, candidates: list[Organisation], seed_hex: str) -> Organisation:
    """The random choice the law asks for (FSL Art 88: picked at random from the published list), made verifiable:
    each candidate's rank is ``HMAC-SHA256(seed, "<抽样单编号>|recheck|<lab id>")``; the lowest wins. The seed (32
    random hex digits), the candidates and their ranks are recorded in the step and the audit event, so anyone can
    recompute the choice; the seed is drawn at the moment of the request, after the candidates are fixed."""
    return min(candidates, key=lambda org: (recheck_rank(seed_hex, sample_number, org.pk), org.pk))


@transaction.atomic
def disposal_recheck_request(
    *, actor, disposal_id, requested_on: dt.date, note: str = "", seed_hex: str | None = None
) -> Disposal:
    """The enterprise applied for a 复检 within the window: the 复检 lab is drawn at random (never the first lab)."""
    require_perm(actor, PERM)
    disposal = _lock(actor, disposal_id)
    if not disposal.recheck_allowed:
        raise Conflict("微生物项目不合格，不予复检", code="recheck_not_allowed")
    _move(disposal, DisposalStatus.RECHECKING)
    requested_on = _day(
        requested_on,
        field="requested_on",
        label="申请复检日期",
        not_before=disposal.notified_on,
        before_label="送达日期",
    )
    if disposal.recheck_due is not None and requested_on > disposal.recheck_due:
        message = f"复检申请日期已超过申请期限（{disposal.recheck_due:%Y-%m-%d} 截止），不予受理"
        raise ValidationFailed(message, fields={"requested_on": [message]}, code="recheck_late")
    sample = disposal.sample
    candidates = recheck_candidates(sample.lab)
    if not candidates:
        raise Conflict(
            "复检机构名录中没有初检机构以外的启用检验机构，无法随机确定复检机构；请先在机构名录中维护复检机构",
            code="no_recheck_lab",
        )
    seed = seed_hex or secrets.token_hex(16)
    chosen = recheck_lab_draw(sample.number, candidates, seed)
    ranks = [{"id": o.pk, "name": o.name, "rank": recheck_rank(seed, sample.number, o.pk)} for o in candidates]
    disposal.recheck_requested_on = requested_on
    disposal.recheck_lab = chosen
    disposal.save(update_fields=["status", "recheck_requested_on", "recheck_lab", "updated_at"])
    report_days = deadlines_on(requested_on).recheck_report_workdays
    text = _note(
        f"申请日期 {requested_on:%Y-%m-%d}",
        f"复检机构（随机确定）：{chosen.name}",
        f"种子 {seed}",
        "候选（复检机构名录，不含初检机构“"
        + sample.lab.name
        + "”）："
        + "、".join(f"{o.name}（#{o.pk}）" for o in candidates),
        f"规则：{RECHECK_RULE}",
        f"复检机构应自收到备份样品起 {report_days} 个工作日内出具报告",
        (note or "").strip(),
    )
    _step(disposal, "recheck_request", requested_on, text, actor)
    audit_record(
        "sampling.disposal.recheck_request",
        obj=disposal,
        actor=actor,
        changes={"status": [DisposalStatus.NOTIFIED, DisposalStatus.RECHECKING], "recheck_lab": [None, chosen.pk]},
        extra={"seed": seed, "rule": RECHECK_RULE, "candidates": ranks, "chosen": chosen.pk},
    )
    return disposal


@transaction.atomic
def disposal_proceed(*, actor, disposal_id, reason: str, on: dt.date, note: str = "") -> Disposal:
    """No 复检: the window is over, the enterprise waived it in writing, or the failure is not re-testable."""
    require_perm(actor, PERM)
    disposal = _lock(actor, disposal_id)
    if reason not in PROCEED_REASONS:
        raise ValidationFailed("请选择进入核查处置的原因", fields={"reason": ["请选择原因"]})
    if disposal.status != DisposalStatus.NOTIFIED:
        raise InvalidTransition(f"核查处置当前为“{disposal.get_status_display()}”，只有已送达的记录可以进入核查处置")
    on = _day(on, field="on", label="日期", not_before=disposal.notified_on, before_label="送达日期")
    if reason == "not_allowed" and disposal.recheck_allowed:
        raise ValidationFailed(
            "该样品可以申请复检；原因请选择“申请期届满”或“书面放弃”", fields={"reason": ["原因不符"]}
        )
    if reason == "window_passed" and disposal.recheck_allowed and on <= disposal.recheck_due:
        message = f"复检申请期尚未届满（{disposal.recheck_due:%Y-%m-%d} 截止）；如被抽样单位书面放弃复检，请选择“书面放弃复检”"
        raise ValidationFailed(message, fields={"reason": [message]}, code="recheck_window_open")
    _move(disposal, DisposalStatus.VERIFYING)
    disposal.save(update_fields=["status", "updated_at"])
    _step(disposal, "proceed", on, _note(PROCEED_REASONS[reason], (note or "").strip()), actor)
    audit_record(
        "sampling.disposal.proceed",
        obj=disposal,
        actor=actor,
        changes={"status": [DisposalStatus.NOTIFIED, DisposalStatus.VERIFYING]},
        extra={"reason": reason},
    )
    return disposal


def _recheck_concluded(*, actor, disposal: Disposal, sample: Sample, checked, report_no: str) -> Disposal:
    """Called by ``results_submit(is_recheck=True)``: the 复检 conclusion is final (FSL Art 88). 合格 overturns the
    first conclusion (the disposal closes, the sample's conclusion becomes 合格, risk voids its event); otherwise
    the disposal goes on to 核查处置."""
    conclusion = checked.conclusion
    before = sample.conclusion
    today = timezone.localdate()
    disposal.recheck_conclusion = conclusion
    if conclusion == Verdict.QUALIFIED:
        _move(disposal, DisposalStatus.CLOSED)
        disposal.closed_on = today
        disposal.outcome = "复检合格：复检结论为最终结论，原不合格结论不再作为处置依据"
    else:
        _move(disposal, DisposalStatus.VERIFYING)
    disposal.save(update_fields=["status", "recheck_conclusion", "closed_on", "outcome", "updated_at"])
    sample.conclusion = conclusion
    sample.save(update_fields=["conclusion", "updated_at"])
    items = "、".join(f"{j.test_item.name} {j.display_value}{j.unit}（{j.verdict_label}）" for j in checked.items)
    text = _note(
        f"复检机构 {checked.lab.name}，报告 {report_no}：复检结论“{Verdict(conclusion).label}”（最终结论）",
        items,
        "原不合格结论撤销，核查处置办结" if conclusion == Verdict.QUALIFIED else "维持不合格结论，进入核查处置",
    )
    _step(disposal, "recheck_result", today, text, actor)
    notes = {}
    if (
        before == Verdict.UNQUALIFIED
        and conclusion == Verdict.QUALIFIED
        and sample.purpose == SamplingPurpose.SUPERVISORY
    ):
        notes = hooks.emit(
            "sampling.sample_unqualified_voided",
            sample_id=sample.pk,
            sample_number=sample.number,
            enterprise_id=sample.enterprise_id,
            reason=f"复检合格（{checked.lab.name} 报告 {report_no}），原不合格结论撤销",
            actor=actor,
        )
    audit_record(
        "sampling.disposal.recheck_conclude",
        obj=disposal,
        actor=actor,
        changes={
            "status": [DisposalStatus.RECHECKING, disposal.status],
            "recheck_conclusion": ["", conclusion],
            "sample_conclusion": [before, conclusion],
        },
        extra={"report_no": report_no, "lab": checked.lab.pk, "hooks": notes},
    )
    return disposal


@transaction.atomic
def disposal_measures(*, actor, disposal_id, measures, on: dt.date, note: str = "") -> Disposal:
    """Measures taken (封存、下架、召回、立案…): recorded any time before the disposal closes; they accumulate."""
    require_perm(actor, PERM)
    disposal = _lock(actor, disposal_id)
    if disposal.status == DisposalStatus.CLOSED:
        raise InvalidTransition("核查处置已办结，不能再登记处置措施")
    codes = [m for m in dict.fromkeys(measures or []) if m]
    unknown = [m for m in codes if m not in MEASURES]
    if not codes or unknown:
        message = "请选择处置措施" if not codes else f"未知的处置措施：{'、'.join(map(str, unknown))}"
        raise ValidationFailed(message, fields={"measures": [message]})
    if "other" in codes and not (note or "").strip():
        raise ValidationFailed("选择“其他”时请在说明中写明措施", fields={"note": ["请写明措施"]})
    on = _day(on, field="on", label="采取措施日期", not_before=disposal.opened_on, before_label="收到报告日期")
    before = list(disposal.measures or [])
    disposal.measures = list(dict.fromkeys([*before, *codes]))
    disposal.save(update_fields=["measures", "updated_at"])
    _step(disposal, "measures", on, _note("、".join(measure_labels(codes)), (note or "").strip()), actor)
    audit_record(
        "sampling.disposal.measures",
        obj=disposal,
        actor=actor,
        changes={"measures": [before, disposal.measures]},
        extra={"on": on},
    )
    return disposal


@transaction.atomic
def disposal_close(*, actor, disposal_id, outcome: str, closed_on: dt.date) -> Disposal:
    """办结: the outcome of 核查处置 (what was found and done), within 90 days or late (shown as such)."""
    require_perm(actor, PERM)
    disposal = _lock(actor, disposal_id)
    outcome = (outcome or "").strip()
    if not outcome:
        raise ValidationFailed("请填写处置结果", fields={"outcome": ["请填写处置结果"]})
    if len(outcome) > 2000:
        raise ValidationFailed("处置结果不能超过 2000 个字符", fields={"outcome": ["不能超过 2000 个字符"]})
    if disposal.status != DisposalStatus.VERIFYING:
        raise InvalidTransition(
            f"核查处置当前为“{disposal.get_status_display()}”，须先送达并完成复检程序（或进入核查处置）后才能办结"
        )
    closed_on = _day(
        closed_on, field="closed_on", label="办结日期", not_before=disposal.opened_on, before_label="收到报告日期"
    )
    _move(disposal, DisposalStatus.CLOSED)
    disposal.outcome = outcome
    disposal.closed_on = closed_on
    disposal.save(update_fields=["status", "outcome", "closed_on", "updated_at"])
    late = closed_on > disposal.verify_due
    _step(disposal, "close", closed_on, _note(outcome, "（超过核查处置期限）" if late else ""), actor)
    audit_record(
        "sampling.disposal.close",
        obj=disposal,
        actor=actor,
        changes={"status": [DisposalStatus.VERIFYING, DisposalStatus.CLOSED], "closed_on": [None, closed_on]},
        extra={"late": late},
    )
    return disposal
