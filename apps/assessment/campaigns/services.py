"""All writes of assessment/campaigns (docs/campaigns.md): editing a target (dated: a new version from a later date,
or a correction of the version in force from the same date) and recording a manual progress entry with its
evidence file. Only 市局 (city-wide roles with the permission) writes; every write is one transaction with one audit
event (Chinese names in ``contrib.AUDIT_ACTIONS``). Refusals are Chinese ``DomainError``s naming the field (4xx)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal, InvalidOperation
from types import SimpleNamespace

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from apps.common import measures as measure_registry
from apps.common import uploads
from apps.common.audit import audit_record, diff, model_snapshot
from apps.common.exceptions import Conflict, OutOfScope, ValidationFailed
from apps.common.permissions import require_perm
from apps.common.scoping import user_sees_all_townships
from apps.common.text import clean_text

from ..models.campaigns import Campaign, CampaignProgress, CampaignTarget, TargetScope
from . import defaults
from .selectors import in_force

VALUE_MAX = Decimal("10000000")
EVIDENCE_TYPES = (*uploads.IMAGE_TYPES, uploads.PDF)
TARGET_FIELDS = ("label", "measure_code", "target_value", "unit", "scope", "higher_is_better", "note")


def evidence_max_bytes() -> int:
    return int(getattr(settings, "CAMPAIGNS_EVIDENCE_MAX_BYTES", 10 * 1024 * 1024))


def evidence_max_pixels() -> int:
    return int(getattr(settings, "CAMPAIGNS_EVIDENCE_MAX_PIXELS", 50_000_000))


def _fail(field: str, message: str):
    raise ValidationFailed(message, fields={field: [message]})


def _city_writer(actor, perm: str) -> None:
    require_perm(actor, perm)
    if not user_sees_all_townships(actor):
        raise PermissionDenied("只有市局人员可以修改攻坚行动目标和录入进展")


def _decimal(raw, field: str, label: str, *, required: bool) -> Decimal | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if required:
            _fail(field, f"请填写{label}")
        return None
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        _fail(field, f"{label}应为数字")
    if not value.is_finite():
        _fail(field, f"{label}应为数字")
    if value < 0 or value > VALUE_MAX:
        _fail(field, f"{label}应在 0 到 {VALUE_MAX:,} 之间")
    if value != value.quantize(Decimal("0.01")):
        _fail(field, f"{label}最多保留两位小数")
    return value


def _text(data, field, label, *, max_length, required=False) -> str:
    raw = data.get(field)
    try:
        value = (clean_text("" if raw is None else str(raw), multiline=False) or "").strip()
    except ValidationError as exc:
        _fail(field, f"{label}：{exc.messages[0]}")
    if required and not value:
        _fail(field, f"请填写{label}")
    if len(value) > max_length:
        _fail(field, f"{label}不能超过 {max_length} 个字")
    return value


def defaults_ensure() -> dict:
    """The default campaigns and targets (never overwriting), e.g. after a database's tables were emptied."""
    return defaults.defaults_load(SimpleNamespace(Campaign=Campaign, CampaignTarget=CampaignTarget))


# ------------------------------------------------------------------------------------------------ targets
@transaction.atomic
def target_update(*, actor, target_id, data: dict) -> CampaignTarget:
    """Edit a target. ``effective_from`` equal to the version's own date corrects that version; a later date starts a
    new version (the current one ends the day before); an earlier date is refused. Only the latest version of a
    target can be edited. Returns the version written."""
    _city_writer(actor, "assessment.change_campaigntarget")
    try:
        target = CampaignTarget.objects.select_for_update().select_related("campaign").get(pk=int(target_id))
    except (CampaignTarget.DoesNotExist, ValueError, TypeError):
        raise OutOfScope("目标不存在") from None
    latest = (
        CampaignTarget.objects.filter(campaign_id=target.campaign_id, code=target.code)
        .order_by("-effective_from", "-id")
        .first()
    )
    if latest.pk != target.pk:
        raise Conflict(f"该目标已有 {latest.effective_from:%Y-%m-%d} 起的新版本，请修改最新版本")

    label = _text(data, "label", "目标名称", max_length=120, required=True)
    unit = _text(data, "unit", "单位", max_length=20)
    note = _text(data, "note", "备注", max_length=300)
    measure_code = (data.get("measure_code") or "").strip()
    if measure_code and measure_code != target.measure_code and measure_registry.measure(measure_code) is None:
        _fail("measure_code", f"计算指标“{measure_code}”不存在")
    value = _decimal(data.get("target_value"), "target_value", "目标值", required=False)
    scope = data.get("scope") or target.scope
    if scope not in TargetScope.values:
        _fail("scope", "考核范围只能是“全市”或“各镇街”")
    higher = bool(data.get("higher_is_better"))
    effective_from = data.get("effective_from")
    if not isinstance(effective_from, dt.date):
        _fail("effective_from", "请填写生效日期")
    if effective_from < target.effective_from:
        _fail(
            "effective_from",
            f"生效日期不能早于现行版本的生效日期 {target.effective_from:%Y-%m-%d}（历史版本不能改写）",
        )
    if target.effective_to and effective_from == target.effective_from and target.effective_to < effective_from:
        _fail("effective_from", "生效日期晚于失效日期")

    fields = {
        "label": label,
        "measure_code": measure_code,
        "target_value": value,
        "unit": unit,
        "scope": scope,
        "higher_is_better": higher,
        "note": note,
    }
    before = model_snapshot(target, fields=TARGET_FIELDS + ("effective_from", "effective_to"))
    if effective_from == target.effective_from:
        for name, v in fields.items():
            setattr(target, name, v)
        target.is_default = False
        target.updated_by = actor
        target.save()
        written, kind = target, "correct"
        changes = diff(before, model_snapshot(target, fields=TARGET_FIELDS + ("effective_from", "effective_to")))
    else:
        previous_end = target.effective_to
        if previous_end is None or previous_end >= effective_from:  # a retired version keeps its own end
            target.effective_to = effective_from - dt.timedelta(days=1)
            target.save(update_fields=["effective_to", "updated_at"])
        written = CampaignTarget.objects.create(
            campaign=target.campaign,
            code=target.code,
            order=target.order,
            source=target.source,
            effective_from=effective_from,
            effective_to=previous_end if previous_end and previous_end >= effective_from else None,
            is_default=False,
            updated_by=actor,
            **fields,
        )
        kind = "new_version"
        changes = diff(before, model_snapshot(written, fields=TARGET_FIELDS + ("effective_from", "effective_to")))
    audit_record(
        "assessment.campaign_target_update",
        obj=written,
        actor=actor,
        changes=changes,
        extra={"kind": kind, "campaign": target.campaign.code, "code": target.code, "previous_version": target.pk},
    )
    return written


# ------------------------------------------------------------------------------------------------ manual progress
def _safe_name(upload) -> str:
    name = str(getattr(upload, "name", "") or "").replace("/", "_").replace("\\", "_")
    try:
        return (clean_text(name, multiline=False) or "")[:120]
    except ValidationError:
        return ""


@transaction.atomic
def progress_record(*, actor, target_id, data: dict, evidence) -> CampaignProgress:
    """Record a manual progress value of a manual target for a year (the city's, or a township's for a township
    target), with a note and an evidence file (photo or PDF, checked by content). The entry is stored on the version
    of the target in force for that year."""
    _city_writer(actor, "assessment.add_campaignprogress")
    try:
        target = CampaignTarget.objects.select_related("campaign").get(pk=int(target_id))
    except (CampaignTarget.DoesNotExist, ValueError, TypeError):
        raise OutOfScope("目标不存在") from None
    if not target.is_manual:
        _fail("value", "该目标由平台数据计算，不能人工录入进展")

    try:
        year = int(data.get("year"))
    except (TypeError, ValueError):
        _fail("year", "请填写年度")
    if not 2000 <= year <= 2100:
        _fail("year", "年度应在 2000 到 2100 之间")
    versions = list(CampaignTarget.objects.filter(campaign_id=target.campaign_id, code=target.code))
    version = in_force(versions, year=year)
    if version is None:
        _fail("year", f"该目标在 {year} 年不生效，不能录入该年度的进展")

    today = timezone.localdate()
    as_of = data.get("as_of") or min(today, dt.date(year, 12, 31))
    if not isinstance(as_of, dt.date):
        _fail("as_of", "请填写截至日期")
    if as_of.year != year:
        _fail("as_of", f"截至日期应在 {year} 年内")
    if as_of > today:
        _fail("as_of", "截至日期不能晚于今天")

    township = data.get("township")
    if township is not None:
        from apps.accounts.models import Township

        township_id = getattr(township, "pk", township)
        township = Township.objects.filter(pk=township_id, is_active=True).first()
        if township is None:
            _fail("township", "镇街不存在")
        if version.scope == TargetScope.CITY:
            _fail("township", "全市目标只录入全市的进展（镇街留空）")

    value = _decimal(data.get("value"), "value", "进展值", required=True)
    note = _text(data, "note", "说明", max_length=500, required=True)
    if not evidence:
        _fail("evidence", "请上传证据文件（照片或 PDF）")
    checked = uploads.check_upload(
        evidence,
        allowed=EVIDENCE_TYPES,
        max_bytes=evidence_max_bytes(),
        max_pixels=evidence_max_pixels(),
        field="evidence",
        label="证据文件",
    )
    entry = CampaignProgress(
        target=version,
        year=year,
        township=township,
        value=value,
        as_of=as_of,
        note=note,
        original_name=_safe_name(evidence),
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        recorded_by=actor,
    )
    entry.evidence.save(f"{uuid.uuid4().hex}.{checked.extension}", ContentFile(checked.data), save=False)
    entry.save()
    audit_record(
        "assessment.campaign_progress_record",
        obj=entry,
        actor=actor,
        extra={
            "target": version.pk,
            "campaign": target.campaign.code,
            "year": year,
            "township": township.pk if township else None,
            "value": str(value),
            "evidence_sha256": checked.sha256,
            "evidence_type": checked.content_type,
        },
    )
    return entry
