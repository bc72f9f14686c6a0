"""Writes of the organisations of 抽检分离: sampling organisations (抽样机构) and testing labs (检验机构), with their
members (platform accounts that act for them). City-wide reference data, kept by city staff."""

from __future__ import annotations

from django.db import transaction

from apps.common.audit import audit_record, diff, model_snapshot
from apps.common.exceptions import InvalidTransition, OutOfScope, ValidationFailed
from apps.common.permissions import require_perm
from apps.enterprises.identifiers import check_uscc, normalize_code

from ...choices import OrganisationKind
from ...models import Organisation, Sample, SamplingTask

TEXT_FIELDS = {
    "name": ("名称", 100),
    "address": ("地址", 200),
    "contact_person": ("联系人", 50),
    "phone": ("电话", 30),
    "email": ("电子邮箱", 100),
    "fax": ("传真", 30),
    "province": ("所在省份", 20),
}
ORGANISATION_FIELDS = (*TEXT_FIELDS, "kind", "uscc", "is_recheck_lab", "is_active")


def _clean(data: dict, *, instance: Organisation | None) -> tuple[dict, list[int] | None]:
    errors: dict[str, list[str]] = {}
    values: dict = {}
    for name, (label, max_length) in TEXT_FIELDS.items():
        if name not in data and instance is not None:
            continue
        text = " ".join(str(data.get(name) or "").split())
        if len(text) > max_length:
            errors[name] = [f"{label}不能超过 {max_length} 个字"]
        values[name] = text
    if "name" in values and not values["name"]:
        errors["name"] = ["请填写名称"]
    if "kind" in data or instance is None:
        kind = str(data.get("kind") or "")
        if kind not in OrganisationKind.values:
            errors["kind"] = ["请选择类型（抽样机构或检验机构）"]
        values["kind"] = kind
    if "uscc" in data or instance is None:
        code = normalize_code(data.get("uscc"))
        if code:
            check = check_uscc(code)
            problems = check.errors + check.warnings
            if problems:
                errors["uscc"] = problems
        values["uscc"] = code
    for flag in ("is_recheck_lab", "is_active"):
        if flag in data:
            values[flag] = bool(data.get(flag))
    kind = values.get("kind", instance.kind if instance else "")
    if values.get("is_recheck_lab", instance.is_recheck_lab if instance else False) and kind != OrganisationKind.LAB:
        errors["is_recheck_lab"] = ["只有检验机构可以列入复检机构名录"]
    members = None
    if "members" in data:
        members = []
        for raw in data.get("members") or []:
            try:
                members.append(int(getattr(raw, "pk", raw)))
            except (TypeError, ValueError):
                errors["members"] = ["人员编号无效"]
                break
    if errors:
        labels = {**{k: v[0] for k, v in TEXT_FIELDS.items()}, "kind": "类型", "uscc": "统一社会信用代码"}
        labels |= {"is_recheck_lab": "复检机构名录", "members": "人员"}
        raise ValidationFailed("请检查：" + "、".join(labels.get(k, k) for k in errors), fields=errors)
    return values, members


def _set_members(org: Organisation, member_ids: list[int], *, actor) -> list[str]:
    """Members are active platform accounts; nobody belongs to a sampling organisation and a lab at once (抽检分离
    at the level of a person)."""
    from apps.accounts.models import User

    ids = sorted(set(member_ids))
    users = list(User.objects.visible_to(actor).filter(pk__in=ids, is_active=True))
    if len(users) != len(ids):
        raise ValidationFailed("人员不存在或已停用", fields={"members": ["所选人员不存在或已停用"]})
    other_kind = OrganisationKind.LAB if org.kind == OrganisationKind.SAMPLER else OrganisationKind.SAMPLER
    clash = (
        Organisation.members.through.objects.filter(user_id__in=ids, organisation__kind=other_kind)
        .select_related("user", "organisation")
        .order_by("user_id")
    )
    problems = [f"{row.user.full_name or row.user.username} 已是“{row.organisation.name}”的人员" for row in clash]
    if problems:
        message = "同一人员不得同时属于抽样机构和检验机构（抽检分离）：" + "；".join(problems)
        raise ValidationFailed(message, fields={"members": problems})
    org.members.set(users)
    return sorted(u.username for u in users)


@transaction.atomic
def organisation_create(*, actor, data: dict) -> Organisation:
    require_perm(actor, "sampling.add_organisation")
    values, members = _clean(data, instance=None)
    if Organisation.objects.filter(name=values["name"]).exists():
        raise ValidationFailed("已有同名机构", fields={"name": ["已有同名机构"]})
    org = Organisation.objects.create(**values)
    usernames = _set_members(org, members, actor=actor) if members else []
    audit_record(
        "sampling.organisation_create",
        obj=org,
        actor=actor,
        changes=model_snapshot(org),
        extra={"members": usernames},
    )
    return org


@transaction.atomic
def organisation_update(*, actor, organisation_id: int, data: dict) -> Organisation:
    require_perm(actor, "sampling.change_organisation")
    try:
        org = Organisation.objects.select_for_update().get(pk=organisation_id)
    except (Organisation.DoesNotExist, TypeError, ValueError):
        raise OutOfScope() from None
    before = model_snapshot(org)
    before_members = sorted(org.members.values_list("username", flat=True))
    values, members = _clean(data, instance=org)
    if values.get("name") and Organisation.objects.filter(name=values["name"]).exclude(pk=org.pk).exists():
        raise ValidationFailed("已有同名机构", fields={"name": ["已有同名机构"]})
    if values.get("kind", org.kind) != org.kind:
        used = (
            SamplingTask.objects.filter(sampling_org=org).exists()
            or SamplingTask.objects.filter(lab=org).exists()
            or Sample.objects.filter(lab=org).exists()
        )
        if used:
            raise InvalidTransition("已承担抽样任务或检验的机构不能更改类型", fields={"kind": ["已有任务，不能更改"]})
    for key, value in values.items():
        setattr(org, key, value)
    org.save()
    after_members = _set_members(org, members, actor=actor) if members is not None else before_members
    changes = diff(before, model_snapshot(org))
    if after_members != before_members:
        changes["members"] = [before_members, after_members]
    audit_record("sampling.organisation_update", obj=org, actor=actor, changes=changes)
    return org
