"""All writes of complaints (投诉举报): intake (public form and staff), the status pipeline, duplicate links,
rewards, and the audited unmasking of the reporter's identity.

Every write is one transaction with the row locked (``select_for_update``) and one audit event. No audit payload,
history note, log line or job argument ever holds the reporter's identity: it is written once, into
``ReporterIdentity`` (encrypted at rest), and read only by ``selectors.reporter_identity_unmask``."""

from __future__ import annotations

import datetime as dt
import re
import secrets
import uuid

from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from apps.common.audit import audit_record
from apps.common.exceptions import Conflict, InvalidTransition, OutOfScope, ValidationFailed
from apps.common.permissions import require_perm
from apps.common.workdays import add_working_days

from ..models import Complaint, ComplaintAttachment, ComplaintEvent, ReporterIdentity, Reward
from .choices import ComplaintChannel, ComplaintKind, ComplaintStatus, RewardStatus
from .rules import reward_amount_fen, reward_rule_in_force, rules_in_force
from .uploads import MAX_FILES, check_attachment

S = ComplaintStatus
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L
CODE_PURPOSE = "apps.incidents.complaints.query-code.v1"
TOKEN_SALT = "apps.incidents.complaints.intake-token.v1"
TOKEN_MAX_AGE = 24 * 3600
CONTENT_MAX = 5000
ID_NUMBER_RE = re.compile(r"^\d{17}[\dXx]$")
PHONE_RE = re.compile(r"^[0-9+\-\s]{5,20}$")
IDENTITY_FIELDS = ("name", "phone", "id_number", "contact")
DUPLICATE_MESSAGE = "这份表单已经提交过了，请勿重复提交；查询码已在首次提交后显示"


# ---------------------------------------------------------------------------------------------------- codes
def new_query_code() -> str:
    """16 characters from an unambiguous alphabet (≈ 79 bits), printed in groups of four."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(16))
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def normalise_query_code(code: str) -> str:
    return re.sub(r"[\s\-]", "", (code or "")).upper()


def query_code_digest(code: str) -> str:
    return salted_hmac(CODE_PURPOSE, normalise_query_code(code), algorithm="sha256").hexdigest()


def intake_token_issue() -> str:
    """The hidden idempotency token of one public form (signed, so only tokens this server issued count)."""
    return signing.dumps(secrets.token_urlsafe(18), salt=TOKEN_SALT)


def intake_token_digest(token: str) -> str:
    try:
        raw = signing.loads(token or "", salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:
        raise ValidationFailed("表单已过期或无效，请刷新页面后重新填写") from None
    return salted_hmac(TOKEN_SALT, str(raw), algorithm="sha256").hexdigest()


def normalise_address(text: str) -> str:
    """The address as compared for duplicates: no spaces or punctuation, full-width digits and letters folded."""
    import unicodedata

    folded = unicodedata.normalize("NFKC", text or "").lower()
    return re.sub(r"[\s,，。.、;；:：\-—_()（）#＃号]", "", folded)[:255]


# ---------------------------------------------------------------------------------------------------- intake
def _clean_content(data: dict) -> dict:
    errors: dict[str, list[str]] = {}
    content = (data.get("content") or "").strip()
    if not content:
        errors["content"] = ["请填写投诉举报的内容"]
    elif len(content) > CONTENT_MAX:
        errors["content"] = [f"内容不能超过 {CONTENT_MAX} 字"]
    kind = data.get("kind") or ""
    if kind not in ComplaintKind.values:
        errors["kind"] = ["请选择投诉或举报"]
    identity = {f: (data.get(f) or "").strip() for f in IDENTITY_FIELDS}
    if identity["phone"] and not PHONE_RE.match(identity["phone"]):
        errors["phone"] = ["电话号码格式不正确"]
    reward_claimed = bool(data.get("reward_claimed"))
    if reward_claimed:
        if kind != ComplaintKind.REPORT:
            errors["reward_claimed"] = ["只有举报可以申请奖励"]
        if not identity["name"]:
            errors["name"] = ["申请奖励须填写真实姓名"]
        if not identity["phone"]:
            errors["phone"] = ["申请奖励须填写联系电话"]
        if not ID_NUMBER_RE.match(identity["id_number"]):
            errors["id_number"] = ["申请奖励须填写 18 位身份证号"]
    elif identity["id_number"]:
        errors["id_number"] = ["只有申请奖励时才需要身份证号，请留空"]
    if errors:
        first = next(iter(errors.values()))[0]
        raise ValidationFailed(first, fields=errors)
    return {
        "kind": kind,
        "content": content,
        "identity": identity,
        "reward_claimed": reward_claimed,
        "subject_name": (data.get("subject_name") or "").strip()[:200],
        "address": (data.get("address") or "").strip()[:255],
    }


def _create(*, clean: dict, channel: str, township, enterprise, received_at, actor, token_digest=None) -> Complaint:
    rules = rules_in_force(timezone.localtime(received_at).date())
    identity = clean["identity"]
    complaint = Complaint.objects.create(
        number=f"TMP-{uuid.uuid4().hex[:16]}",
        kind=clean["kind"],
        channel=channel,
        content=clean["content"],
        subject_name=clean["subject_name"] or (enterprise.name if enterprise else ""),
        address=clean["address"],
        address_key=normalise_address(clean["address"]),
        enterprise=enterprise,
        township=township,
        received_at=received_at,
        anonymous=not any(identity.values()),
        reward_claimed=clean["reward_claimed"],
        acceptance_due=add_working_days(timezone.localtime(received_at).date(), rules.acceptance_workdays),
        query_code_digest=secrets.token_hex(32),  # replaced below
        intake_token_digest=token_digest,
        created_by=actor if actor is not None and getattr(actor, "is_authenticated", False) else None,
    )
    complaint.number = f"TS{timezone.localtime(received_at):%Y}{complaint.pk:06d}"
    code = new_query_code()
    complaint.query_code_digest = query_code_digest(code)
    complaint.save(update_fields=["number", "query_code_digest", "updated_at"])
    if any(identity.values()):
        ReporterIdentity.objects.create(complaint=complaint, **identity)
    ComplaintEvent.objects.create(
        complaint=complaint, at=timezone.now(), actor=complaint.created_by, to_status=S.PENDING, action="收到"
    )
    audit_record(
        "incidents.complaint_receive",
        obj=complaint,
        actor=complaint.created_by,
        extra={"channel": channel, "kind": clean["kind"]},
    )
    complaint.query_code = code  # shown once, never stored
    return complaint


def complaint_submit_public(*, data: dict, files: list, intake_token: str, township=None) -> Complaint:
    """The public form: no account. ``files`` are (bytes) of at most ``MAX_FILES`` attachments. Returns the
    complaint with ``query_code`` set (the only time it exists in clear). A second submission of the same form
    (same token) is refused with Conflict and writes nothing."""
    digest = intake_token_digest(intake_token)
    if Complaint.objects.filter(intake_token_digest=digest).exists():
        raise Conflict(DUPLICATE_MESSAGE)
    clean = _clean_content(data)
    if len(files) > MAX_FILES:
        raise ValidationFailed(f"最多上传 {MAX_FILES} 个附件", fields={"attachments": [f"最多上传 {MAX_FILES} 个附件"]})
    checked = [(blob, *check_attachment(blob)) for blob in files]
    try:
        with transaction.atomic():
            complaint = _create(
                clean=clean,
                channel=ComplaintChannel.PUBLIC_FORM,
                township=township,
                enterprise=None,
                received_at=timezone.now(),
                actor=None,
                token_digest=digest,
            )
            for blob, content_type, ext in checked:
                _attach(complaint, blob, content_type, ext)
    except IntegrityError:
        raise Conflict(DUPLICATE_MESSAGE) from None
    return complaint


def _attach(complaint, blob: bytes, content_type: str, ext: str) -> None:
    from django.core.files.base import ContentFile

    att = ComplaintAttachment(complaint=complaint, content_type=content_type, size=len(blob))
    att.file.save(f"{uuid.uuid4().hex}.{ext}", ContentFile(blob), save=False)
    att.save()


def complaint_create(*, actor, data: dict, received_at: dt.datetime | None = None) -> Complaint:
    """Staff entry (12345, 12315, a letter, a visit…): township staff for their township, the complaint officer
    city-wide. ``data``: kind, channel, content, township, enterprise, subject_name, address and the identity."""
    require_perm(actor, "incidents.add_complaint")
    clean = _clean_content(data)
    channel = data.get("channel") or ""
    if channel not in ComplaintChannel.values or channel == ComplaintChannel.PUBLIC_FORM:
        raise ValidationFailed("请选择来源渠道", fields={"channel": ["请选择来源渠道"]})
    township = data.get("township")
    enterprise = data.get("enterprise")
    from apps.accounts.models import Township
    from apps.common.scoping import user_sees_all_townships, user_township_ids

    if not user_sees_all_townships(actor):
        if township is None or township.pk not in set(user_township_ids(actor)):
            raise ValidationFailed("请选择本人所属的镇街", fields={"township": ["请选择本人所属的镇街"]})
    if township is not None and not isinstance(township, Township):
        raise ValidationFailed("镇街不存在", fields={"township": ["镇街不存在"]})
    if enterprise is not None and township is None:
        township = enterprise.township
    received_at = received_at or timezone.now()
    if received_at > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationFailed("收到时间不能晚于现在", fields={"received_at": ["收到时间不能晚于现在"]})
    with transaction.atomic():
        return _create(
            clean=clean, channel=channel, township=township, enterprise=enterprise, received_at=received_at, actor=actor
        )


# ---------------------------------------------------------------------------------------------------- pipeline
def _locked(actor, complaint_id) -> Complaint:
    try:
        return Complaint.objects.visible_to(actor).select_for_update().get(pk=complaint_id)
    except (Complaint.DoesNotExist, ValueError, TypeError):
        raise OutOfScope() from None


def _step(complaint, actor, to: str, *, action: str, note: str = "", audit: str, extra: dict | None = None) -> None:
    if not complaint.can_transition_to(to):
        raise InvalidTransition(
            f"“{complaint.get_status_display()}”的投诉举报不能{action}",
        )
    before = complaint.status
    complaint.status = to
    complaint.save()
    ComplaintEvent.objects.create(
        complaint=complaint, at=timezone.now(), actor=actor, from_status=before, to_status=to, action=action, note=note
    )
    audit_record(audit, obj=complaint, actor=actor, changes={"status": [before, to]}, extra=extra or {})


def _today() -> dt.date:
    return timezone.localdate()


def _nonblank(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationFailed(message, fields={field: [message]})
    return value


def complaint_accept(*, actor, complaint_id, note: str = "") -> Complaint:
    require_perm(actor, "incidents.change_complaint")
    with transaction.atomic():
        c = _locked(actor, complaint_id)
        rules = rules_in_force(_today())
        c.decided_at = timezone.now()
        c.decision_note = (note or "").strip()
        c.routing_due = add_working_days(_today(), rules.routing_workdays)
        _step(c, actor, S.ACCEPTED, action="受理", note=c.decision_note, audit="incidents.complaint_accept")
        return c


def complaint_reject(*, actor, complaint_id, reason: str) -> Complaint:
    require_perm(actor, "incidents.change_complaint")
    reason = _nonblank(reason, "note", "不予受理须写明理由")
    with transaction.atomic():
        c = _locked(actor, complaint_id)
        rules = rules_in_force(_today())
        c.decided_at = timezone.now()
        c.decision_note = reason
        c.feedback_due = add_working_days(_today(), rules.feedback_workdays)
        _step(c, actor, S.REJECTED, action="不予受理", note=reason, audit="incidents.complaint_reject")
        return c


def complaint_route(*, actor, complaint_id, township, note: str = "") -> Complaint:
    require_perm(actor, "incidents.change_complaint")
    from apps.common.scoping import user_sees_all_townships, user_township_ids

    if township is None:
        raise ValidationFailed("请选择承办镇街", fields={"township": ["请选择承办镇街"]})
    if not user_sees_all_townships(actor) and township.pk not in set(user_township_ids(actor)):
        raise ValidationFailed("只能分派到本人所属的镇街", fields={"township": ["只能分派到本人所属的镇街"]})
    with transaction.atomic():
        c = _locked(actor, complaint_id)
        rules = rules_in_force(_today())
        c.township = township
        c.routed_at = timezone.now()
        c.handling_due = add_working_days(_today(), rules.handling_workdays)
        c.result_due = add_working_days(_today(), rules.result_workdays)
        _step(
            c,
            actor,
            S.ROUTED,
            action=f"分派至{township.name}",
            note=(note or "").strip(),
            audit="incidents.complaint_route",
            extra={"township": township.code},
        )
        return c


def complaint_start(*, actor, complaint_id, note: str = "") -> Complaint:
    require_perm(actor, "incidents.change_complaint")
    with transaction.atomic():
        c = _locked(actor, complaint_id)
        c.handling_at = timezone.now()
        _step(c, actor, S.HANDLING, action="开始办理", note=(note or "").strip(), audit="incidents.complaint_start")
        return c


def complaint_close(*, actor, complaint_id, upheld, result_text: str) -> Complaint:
    require_perm(actor, "incidents.change_complaint")
    result_text = _nonblank(result_text, "result_text", "请填写办理结果")
    if upheld not in (True, False):
        raise ValidationFailed("请选择是否查证属实", fields={"upheld": ["请选择是否查证属实"]})
    with transaction.atomic():
        c = _locked(actor, complaint_id)
        rules = rules_in_force(_today())
        c.closed_at = timezone.now()
        c.upheld = upheld
        c.result_text = result_text
        c.feedback_due = add_working_days(_today(), rules.feedback_workdays)
        _step(
            c,
            actor,
            S.CLOSED,
            action="办结（查证属实）" if upheld else "办结（查证不属实）",
            note=result_text,
            audit="incidents.complaint_close",
            extra={"upheld": upheld},
        )
        return c


def complaint_feedback(*, actor, complaint_id, feedback_text: str) -> Complaint:
    """The answer to the reporter: shown on the public status page (by query code)."""
    require_perm(actor, "incidents.change_complaint")
    text = _nonblank(feedback_text, "feedback_text", "请填写反馈内容")
    with transaction.atomic():
        c = _locked(actor, complaint_id)
        c.feedback_at = timezone.now()
        c.feedback_text = text
        _step(c, actor, S.FED_BACK, action="反馈反映人", note=text, audit="incidents.complaint_feedback")
        return c


def complaint_link_duplicate(*, actor, complaint_id, original_id) -> Complaint:
    require_perm(actor, "incidents.change_complaint")
    with transaction.atomic():
        c = _locked(actor, complaint_id)
        try:
            original = Complaint.objects.visible_to(actor).get(pk=original_id)
        except (Complaint.DoesNotExist, ValueError, TypeError):
            raise ValidationFailed("所选的投诉举报不存在或不在管辖范围内") from None
        if original.pk == c.pk:
            raise ValidationFailed("不能标记为与自身重复")
        if original.duplicate_of_id == c.pk:
            raise ValidationFailed("所选的投诉举报已标记为与本件重复")
        c.duplicate_of = original
        c.save()
        ComplaintEvent.objects.create(
            complaint=c, at=timezone.now(), actor=actor, action="标记为重复", note=f"与 {original.number} 重复"
        )
        audit_record("incidents.complaint_link_duplicate", obj=c, actor=actor, extra={"original": original.number})
        return c


# ---------------------------------------------------------------------------------------------------- rewards
def _reward_target(actor, complaint_id) -> Complaint:
    c = _locked(actor, complaint_id)
    if c.kind != ComplaintKind.REPORT:
        raise ValidationFailed("只有举报可以核定奖励，投诉不予奖励")
    if c.status not in (S.CLOSED, S.FED_BACK) or c.upheld is not True:
        raise ValidationFailed("该举报尚未办结或未查证属实，不能核定奖励")
    return c


EXCLUSIONS = (
    "市场监管部门工作人员或负有法定报告义务的人员",
    "受害方及其代理人",
    "违法行为人（内部人员举报除外）",
    "受他人雇佣、委托而举报的人员",
)


def reward_assess(*, actor, complaint_id, level: int, fines_fen: int, not_excluded: bool = False) -> Reward:
    """核定奖励: the amount by the rule in force on the closing date; a reassessment replaces an unpaid one.

    Only for a named reporter (a natural person, 国市监稽规〔2021〕4号) whom the officer has checked against the
    exclusions (``EXCLUSIONS``; ``not_excluded`` is that confirmation)."""
    require_perm(actor, "incidents.manage_reward")
    if level not in (1, 2, 3):
        raise ValidationFailed("请选择奖励等级", fields={"level": ["请选择奖励等级"]})
    if fines_fen is None or fines_fen < 0:
        raise ValidationFailed("罚没款金额不能为负数", fields={"fines": ["罚没款金额不能为负数"]})
    if not not_excluded:
        message = "请核实举报人不属于不予奖励的情形后勾选确认"
        raise ValidationFailed(message, fields={"not_excluded": [message]})
    with transaction.atomic():
        c = _reward_target(actor, complaint_id)
        if c.anonymous:
            raise ValidationFailed("匿名举报不能核定奖励：奖励只发给实名举报的自然人")
        on = timezone.localtime(c.closed_at).date()
        rule = reward_rule_in_force(on)
        if rule is None:
            raise ValidationFailed(f"{on} 没有生效的举报奖励标准，请先配置")
        amount = reward_amount_fen(rule, level=level, fines_fen=fines_fen)
        reward = Reward.objects.select_for_update().filter(complaint=c).first()
        if reward is not None and reward.status == RewardStatus.PAID:
            raise InvalidTransition("奖励已发放，不能重新核定")
        if reward is None:
            reward = Reward(complaint=c)
        reward.level, reward.fines_fen, reward.rule, reward.amount_fen = level, fines_fen, rule, amount
        reward.save()
        ComplaintEvent.objects.create(
            complaint=c, at=timezone.now(), actor=actor, action="核定奖励", note=f"{level}级，{amount / 100:,.2f} 元"
        )
        audit_record(
            "incidents.reward_assess",
            obj=c,
            actor=actor,
            extra={"level": level, "fines_fen": fines_fen, "amount_fen": amount, "rule": str(rule.effective_from)},
        )
        return reward


def reward_pay(*, actor, complaint_id, paid_on: dt.date, paid_fen: int, voucher_no: str) -> Reward:
    require_perm(actor, "incidents.manage_reward")
    voucher_no = _nonblank(voucher_no, "voucher_no", "请填写凭证号")
    if paid_on is None:
        raise ValidationFailed("请填写发放日期", fields={"paid_on": ["请填写发放日期"]})
    if paid_on > _today():
        raise ValidationFailed("发放日期不能晚于今天", fields={"paid_on": ["发放日期不能晚于今天"]})
    with transaction.atomic():
        c = _reward_target(actor, complaint_id)
        reward = Reward.objects.select_for_update().filter(complaint=c).first()
        if reward is None:
            raise ValidationFailed("请先核定奖励金额")
        if reward.status == RewardStatus.PAID:
            raise InvalidTransition("奖励已发放")
        if paid_fen is None or paid_fen <= 0 or paid_fen > reward.amount_fen:
            message = f"发放金额须大于 0 且不超过核定金额 {reward.amount_fen / 100:,.2f} 元"
            raise ValidationFailed(message, fields={"paid": [message]})
        if paid_on < timezone.localtime(c.closed_at).date():
            raise ValidationFailed("发放日期不能早于办结日期", fields={"paid_on": ["发放日期不能早于办结日期"]})
        reward.status, reward.paid_on, reward.paid_fen, reward.voucher_no = (
            RewardStatus.PAID,
            paid_on,
            paid_fen,
            voucher_no,
        )
        reward.save()
        ComplaintEvent.objects.create(
            complaint=c,
            at=timezone.now(),
            actor=actor,
            action="发放奖励",
            note=f"{paid_fen / 100:,.2f} 元，凭证号 {voucher_no}",
        )
        audit_record(
            "incidents.reward_pay",
            obj=c,
            actor=actor,
            extra={"paid_fen": paid_fen, "paid_on": paid_on.isoformat(), "voucher_no": voucher_no},
        )
        return reward


# ---------------------------------------------------------------------------------------------------- unmask
def reporter_unmask_record(*, actor, complaint_id, reason: str) -> None:
    """The audit of one unmasking: who and why, never what was shown. Called by ``selectors.reporter_identity_unmask``
    in the same transaction as the read."""
    require_perm(actor, "incidents.unmask_reporter")
    reason = _nonblank(reason, "reason", "查看举报人身份须说明理由")
    if len(reason) < 4:
        raise ValidationFailed(
            "理由太短，请说明为何需要查看（至少 4 个字）",
            fields={"reason": ["理由太短，请说明为何需要查看（至少 4 个字）"]},
        )
    c = Complaint.objects.visible_to(actor).filter(pk=complaint_id).first()
    if c is None:
        raise OutOfScope()
    audit_record("incidents.reporter_unmask", obj=c, actor=actor, extra={"reason": reason[:500]})


# ---------------------------------------------------------------------------------------------------- retention
PURGE_CHUNK = 500


def reporter_identities_purge(*, actor=None, today: dt.date | None = None) -> dict:
    """PII-05: delete the reporter identities past their retention (``selectors.identity_purge_due``); the
    complaints stay, marked ``identity_purged_on``, with a line in their history. One transaction, the complaints
    locked; one audit event with the counts only (none when nothing was due). The daily job calls it as the system.
    Returns ``{"purged": n, "retention_days": d, "ended_before": "YYYY-MM-DD"}``."""
    from .selectors import identity_purge_due

    require_perm(actor, "incidents.purge_reporter_identity", system_allowed=True)
    today = today or timezone.localdate()
    with transaction.atomic():
        days, ended_before, qs = identity_purge_due(today=today)
        ids = list(qs.select_for_update(of=("self",)).values_list("pk", flat=True))
        now = timezone.now()
        note = f"保存期限 {days} 天届满（办结或不予受理早于 {ended_before:%Y-%m-%d}）"
        for i in range(0, len(ids), PURGE_CHUNK):
            chunk = ids[i : i + PURGE_CHUNK]
            ReporterIdentity.objects.filter(complaint_id__in=chunk).delete()
            Complaint.objects.filter(pk__in=chunk).update(identity_purged_on=today)
            ComplaintEvent.objects.bulk_create(
                ComplaintEvent(complaint_id=pk, at=now, actor=actor, action="删除举报人身份", note=note) for pk in chunk
            )
        result = {"purged": len(ids), "retention_days": days, "ended_before": ended_before.isoformat()}
        if ids:
            audit_record(
                "incidents.reporter_identity_purge",
                object_type="incidents.reporteridentity",
                object_repr=f"{len(ids)} 件投诉举报的举报人身份",
                actor=actor,
                extra=result,
            )
    return result
