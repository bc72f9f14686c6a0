"""Planning and writing an import: every row validated with the registry's own rules against the database,
the writes worked out compactly (ids and plain values, chunks of 1,000 rows, a constant number of queries per
chunk), each row's outcome (new / changed with the fields and their before/after values / unchanged), and the
bulk writes in the caller's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import timezone

from apps.common.excel import Issue

from ..choices import EnterpriseStatus
from .columns import COLUMN_BY_KEY

_LICENCE_COLUMN_KEYS = {"licence_kind": "kind", "licence_number": "number", "licence_issued_on": "issued_on"}
_LICENCE_COLUMN_KEYS["licence_expires_on"] = "expires_on"

# ------------------------------------------------------------------------------------------------ plan + write
PLAN_CHUNK = 1000
_LICENCE_KEYS = {"kind": "licence_kind", "number": "licence_number", "issued_on": "licence_issued_on"}
_LICENCE_KEYS["expires_on"] = "licence_expires_on"
_COMPARE = (
    "name", "uscc", "uscc_override_reason", "uscc_warning", "legal_representative", "contact_person",
    "contact_phone", "registered_address", "business_address", "latitude", "longitude", "scale", "area_type",
    "sunshine_kitchen", "sunshine_kitchen_online", "online_catering", "responsibility_list",
    "responsibility_list_date", "liability_insurance", "third_party_evaluator", "cold_chain", "brand_tags",
    "health_cert_count", "health_cert_next_expiry",
)  # fmt: skip
_FK = {"township": "township_id", "business_type": "business_type_id"}
_LICENCE_VALUES = ("id", "enterprise_id", "kind", "number", "issued_on", "expires_on", "check_warning", "is_active")


@dataclass
class _Plan:
    """What a commit would do, kept compact (ids and plain values, not model instances) so 30,000 rows fit."""

    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    creates: list[tuple[dict, list | None, list[dict]]] = field(default_factory=list)  # values, categories, licences
    updates: list = field(default_factory=list)  # changed Enterprise instances (fetched, then modified)
    update_fields: set = field(default_factory=set)
    categories: dict[int, list[int]] = field(default_factory=dict)  # existing enterprise id -> new category ids
    licences_new: list[tuple[int, dict]] = field(default_factory=list)  # (existing enterprise id, values)
    licences_changed: list = field(default_factory=list)  # Licence instances with the new values
    unchanged: int = 0
    versions: dict[int, int] = field(default_factory=dict)  # every matched enterprise: id -> version when read
    # one per planned row: [row number, uscc, name, outcome, {field: [before, after]}, enterprise id or None]
    lines: list[list] = field(default_factory=list)

    def counts(self, total: int) -> dict:
        return {
            "total": total,
            "created": len(self.creates),
            "updated": len(self.updates),
            "unchanged": self.unchanged,
            "licences_created": len(self.licences_new) + sum(len(c[2]) for c in self.creates),
            "licences_updated": len(self.licences_changed),
        }


def _chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _plan(rows: list[dict], *, actor, known: set, lock: bool, progress=None) -> _Plan:
    """Validate every row with the registry's own rules (``services.enterprise_clean`` / ``licence_clean``, the same
    as the page and the API) against the database, and work out the writes. Writes nothing."""
    from django.db.models import Q

    from apps.accounts.models import Township

    from .. import services
    from ..identifiers import normalize_code
    from ..models import BusinessType, Enterprise, FoodCategory, Licence

    lk = services._Lookups()  # reference data loaded once for all rows
    types = lk.business_types()
    allowed = services.actor_township_ids(actor)
    through = Enterprise.food_categories.through
    plan = _Plan()
    seen_uscc: dict[str, int] = {}
    seen_licence: dict[tuple, int] = {}
    now = timezone.now()
    done = 0
    codes_of = dict(FoodCategory.objects.values_list("id", "code"))
    renames = _label_renames(services.FIELD_LABELS)
    raw_of: dict[int, dict] = {}
    names = {
        "township": dict(Township.objects.values_list("id", "name")),
        "business_type": dict(BusinessType.objects.values_list("id", "name")),
        "food_categories": dict(FoodCategory.objects.values_list("id", "name")),
    }

    def error(row: int, key: str, message: str) -> None:
        header = COLUMN_BY_KEY[key].header if key in COLUMN_BY_KEY else services.FIELD_LABELS.get(key, "")
        if (row, header) not in known:
            for old, new in renames:  # the registry's form label → the template's column name
                message = message.replace(old, new)
            plan.errors.append(Issue(row, header, message, _raw_text(raw_of.get(row), key, names)))

    for chunk in _chunks(rows, PLAN_CHUNK):
        codes = {normalize_code(r["uscc"]) for r in chunk if r.get("uscc")}
        qs = Enterprise.objects.filter(uscc__in=codes)
        if lock:
            qs = qs.select_for_update(of=("self",))
        existing = {e.uscc: e for e in qs}
        plan.versions.update((e.pk, e.version) for e in existing.values())
        cats: dict[int, set] = {}
        for ent_id, cat_id in through.objects.filter(enterprise_id__in=[e.pk for e in existing.values()]).values_list(
            "enterprise_id", "foodcategory_id"
        ):
            cats.setdefault(ent_id, set()).add(cat_id)

        cleaned_rows = []
        raw_of.clear()
        for row in chunk:
            number = row["row_number"]
            raw_of[number] = row
            errors_before = len(plan.errors)
            code = normalize_code(row.get("uscc")) if row.get("uscc") else ""
            ent = existing.get(code) if code else None
            if code:
                if code in seen_uscc:
                    error(number, "uscc", f"与第 {seen_uscc[code]} 行的统一社会信用代码重复")
                    continue
                seen_uscc[code] = number
            if ent is not None and allowed is not None and ent.township_id not in allowed:
                error(number, "uscc", "该代码已在您管辖范围以外的镇街登记，不能由您修改")
                continue
            data = row.copy()  # the data vocabulary: without the row number, the status and the licences
            del data["row_number"]
            data.pop("status", None)
            data.pop("licences", None)
            cleaned = services.enterprise_clean(actor=actor, data=data, instance=ent, lookups=lk)
            for key, messages in cleaned.errors.items():
                for message in messages:
                    error(number, key, message)
            status = row.get("status")
            if ent is not None and ent.status == EnterpriseStatus.CANCELLED and status not in (None, ent.status):
                error(number, "status", "该检查对象已注销，不能通过导入恢复")
            business_type = cleaned.values.get("business_type") or (types.get(ent.business_type_id) if ent else None)
            licences = []
            for lic in row.get("licences") or []:
                values, lic_errors, _warnings = services.licence_clean(lic, business_type=business_type)
                for key, messages in lic_errors.items():
                    for message in messages:
                        error(number, _LICENCE_KEYS.get(key, "licence_number"), message)
                if not lic_errors:
                    key = (values["kind"], values["number"])
                    if key in seen_licence:
                        error(number, "licence_number", f"许可证编号 {key[1]} 与第 {seen_licence[key]} 行重复")
                        continue
                    seen_licence[key] = number
                    licences.append(values)
            if cleaned.warnings and not cleaned.errors:
                for warning in cleaned.warnings:
                    plan.warnings.append(Issue(number, COLUMN_BY_KEY["uscc"].header, f"{warning}（已按例外说明导入）"))
            if len(plan.errors) == errors_before and not cleaned.errors:  # a row with an error is never planned
                cleaned_rows.append((number, ent, cleaned, status, licences))

        pairs = {(lic["kind"], lic["number"]) for *_, licences in cleaned_rows for lic in licences}
        owned: dict[tuple, tuple] = {}
        if pairs:
            condition = Q()
            for kind in {k for k, _ in pairs}:
                condition |= Q(kind=kind, number__in=[n for k, n in pairs if k == kind])
            for values in Licence.objects.filter(condition).values_list(*_LICENCE_VALUES):
                owned[(values[2], values[3])] = values

        for number, ent, cleaned, status, licences in cleaned_rows:
            conflict = False
            for lic in licences:
                row_of = owned.get((lic["kind"], lic["number"]))
                if row_of is not None and (ent is None or row_of[1] != ent.pk):
                    error(number, "licence_number", f"许可证编号 {lic['number']} 已登记在其他检查对象名下")
                    conflict = True
            if conflict:
                continue
            if ent is None:
                _plan_create(plan, number, cleaned, status, licences, now)
            else:
                _plan_update(
                    plan, number, ent, cleaned, status, licences, cats.get(ent.pk, set()), owned, actor, now, codes_of
                )
        done += len(chunk)
        if progress is not None:
            progress(done)
    return plan


def _label_renames(field_labels: dict) -> list[tuple[str, str]]:
    out = []
    for key, label in field_labels.items():
        header = COLUMN_BY_KEY[key].header if key in COLUMN_BY_KEY else None
        if header and header != label:
            out += [(f"“{label}”", f"“{header}”"), (f"「{label}」", f"「{header}」")]
    return out


def _raw_text(row: dict | None, key: str, names: dict) -> str:
    """The 原值 of an error found against the database: the row's value as read from the file (names for the
    township, business type and categories it was resolved to)."""
    from apps.common.excel import clean_text

    if row is None:
        return ""
    if key in _LICENCE_COLUMN_KEYS:
        value = next(iter(row.get("licences") or [{}])).get(_LICENCE_COLUMN_KEYS[key])
    else:
        value = row.get(key)
    if key in names and value is not None:
        value = (
            "、".join(names[key].get(v, str(v)) for v in value) if isinstance(value, list) else names[key].get(value)
        )
    if isinstance(value, list):
        value = "、".join(str(v) for v in value)
    return clean_text(value)[:100] if value is not None else ""


def _licence_view(values: dict) -> dict:
    return {k: values.get(k) for k in ("kind", "number", "issued_on", "expires_on") if values.get(k) is not None}


def _plan_create(plan: _Plan, number: int, cleaned, status, licences, now) -> None:
    values = dict(cleaned.values)
    for key, attname in _FK.items():
        if key in values:
            values[attname] = values.pop(key).pk
    values["status"] = status or EnterpriseStatus.OPERATING
    if values["status"] != EnterpriseStatus.OPERATING:
        values["deactivated_at"], values["status_reason"] = now, "导入时即为该状态"
    categories = [c.pk for c in cleaned.food_categories] if cleaned.food_categories is not None else None
    plan.creates.append((values, categories, licences))
    plan.lines.append([number, values.get("uscc", ""), values.get("name", ""), "new", {}, None])


def _plan_update(
    plan: _Plan, number: int, ent, cleaned, status, licences, current_cats: set, owned: dict, actor, now, codes_of
) -> None:
    from ..models import Licence

    changed = set()
    changes: dict = {}
    for key in _COMPARE:
        if key in cleaned.values and getattr(ent, key) != cleaned.values[key]:
            changes[key] = [getattr(ent, key), cleaned.values[key]]
            setattr(ent, key, cleaned.values[key])
            changed.add(key)
    if "name" in changed:  # derived from the name: written with it, not listed as a change of its own
        ent.name_initials = cleaned.values["name_initials"]
        changed.add("name_initials")
    bt = cleaned.values.get("business_type")
    if bt is not None and bt.pk != ent.business_type_id:
        changes["business_type_id"] = [ent.business_type_id, bt.pk]
        ent.business_type_id = bt.pk
        changed.add("business_type")
    if status and status != ent.status:
        changes["status"] = [ent.status, status]
        ent.status = status
        if status == EnterpriseStatus.OPERATING:
            ent.deactivated_at, ent.status_reason = None, ""
        else:
            ent.deactivated_at, ent.status_reason = now, "导入更新状态"
        changed |= {"status", "deactivated_at", "status_reason"}
    touched = bool(changed)
    if cleaned.food_categories is not None:
        new_cats = sorted({c.pk for c in cleaned.food_categories})
        if set(new_cats) != current_cats:
            plan.categories[ent.pk] = new_cats
            changes["food_categories"] = [
                sorted(codes_of.get(c, "") for c in current_cats),
                sorted(codes_of.get(c, "") for c in new_cats),
            ]
            touched = True
    for lic in licences:
        row_of = owned.get((lic["kind"], lic["number"]))
        if row_of is None:
            plan.licences_new.append((ent.pk, lic))
            changes["licence"] = [None, _licence_view(lic)]
            touched = True
            continue
        current = dict(zip(_LICENCE_VALUES, row_of, strict=True))
        diff = {k: lic[k] for k in ("issued_on", "expires_on", "check_warning") if k in lic and current[k] != lic[k]}
        if not current["is_active"] and ent.status != EnterpriseStatus.CANCELLED:
            diff["is_active"] = True
        if diff:
            changes["licence"] = [_licence_view(current), _licence_view({**current, **diff})]
            current.update(diff, updated_at=now)
            plan.licences_changed.append(Licence(**current))
            touched = True
    if touched:
        ent.version += 1
        ent.updated_by = actor if actor is not None and actor.is_authenticated else None
        ent.updated_at = now
        plan.updates.append(ent)
        plan.update_fields |= changed
        plan.lines.append([number, ent.uscc, ent.name, "changed", changes, ent.pk])
    else:
        plan.unchanged += 1
        plan.lines.append([number, ent.uscc, ent.name, "unchanged", {}, ent.pk])


def _write(plan: _Plan, *, actor, batch_size: int = 1000) -> dict[str, int]:
    """All writes of a plan; call inside the import's transaction. Returns the new enterprises' ids by USCC.

    New rows go in through ``common.bulk.bulk_insert`` (COPY on PostgreSQL, executemany on SQLite: no model
    instances): on PostgreSQL with ids taken from the table's sequence beforehand (one query), elsewhere their ids
    are read back by USCC (unique) in chunks; changed rows through ``bulk_update``."""
    from apps.common.bulk import allocate_ids, bulk_insert

    from ..models import Enterprise, Licence

    user_id = actor.pk if actor is not None and actor.is_authenticated else None
    through = Enterprise.food_categories.through
    created: dict[str, int] = {}
    if plan.creates:
        ids = allocate_ids(Enterprise, len(plan.creates))
        pk = Enterprise._meta.pk.attname
        for i, (values, _, _) in enumerate(plan.creates):  # the plan's own dicts, completed in place
            values.update(version=1, created_by_id=user_id, updated_by_id=user_id)
            if ids is not None:
                values[pk] = created[values["uscc"]] = ids[i]
        bulk_insert(Enterprise, (values for values, _, _ in plan.creates), with_pk=ids is not None)
        if ids is None:
            for chunk in _chunks([values["uscc"] for values, _, _ in plan.creates], 5000):
                created.update(Enterprise.objects.filter(uscc__in=chunk).values_list("uscc", "pk"))
        bulk_insert(  # generators: the rows are streamed, never all built at once
            through,
            (
                {"enterprise_id": created[values["uscc"]], "foodcategory_id": c}
                for values, categories, _ in plan.creates
                for c in categories or ()
            ),
        )
        bulk_insert(
            Licence,
            (
                {**lic, "enterprise_id": created[values["uscc"]], "is_active": True}
                for values, _, licences in plan.creates
                for lic in licences
            ),
        )
    if plan.updates:
        fields = sorted(plan.update_fields | {"version", "updated_by", "updated_at"})
        Enterprise.objects.bulk_update(plan.updates, fields, batch_size=batch_size)
    if plan.categories:
        for ids in _chunks(list(plan.categories), batch_size):
            through.objects.filter(enterprise_id__in=ids).delete()
        links = [{"enterprise_id": e, "foodcategory_id": c} for e, cats in plan.categories.items() for c in cats]
        bulk_insert(through, links)
    if plan.licences_new:
        bulk_insert(Licence, ({**lic, "enterprise_id": e, "is_active": True} for e, lic in plan.licences_new))
    if plan.licences_changed:
        fields = ["issued_on", "expires_on", "check_warning", "is_active", "updated_at"]
        Licence.objects.bulk_update(plan.licences_changed, fields, batch_size=batch_size)
    return created


def _changed_since(plan: _Plan) -> bool:
    """Lock the matched rows (until commit) and tell whether any version moved since the plan read them."""
    from ..models import Enterprise

    for ids in _chunks(list(plan.versions), PLAN_CHUNK):
        rows = Enterprise.objects.select_for_update().filter(pk__in=ids).values_list("pk", "version")
        current = dict(rows)
        if any(current.get(pk) != plan.versions[pk] for pk in ids):
            return True
    return False
