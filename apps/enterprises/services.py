"""Writes of the enterprise registry (检查对象名录库). Every write is one transaction with one audit event.

Stable service API (pages, the REST API, the Excel import and ``seed_demo`` call only these; keep the
signatures stable, add keyword arguments with defaults only):

``enterprise_create(*, actor, data, licences=None) -> Enterprise``
    ``data`` uses the *data vocabulary* below. Status starts as 营业. Township must be in the actor's scope.
``enterprise_update(*, actor, enterprise_id, data, expected_version=None, licences=None) -> Enterprise``
    Only the keys present in ``data`` change (PATCH semantics). ``township`` cannot change (400).
    ``expected_version`` (the ETag / the form's hidden version): stale → ``PreconditionFailed`` (412).
    ``licences`` (if not None) is the full list: missing licences are set inactive, new ones created.
``enterprise_deactivate(*, actor, enterprise_id, status, reason, expected_version=None) -> Enterprise``
    营业 → 停业 / 注销, or 停业 → 注销. A reason is required. The row stays (it is visible in the change feed).
``enterprise_reactivate(*, actor, enterprise_id, reason="", expected_version=None) -> Enterprise``
    停业 → 营业 (注销 is final).
``licence_add(*, actor, enterprise_id, data, expected_version=None) -> Licence``
``licence_update(*, actor, licence_id, data, expected_version=None) -> Licence``
``licence_deactivate(*, actor, licence_id, expected_version=None) -> Licence``
    Licence writes bump the enterprise's version and updated_at (so the change feed and ETags see them).
``enterprise_clean(*, actor, data, instance=None) -> Cleaned``
    The validation used by all of the above (also handy for a dry run of one row).

Data vocabulary (keys of ``data``; all optional on update):
    name, uscc, uscc_override_reason, legal_representative, contact_person, contact_phone, registered_address,
    business_address, township (Township, id, code or name), latitude, longitude,
    business_type (BusinessType, id, code or name), food_categories (list of FoodCategory / id / code / name),
    scale, area_type (codes or Chinese labels), sunshine_kitchen, sunshine_kitchen_online, online_catering,
    responsibility_list, responsibility_list_date, liability_insurance, third_party_evaluator, cold_chain,
    brand_tags (list of "pinzibiao" / "gi" or labels), health_cert_count, health_cert_next_expiry.
Licence dicts: kind (SC/JY/YB/DJ/DK), number, issued_on, expires_on (dates).

Identifiers (DOMAIN.md §4): a USCC with a wrong shape or alphabet is refused; a check-character mismatch
(pos. 17 or 18) is refused *unless* ``uscc_override_reason`` is given, in which case the warning is stored in
``uscc_warning`` and the reason in ``uscc_override_reason`` (both in the audit event). Licence numbers: a wrong
shape is refused; an ISO 7064 check-digit mismatch is only stored as ``Licence.check_warning``.
"""

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import Township
from apps.common.audit import audit_record, diff, model_snapshot
from apps.common.exceptions import InvalidTransition, PreconditionFailed, ValidationFailed
from apps.common.permissions import require_perm
from apps.common.scoping import user_sees_all_townships, user_township_ids
from apps.common.text import clean_text

from .choices import AreaType, BrandTag, EnterpriseStatus, LicenceKind, Scale
from .identifiers import check_licence, check_uscc, configured_home_divisions
from .models import BusinessType, Enterprise, FoodCategory, Licence
from .pinyin import name_initials

TEXT_FIELDS = {
    "name": 200,
    "legal_representative": 50,
    "contact_person": 50,
    "contact_phone": 30,
    "registered_address": 255,
    "business_address": 255,
    "third_party_evaluator": 100,
    "uscc_override_reason": 200,
}
BOOL_FIELDS = (
    "sunshine_kitchen",
    "sunshine_kitchen_online",
    "online_catering",
    "responsibility_list",
    "liability_insurance",
    "cold_chain",
)
DATE_FIELDS = ("responsibility_list_date", "health_cert_next_expiry")
# Fields the data vocabulary may set (township only at create). Everything else (status, version, created_by,
# deactivated_at, uscc_warning ...) is written by the services themselves.
WRITABLE_FIELDS = (
    "name",
    "uscc",
    "uscc_override_reason",
    "legal_representative",
    "contact_person",
    "contact_phone",
    "registered_address",
    "business_address",
    "township",
    "latitude",
    "longitude",
    "business_type",
    "food_categories",
    "scale",
    "area_type",
    *BOOL_FIELDS,
    "responsibility_list_date",
    "third_party_evaluator",
    "brand_tags",
    "health_cert_count",
    "health_cert_next_expiry",
)
# Snapshot fields for audit diffs (concrete fields a person would care about).
AUDITED_FIELDS = [f for f in WRITABLE_FIELDS if f not in ("township", "business_type", "food_categories")] + [
    "township",
    "business_type",
    "uscc_warning",
    "status",
    "status_reason",
    "deactivated_at",
    "version",
]
PHONE_RE = re.compile(r"^[0-9+\-() ]{5,30}$")
_WRITABLE = frozenset(WRITABLE_FIELDS)
_SPACES_RE = re.compile(r"\s+")
DEACTIVATED = (EnterpriseStatus.SUSPENDED, EnterpriseStatus.CANCELLED)


def _one_line_spaces(text: str) -> str:
    """Every run of white space as one space. Printable text has no white space but " " (the other white-space
    characters are not printable), so without a double space there is nothing to change."""
    if text.isprintable() and "  " not in text:
        return text
    return _SPACES_RE.sub(" ", text)


# ------------------------------------------------------------------------------------------------ permissions


def actor_township_ids(actor) -> set[int] | None:
    """None = every township (city roles); otherwise the ids the actor may see and write."""
    if actor is None:  # system (seed, management commands)
        return None
    if user_sees_all_townships(actor):
        return None
    return user_township_ids(actor)


# ------------------------------------------------------------------------------------------------ cleaning
@dataclass
class Cleaned:
    values: dict = field(default_factory=dict)  # concrete field values (FKs as instances), ready to set
    food_categories: list | None = None  # FoodCategory instances, or None when not given
    errors: dict[str, list[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def error(self, key: str, message: str) -> None:
        self.errors.setdefault(key, []).append(message)

    @property
    def ok(self) -> bool:
        return not self.errors


class _Lookups:
    """Reference data resolved by instance, id, code or name, the actor's scope and the configured home divisions;
    loaded once per call (one instance for all rows of an import)."""

    def __init__(self):
        self._townships = None
        self._types = None
        self._categories = None
        self._scope = None
        self._home_divisions = None

    def actor_township_ids(self, actor) -> set[int] | None:
        if self._scope is None or self._scope[0] is not actor:
            self._scope = (actor, actor_township_ids(actor))
        return self._scope[1]

    def home_divisions(self) -> tuple[str, ...]:
        if self._home_divisions is None:
            self._home_divisions = configured_home_divisions()
        return self._home_divisions

    @staticmethod
    def _index(objs, *keys):
        out = {}
        for obj in objs:
            out[obj.pk] = obj
            for key in keys:
                out[str(getattr(obj, key))] = obj
        return out

    def townships(self):
        if self._townships is None:
            self._townships = self._index(Township.objects.all(), "code", "name")
        return self._townships

    def business_types(self):
        if self._types is None:
            self._types = self._index(BusinessType.objects.filter(is_active=True), "code", "name")
        return self._types

    def categories(self):
        if self._categories is None:
            self._categories = self._index(FoodCategory.objects.all(), "code", "name")
        return self._categories

    @staticmethod
    def resolve(table: dict, value):
        if type(value) is int:  # an id (what the import passes): the table's answer, as below
            return table.get(value)
        if value is None or value == "":
            return None
        if hasattr(value, "pk"):
            return table.get(value.pk)
        if isinstance(value, str):
            value = value.strip()
            if value.isdigit() and int(value) in table:
                return table[int(value)]
        return table.get(value)


_CHOICE_MAPS: dict = {}


def _choice(enum, value):
    """Accept the code or the Chinese label of a TextChoices value."""
    if value in (None, ""):
        return None
    mapping = _CHOICE_MAPS.get(enum)
    if mapping is None:  # once per enum: .choices builds a list of lazy labels on every access
        mapping = {str(label): code for code, label in enum.choices}
        mapping.update((code, code) for code in enum.values)
        _CHOICE_MAPS[enum] = mapping
    code = mapping.get(value) if type(value) is str else None  # a code or label as it is (the usual case)
    return code if code is not None else mapping.get(str(value).strip(), False)


def _as_bool(value):
    if isinstance(value, bool):
        return value
    if value in (None, ""):
        return False
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "y", "是", "有", "√", "✓"):
        return True
    if text in ("0", "false", "no", "n", "否", "无", "×"):
        return False
    return None


def _as_date(value):
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        return False


def _as_decimal(value, low, high):
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return False
    if not (low <= number <= high):
        return False
    return number.quantize(Decimal("0.000001"))


def enterprise_clean(*, actor, data: dict, instance: Enterprise | None = None, lookups: _Lookups | None = None):
    """Validate and normalise ``data`` (the data vocabulary). Returns ``Cleaned``; never writes."""
    lk = lookups or _Lookups()
    out = Cleaned()
    creating = instance is None
    if not data.keys() <= _WRITABLE:
        for key in sorted(set(data) - _WRITABLE):
            out.error(key, "不支持的字段")

    for key, max_len in TEXT_FIELDS.items():
        if key in data:
            try:  # the same rule as forms and the API (apps/common/text.py): here it also covers the Excel import
                text = "" if data[key] is None else clean_text(_one_line_spaces(str(data[key])), multiline=False)
            except ValidationError as exc:
                out.error(key, exc.messages[0])
                continue
            if len(text) > max_len:
                out.error(key, f"不能超过 {max_len} 个字符")
            out.values[key] = text
    if out.values.get("name"):
        out.values["name_initials"] = name_initials(out.values["name"])
    if creating or "name" in data:
        if not out.values.get("name") and "name" not in out.errors:
            out.error("name", "名称不能为空")
    if out.values.get("contact_phone") and not PHONE_RE.match(out.values["contact_phone"]):
        out.error("contact_phone", "联系电话只能包含数字、空格和 + - ( )")

    # --- USCC: shape refused; check-character mismatch needs a reason
    if "uscc" in data:
        raw = data["uscc"]
        if raw in (None, ""):
            out.values["uscc"] = None
            out.values["uscc_warning"] = ""
        else:
            check = check_uscc(raw, home_divisions=lk.home_divisions())
            if check.errors:
                for msg in check.errors:
                    out.error("uscc", msg)
            else:
                out.values["uscc"] = check.value
                reason = out.values.get("uscc_override_reason")
                if reason is None and instance is not None:
                    reason = instance.uscc_override_reason
                if check.warnings:
                    warning = "；".join(check.warnings)
                    if not reason:
                        out.error(
                            "uscc",
                            f"统一社会信用代码校验未通过：{warning}。请核对；如确认证照上的代码就是如此，请填写“校验位例外说明”",
                        )
                    out.values["uscc_warning"] = warning[:200]
                    out.values["uscc_override_reason"] = reason or ""
                    out.warnings.append(warning)
                else:
                    out.values["uscc_warning"] = ""
                    out.values["uscc_override_reason"] = ""
    elif "uscc_override_reason" in data and instance is not None:
        if not instance.uscc_warning:
            out.values["uscc_override_reason"] = ""  # a reason without a warning has nothing to explain
        elif not out.values.get("uscc_override_reason"):
            out.error(
                "uscc_override_reason", f"统一社会信用代码校验未通过（{instance.uscc_warning}），必须保留例外说明"
            )

    # --- township: only at create, only within the actor's scope
    if "township" in data:
        if not creating:
            township = lk.resolve(lk.townships(), data["township"])
            if township is None or township.pk != instance.township_id:
                registered = lk.townships().get(instance.township_id)
                out.error("township", f"所属镇街只能在新建时设定，不能修改（已登记为“{registered}”）")
        else:
            township = lk.resolve(lk.townships(), data["township"])
            allowed = lk.actor_township_ids(actor)
            if township is None or (allowed is not None and township.pk not in allowed):
                out.error("township", "镇街不存在或不在您的管辖范围内")
            else:
                out.values["township"] = township
    elif creating:
        out.error("township", "请选择所属镇街")

    if "business_type" in data:
        business_type = lk.resolve(lk.business_types(), data["business_type"])
        if business_type is None:
            out.error("business_type", "业态不存在或已停用")
        else:
            out.values["business_type"] = business_type
    elif creating:
        out.error("business_type", "请选择业态")

    if "food_categories" in data:
        cats = []
        for item in data["food_categories"] or []:
            cat = lk.resolve(lk.categories(), item)
            if cat is None:
                out.error("food_categories", f"食品类别不存在：{item}")
            elif cat not in cats:
                cats.append(cat)
        out.food_categories = cats

    for key, enum, label in (("scale", Scale, "规模"), ("area_type", AreaType, "城乡")):
        if key in data:
            value = _choice(enum, data[key])
            if value is False:
                out.error(key, f"{label}取值无效：{data[key]}（可选：{'、'.join(str(x) for x in enum.labels)}）")
            elif value is not None:
                out.values[key] = value

    for key in BOOL_FIELDS:
        if key in data:
            value = _as_bool(data[key])
            if value is None:
                out.error(key, f"应为“是”或“否”：{data[key]}")
            else:
                out.values[key] = value
    for key in DATE_FIELDS:
        if key in data:
            value = _as_date(data[key])
            if value is False:
                out.error(key, f"日期格式不正确：{data[key]}（应为 YYYY-MM-DD）")
            else:
                out.values[key] = value

    if "brand_tags" in data:
        tags = []
        for item in data["brand_tags"] or []:
            code = _choice(BrandTag, item)
            if not code:
                out.error("brand_tags", f"品牌标识无效：{item}（可选：品字标、地理标志）")
            elif code not in tags:
                tags.append(code)
        out.values["brand_tags"] = tags

    if "health_cert_count" in data:
        try:
            count = int(data["health_cert_count"] or 0)
            if count < 0 or count > 100000:
                raise ValueError
            out.values["health_cert_count"] = count
        except (TypeError, ValueError):
            out.error("health_cert_count", "健康证人数应为 0 或正整数")

    for key, low, high in (("latitude", -90, 90), ("longitude", -180, 180)):
        if key in data:
            value = _as_decimal(data[key], low, high)
            if value is False:
                out.error(key, f"坐标无效：{data[key]}")
            else:
                out.values[key] = value

    # --- cross-field rules (on the values the row will have after the change)
    def after(key):
        if key in out.values:
            return out.values[key]
        return getattr(instance, key) if instance is not None else Enterprise._meta.get_field(key).get_default()

    if after("sunshine_kitchen_online") and not after("sunshine_kitchen"):
        out.error("sunshine_kitchen_online", "未建阳光厨房的单位不能标记“阳光厨房已联网”")
    if after("responsibility_list_date") and not after("responsibility_list"):
        out.error("responsibility_list_date", "未建立主体责任清单时不能填写清单日期")
    return out


def licence_clean(data: dict, *, business_type: BusinessType | None = None) -> tuple[dict, dict, list[str]]:
    """-> (values, errors, warnings). Shape errors refuse; the ISO 7064 check only warns (DOMAIN.md §4.2)."""
    values, errors, warnings = {}, {}, []
    kind = _choice(LicenceKind, data.get("kind"))
    if not kind:
        errors["kind"] = [f"证照类型无效：{data.get('kind')}（可选：SC、JY、YB、DJ、DK）"]
        return values, errors, warnings
    values["kind"] = kind
    check = check_licence(kind, data.get("number"))
    if check.errors:
        errors["number"] = check.errors
    values["number"] = check.value
    warnings.extend(check.warnings)
    if business_type is not None and business_type.licence_kinds and kind not in business_type.licence_kinds:
        warnings.append(f"业态“{business_type.name}”通常不使用{LicenceKind(kind).label}")
    for key in ("issued_on", "expires_on"):
        value = _as_date(data.get(key))
        if value is False:
            errors[key] = [f"日期格式不正确：{data.get(key)}（应为 YYYY-MM-DD）"]
        else:
            values[key] = value
    if values.get("issued_on") and values.get("expires_on") and values["expires_on"] < values["issued_on"]:
        errors["expires_on"] = ["有效期至不能早于发证日期"]
    values["check_warning"] = "；".join(warnings)[:200]
    return values, errors, warnings


# ------------------------------------------------------------------------------------------------ helpers
def _locked(actor, enterprise_id) -> Enterprise:
    """The row, in the actor's scope (else DoesNotExist → 404), locked for the rest of the transaction."""
    qs = Enterprise.objects.visible_to(actor) if actor is not None else Enterprise.objects.all()
    try:
        return qs.select_for_update(of=("self",)).get(pk=enterprise_id)
    except (Enterprise.DoesNotExist, ValueError, TypeError):
        raise Enterprise.DoesNotExist("未找到该检查对象") from None


def _check_version(enterprise: Enterprise, expected_version) -> None:
    if expected_version is None:
        return
    try:
        expected = int(expected_version)
    except (TypeError, ValueError):
        raise PreconditionFailed("版本号无效") from None
    if expected != enterprise.version:
        raise PreconditionFailed(
            f"该检查对象已被他人修改（当前版本 {enterprise.version}，您提交的是版本 {expected}），请刷新后重新编辑",
            fields={"version": [str(enterprise.version)]},
        )


def _raise_if_errors(errors: dict) -> None:
    if errors:
        raise ValidationFailed(fields=errors)


def _uscc_taken(uscc: str, exclude_pk=None) -> bool:
    # Deliberately unscoped: a code registered in another township is still taken (the answer reveals nothing else).
    qs = Enterprise.objects.filter(uscc=uscc)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs.exists()


def _snapshot(enterprise: Enterprise) -> dict:
    snap = model_snapshot(enterprise, AUDITED_FIELDS)
    return snap


def _bump(enterprise: Enterprise, actor) -> None:
    enterprise.version += 1
    enterprise.updated_by = actor if actor is not None and actor.is_authenticated else None


def _licence_errors_prefixed(index: int, errors: dict) -> dict:
    return {f"licences[{index}].{key}": msgs for key, msgs in errors.items()}


def _sync_licences(enterprise: Enterprise, licences: list[dict], *, replace: bool) -> tuple[list, dict]:
    """Create/update the enterprise's licences from dicts. Returns (change notes for the audit, errors)."""
    errors, notes = {}, []
    current = {(lic.kind, lic.number): lic for lic in enterprise.licences.all()}
    seen = set()
    cleaned = []
    for i, data in enumerate(licences):
        values, errs, _ = licence_clean(data, business_type=enterprise.business_type)
        if errs:
            errors.update(_licence_errors_prefixed(i, errs))
            continue
        key = (values["kind"], values["number"])
        if key in seen:
            errors[f"licences[{i}].number"] = ["同一证照重复填写"]
            continue
        seen.add(key)
        if key not in current:
            other = Licence.objects.filter(kind=key[0], number=key[1]).exclude(enterprise=enterprise).exists()
            if other:
                errors[f"licences[{i}].number"] = ["该证照编号已登记在其他检查对象名下"]
                continue
        cleaned.append(values)
    if errors:
        return notes, errors
    for values in cleaned:
        key = (values["kind"], values["number"])
        lic = current.get(key)
        if lic is None:
            Licence.objects.create(enterprise=enterprise, is_active=True, **values)
            notes.append({"licence": f"{key[0]} {key[1]}", "change": "新增"})
            continue
        changed = {k: v for k, v in values.items() if getattr(lic, k) != v}
        if not lic.is_active:
            changed["is_active"] = True
        if changed:
            before = {k: getattr(lic, k) for k in changed}
            for k, v in changed.items():
                setattr(lic, k, v)
            lic.save(update_fields=[*changed, "updated_at"])
            notes.append({"licence": f"{key[0]} {key[1]}", "change": "修改", "diff": diff(before, changed)})
    if replace:
        for key, lic in current.items():
            if key not in seen and lic.is_active:
                lic.is_active = False
                lic.save(update_fields=["is_active", "updated_at"])
                notes.append({"licence": f"{key[0]} {key[1]}", "change": "停用"})
    return notes, errors


def _apply(enterprise: Enterprise, cleaned: Cleaned) -> None:
    for key, value in cleaned.values.items():
        setattr(enterprise, key, value)


# ------------------------------------------------------------------------------------------------ single writes
@transaction.atomic
def enterprise_create(*, actor, data: dict, licences: list[dict] | None = None) -> Enterprise:
    require_perm(actor, "enterprises.add_enterprise", system_allowed=True)
    cleaned = enterprise_clean(actor=actor, data=data)
    if cleaned.values.get("uscc") and _uscc_taken(cleaned.values["uscc"]):
        cleaned.error("uscc", "该统一社会信用代码已登记，请勿重复新建（可在名录中搜索后编辑）")
    _raise_if_errors(cleaned.errors)
    enterprise = Enterprise(status=EnterpriseStatus.OPERATING, version=1)
    _apply(enterprise, cleaned)
    enterprise.created_by = enterprise.updated_by = actor if actor is not None else None
    enterprise.full_clean(exclude=["food_categories"], validate_unique=False, validate_constraints=False)
    enterprise.save()
    if cleaned.food_categories is not None:
        enterprise.food_categories.set(cleaned.food_categories)
    notes = []
    if licences:
        notes, errors = _sync_licences(enterprise, licences, replace=False)
        _raise_if_errors(errors)
    after = _snapshot(enterprise)
    audit_record(
        "enterprise.create",
        obj=enterprise,
        actor=actor,
        changes={"after": after},
        extra={
            "food_categories": [c.code for c in cleaned.food_categories or []],
            "licences": notes,
            **(
                {"uscc_warning": enterprise.uscc_warning, "uscc_override_reason": enterprise.uscc_override_reason}
                if enterprise.uscc_warning
                else {}
            ),
        },
    )
    return enterprise


@transaction.atomic
def enterprise_update(
    *, actor, enterprise_id: int, data: dict, expected_version=None, licences: list[dict] | None = None
) -> Enterprise:
    require_perm(actor, "enterprises.change_enterprise", system_allowed=True)
    enterprise = _locked(actor, enterprise_id)
    _check_version(enterprise, expected_version)
    if enterprise.status == EnterpriseStatus.CANCELLED:
        raise InvalidTransition("已注销的检查对象不能再修改")
    cleaned = enterprise_clean(actor=actor, data=data, instance=enterprise)
    new_uscc = cleaned.values.get("uscc")
    if new_uscc and new_uscc != enterprise.uscc and _uscc_taken(new_uscc, exclude_pk=enterprise.pk):
        cleaned.error("uscc", "该统一社会信用代码已登记在其他检查对象名下")
    _raise_if_errors(cleaned.errors)

    before = _snapshot(enterprise)
    before_cats = sorted(enterprise.food_categories.values_list("code", flat=True))
    _apply(enterprise, cleaned)
    after = _snapshot(enterprise)
    changes = diff(before, after)
    cat_change = None
    if cleaned.food_categories is not None:
        after_cats = sorted(c.code for c in cleaned.food_categories)
        if after_cats != before_cats:
            enterprise.food_categories.set(cleaned.food_categories)
            cat_change = [before_cats, after_cats]
    notes = []
    if licences is not None:
        notes, errors = _sync_licences(enterprise, licences, replace=True)
        _raise_if_errors(errors)
    if not changes and cat_change is None and not notes:
        return enterprise  # nothing changed: no new version, no audit noise
    if cat_change is not None:
        changes["food_categories"] = cat_change
    _bump(enterprise, actor)
    changes["version"] = [before["version"], enterprise.version]
    enterprise.full_clean(exclude=["food_categories"], validate_unique=False, validate_constraints=False)
    enterprise.save()
    extra = {"licences": notes} if notes else {}
    if "uscc_override_reason" in changes or "uscc_warning" in changes:
        extra["uscc_override_reason"] = enterprise.uscc_override_reason
    audit_record("enterprise.update", obj=enterprise, actor=actor, changes=changes, extra=extra)
    return enterprise


@transaction.atomic
def enterprise_deactivate(*, actor, enterprise_id: int, status: str, reason: str, expected_version=None) -> Enterprise:
    """停业 or 注销, with a reason. The row stays and shows up in the change feed with its new status."""
    require_perm(actor, "enterprises.change_enterprise", system_allowed=True)
    status = _choice(EnterpriseStatus, status)
    if status not in DEACTIVATED:
        raise ValidationFailed(fields={"status": ["只能设为“停业”或“注销”"]})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(fields={"reason": ["请填写停业/注销原因"]})
    if len(reason) > 200:
        raise ValidationFailed(fields={"reason": ["原因不能超过 200 个字符"]})
    enterprise = _locked(actor, enterprise_id)
    _check_version(enterprise, expected_version)
    if enterprise.status == EnterpriseStatus.CANCELLED:
        raise InvalidTransition("该检查对象已注销")
    if enterprise.status == status:
        raise InvalidTransition(f"该检查对象已是“{EnterpriseStatus(status).label}”状态")
    before = _snapshot(enterprise)
    enterprise.status = status
    enterprise.status_reason = reason
    enterprise.deactivated_at = timezone.now()
    _bump(enterprise, actor)
    enterprise.save()
    if status == EnterpriseStatus.CANCELLED:
        enterprise.licences.filter(is_active=True).update(is_active=False, updated_at=timezone.now())
    audit_record(
        "enterprise.deactivate",
        obj=enterprise,
        actor=actor,
        changes=diff(before, _snapshot(enterprise)),
        extra={"reason": reason},
    )
    return enterprise


@transaction.atomic
def enterprise_reactivate(*, actor, enterprise_id: int, reason: str = "", expected_version=None) -> Enterprise:
    """停业 → 营业. 注销 is final (a business that re-registers is a new record)."""
    require_perm(actor, "enterprises.change_enterprise", system_allowed=True)
    enterprise = _locked(actor, enterprise_id)
    _check_version(enterprise, expected_version)
    if enterprise.status != EnterpriseStatus.SUSPENDED:
        raise InvalidTransition("只有“停业”状态的检查对象可以恢复营业")
    before = _snapshot(enterprise)
    enterprise.status = EnterpriseStatus.OPERATING
    enterprise.status_reason = (reason or "").strip()[:200]
    enterprise.deactivated_at = None
    _bump(enterprise, actor)
    enterprise.save()
    audit_record(
        "enterprise.reactivate",
        obj=enterprise,
        actor=actor,
        changes=diff(before, _snapshot(enterprise)),
        extra={"reason": enterprise.status_reason},
    )
    return enterprise


def _licence_locked(actor, licence_id) -> tuple[Licence, Enterprise]:
    qs = Licence.objects.visible_to(actor) if actor is not None else Licence.objects.all()
    try:
        enterprise_id = qs.values_list("enterprise_id", flat=True).get(pk=licence_id)
    except (Licence.DoesNotExist, ValueError, TypeError):
        raise Licence.DoesNotExist("未找到该证照") from None
    enterprise = _locked(actor, enterprise_id)  # parent first (STYLE.md §3.3 lock order)
    licence = Licence.objects.select_for_update().get(pk=licence_id)
    return licence, enterprise


def _licence_write_guard(actor, enterprise: Enterprise, expected_version) -> None:
    require_perm(actor, "enterprises.change_enterprise", system_allowed=True)
    _check_version(enterprise, expected_version)
    if enterprise.status == EnterpriseStatus.CANCELLED:
        raise InvalidTransition("已注销的检查对象不能再修改证照")


@transaction.atomic
def licence_add(*, actor, enterprise_id: int, data: dict, expected_version=None) -> Licence:
    enterprise = _locked(actor, enterprise_id)
    _licence_write_guard(actor, enterprise, expected_version)
    values, errors, _ = licence_clean(data, business_type=enterprise.business_type)
    if not errors and Licence.objects.filter(kind=values["kind"], number=values["number"]).exists():
        errors["number"] = ["该证照编号已登记"]
    _raise_if_errors(errors)
    licence = Licence.objects.create(enterprise=enterprise, is_active=True, **values)
    _bump(enterprise, actor)
    enterprise.save(update_fields=["version", "updated_by", "updated_at"])
    audit_record(
        "enterprise.licence_add",
        obj=enterprise,
        actor=actor,
        changes={"licence": [None, model_snapshot(licence, ["kind", "number", "issued_on", "expires_on"])]},
        extra={"licence_id": licence.pk, "check_warning": licence.check_warning},
    )
    return licence


@transaction.atomic
def licence_update(*, actor, licence_id: int, data: dict, expected_version=None) -> Licence:
    licence, enterprise = _licence_locked(actor, licence_id)
    _licence_write_guard(actor, enterprise, expected_version)
    merged = {
        "kind": licence.kind,
        "number": licence.number,
        "issued_on": licence.issued_on,
        "expires_on": licence.expires_on,
        **data,
    }
    values, errors, _ = licence_clean(merged, business_type=enterprise.business_type)
    if not errors and (values["kind"], values["number"]) != (licence.kind, licence.number):
        if Licence.objects.filter(kind=values["kind"], number=values["number"]).exclude(pk=licence.pk).exists():
            errors["number"] = ["该证照编号已登记"]
    _raise_if_errors(errors)
    before = model_snapshot(licence, ["kind", "number", "issued_on", "expires_on", "check_warning"])
    for key, value in values.items():
        setattr(licence, key, value)
    after = model_snapshot(licence, ["kind", "number", "issued_on", "expires_on", "check_warning"])
    changes = diff(before, after)
    if not changes:
        return licence
    licence.save()
    _bump(enterprise, actor)
    enterprise.save(update_fields=["version", "updated_by", "updated_at"])
    audit_record(
        "enterprise.licence_update",
        obj=enterprise,
        actor=actor,
        changes={f"licence.{k}": v for k, v in changes.items()},
        extra={"licence_id": licence.pk, "licence": str(licence)},
    )
    return licence


@transaction.atomic
def licence_deactivate(*, actor, licence_id: int, expected_version=None) -> Licence:
    licence, enterprise = _licence_locked(actor, licence_id)
    _licence_write_guard(actor, enterprise, expected_version)
    if not licence.is_active:
        raise InvalidTransition("该证照已停用")
    licence.is_active = False
    licence.save(update_fields=["is_active", "updated_at"])
    _bump(enterprise, actor)
    enterprise.save(update_fields=["version", "updated_by", "updated_at"])
    audit_record(
        "enterprise.licence_deactivate",
        obj=enterprise,
        actor=actor,
        changes={"licence.is_active": [True, False]},
        extra={"licence_id": licence.pk, "licence": str(licence)},
    )
    return licence


FIELD_LABELS = {
    "name": "名称",
    "uscc": "统一社会信用代码",
    "uscc_override_reason": "校验位例外说明",
    "legal_representative": "法定代表人/负责人",
    "contact_person": "联系人",
    "contact_phone": "联系电话",
    "registered_address": "注册地址",
    "business_address": "经营地址",
    "township": "所属镇街",
    "latitude": "纬度",
    "longitude": "经度",
    "business_type": "业态",
    "food_categories": "食品类别",
    "scale": "规模",
    "area_type": "城乡",
    "sunshine_kitchen": "阳光厨房",
    "sunshine_kitchen_online": "阳光厨房已联网",
    "online_catering": "网络餐饮",
    "responsibility_list": "主体责任清单",
    "responsibility_list_date": "责任清单日期",
    "liability_insurance": "食品安全责任保险",
    "third_party_evaluator": "第三方评估机构",
    "cold_chain": "冷链",
    "brand_tags": "品牌标识",
    "health_cert_count": "从业人员健康证数",
    "health_cert_next_expiry": "最近健康证到期日",
    "status": "经营状态",
    "licences": "证照编号",
}


# ------------------------------------------------------------------------------------------------ export (read + audit)
def enterprise_export(*, actor, params, audit_extra: dict | None = None) -> tuple[bytes, int]:
    """Excel of exactly the rows the actor sees with these filters (the same FilterSet as the page and the API).

    Returns (xlsx bytes, row count); audited with the filters and the count (SECURITY.md EXP-02, EXP-03).
    """
    from .exports import enterprise_workbook
    from .selectors import enterprise_list

    require_perm(actor, "enterprises.export_enterprise")
    qs = enterprise_list(actor=actor, filters=params, for_export=True)
    content, count = enterprise_workbook(qs, actor=actor, filters=_filters_for_audit(params))
    audit_record(
        "enterprise.export",
        object_type="enterprises.enterprise",
        actor=actor,
        extra={"filters": _filters_for_audit(params), "rows": count, "format": "xlsx", **(audit_extra or {})},
    )
    return content, count


def _filters_for_audit(params) -> dict:
    out = {}
    for key in params.keys() if hasattr(params, "keys") else []:
        if key in ("page", "page_size", "csrfmiddlewaretoken"):
            continue
        values = params.getlist(key) if hasattr(params, "getlist") else [params[key]]
        values = [str(v)[:100] for v in values if str(v) != ""]
        if values:
            out[key] = values if len(values) > 1 else values[0]
    return out
