"""The rules of the 抽样单 that every write path shares (task create, sample create, the phone form, the API):
抽检分离, at least two samplers, the sealed backup sample and the dates. Pure functions: each raises
``ValidationFailed`` whose ``fields`` name the field (Chinese messages), or returns the cleaned value.

``assert_separated`` is imported by the other subpackages too (lab: a 复检 lab differs from the first lab and from
the sampler)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from apps.common.exceptions import ValidationFailed

from ..choices import OrganisationKind

SEPARATION_MESSAGE = "抽样机构与检验机构不得为同一单位（抽检分离）"
MIN_SAMPLERS = 2
MAX_SAMPLERS = 4
SAMPLER_NAME_MAX = 20


def assert_separated(sampling_org, lab, *, sampler_field: str = "sampling_org", lab_field: str = "lab") -> None:
    """抽检分离: the sampling organisation and the testing lab are different rows AND different legal persons (two
    rows with one USCC are one unit). Either may be None (nothing to compare yet)."""
    if sampling_org is None or lab is None:
        return
    same_row = sampling_org.pk is not None and sampling_org.pk == lab.pk
    sampler_uscc = (sampling_org.uscc or "").strip().upper()
    same_uscc = bool(sampler_uscc) and sampler_uscc == (lab.uscc or "").strip().upper()
    if same_row or same_uscc:
        raise ValidationFailed(SEPARATION_MESSAGE, fields={lab_field: [SEPARATION_MESSAGE]}, code="not_separated")


def check_organisation_kinds(sampling_org, lab) -> None:
    """The sampler is an active 抽样机构 and the lab an active 检验机构."""
    errors = {}
    if sampling_org is not None:
        if sampling_org.kind != OrganisationKind.SAMPLER:
            errors["sampling_org"] = [f"“{sampling_org.name}”不是抽样机构"]
        elif not sampling_org.is_active:
            errors["sampling_org"] = [f"抽样机构“{sampling_org.name}”已停用"]
    if lab is not None:
        if lab.kind != OrganisationKind.LAB:
            errors["lab"] = [f"“{lab.name}”不是检验机构"]
        elif not lab.is_active:
            errors["lab"] = [f"检验机构“{lab.name}”已停用"]
    if errors:
        raise ValidationFailed("；".join(m for msgs in errors.values() for m in msgs), fields=errors)


def clean_samplers(names) -> list[str]:
    """≥ 2 distinct, non-empty sampler names (at most 4), whitespace trimmed, order kept."""
    out: list[str] = []
    for raw in names or []:
        name = " ".join(str(raw or "").split())
        if not name:
            continue
        if len(name) > SAMPLER_NAME_MAX:
            raise ValidationFailed(
                f"抽样人员姓名不能超过 {SAMPLER_NAME_MAX} 个字",
                fields={"samplers": [f"姓名不能超过 {SAMPLER_NAME_MAX} 个字"]},
            )
        if name in out:
            raise ValidationFailed(
                f"抽样人员“{name}”重复填写：至少需要 {MIN_SAMPLERS} 名不同的抽样人员",
                fields={"samplers": [f"“{name}”重复，至少需要 {MIN_SAMPLERS} 名不同的抽样人员"]},
            )
        out.append(name)
    if len(out) < MIN_SAMPLERS:
        raise ValidationFailed(
            f"抽样人员至少 {MIN_SAMPLERS} 名（现场抽样不得少于两人）",
            fields={"samplers": [f"请填写至少 {MIN_SAMPLERS} 名抽样人员的姓名"]},
        )
    if len(out) > MAX_SAMPLERS:
        raise ValidationFailed(
            f"抽样人员最多 {MAX_SAMPLERS} 名", fields={"samplers": [f"最多填写 {MAX_SAMPLERS} 名抽样人员"]}
        )
    return out


def date_errors(*, production_date: dt.date | None, sampled_on: dt.date | None, today: dt.date | None = None) -> dict:
    """Field → messages for the two dates: neither in the future, production not after sampling."""
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    if sampled_on is not None and sampled_on > today:
        errors["sampled_on"] = ["抽样日期不能晚于今天"]
    if production_date is not None:
        if production_date > today:
            errors["production_date"] = ["生产日期不能晚于今天"]
        elif sampled_on is not None and production_date > sampled_on:
            errors["production_date"] = ["生产日期不能晚于抽样日期"]
    return errors


def backup_errors(*, seal_no: str, backup_quantity, sealed_by_site: bool) -> dict:
    """Field → messages for the sealed backup sample (复检备份样品): seal number, quantity ≥ 1, signed on site."""
    errors: dict[str, list[str]] = {}
    if not (seal_no or "").strip():
        errors["backup_seal_no"] = ["请填写备份样品封条编号"]
    if backup_quantity is None or backup_quantity < 1:
        errors["backup_quantity"] = ["备样数量至少为 1"]
    if not sealed_by_site:
        errors["backup_sealed_by_site"] = ["备份样品须由被抽样单位在封条上签字确认"]
    return errors


# ---------------------------------------------------------------------------- the number scheme
def number_prefix() -> str:
    return str(getattr(settings, "SAMPLING_NUMBER_PREFIX", "DC"))


def division_code() -> str:
    return str(getattr(settings, "SAMPLING_DIVISION_CODE", "330481"))


SEQUENCE_DIGITS = 9


def format_number(year: int, division: str, sequence: int) -> str:
    """``DC`` + yy + 6-digit division + 9-digit sequence: ``DC26330481000000001`` (19 characters, like the observed
    ``DC19142400463230158``)."""
    if not (1 <= sequence < 10**SEQUENCE_DIGITS):
        raise ValidationFailed("本年度抽样单编号已用尽", code="sequence_exhausted")
    return f"{number_prefix()}{year % 100:02d}{division}{sequence:0{SEQUENCE_DIGITS}d}"


def region() -> list[str]:
    """The sampled site's province / city / county (the platform is Haining's)."""
    return list(getattr(settings, "SAMPLING_REGION", ["浙江省", "嘉兴市", "海宁市"]))
