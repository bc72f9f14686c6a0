"""The audit chain: every write records one AuditEvent in the same transaction (SECURITY.md AUD-01, AUD-05).

Entries are hash-chained: ``entry_hash = sha256(prev_hash || canonical_json(fields))`` with a gap-free ``seq``.
The chain head row is locked (SELECT ... FOR UPDATE on PostgreSQL; SQLite serialises writers) while appending,
so concurrent writers never fork the chain.
"""

import datetime as dt
import decimal
import hashlib
import json
import uuid
from dataclasses import dataclass

from django.db import models, transaction
from django.utils import timezone

from . import context
from .models import AuditChainHead, AuditEvent

GENESIS_HASH = "0" * 64
HASHED_FIELDS = (
    "seq",
    "occurred_at",
    "actor_id",
    "actor_repr",
    "actor_role",
    "api_client",
    "ip",
    "request_id",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "outcome",
    "changes",
    "extra",
)


def _json_default(value):
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    return str(value)


def to_jsonable(value):
    """Round-trip through JSON so what we hash is exactly what the JSONField stores."""
    return json.loads(json.dumps(value, default=_json_default, ensure_ascii=False))


def _ts(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_payload(fields: dict) -> str:
    data = {k: fields.get(k) for k in HASHED_FIELDS}
    data["occurred_at"] = _ts(data["occurred_at"])
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_json_default)


def compute_entry_hash(prev_hash: str, fields: dict) -> str:
    return hashlib.sha256((prev_hash + canonical_payload(fields)).encode("utf-8")).hexdigest()


def event_fields(event: AuditEvent) -> dict:
    return {k: getattr(event, k) for k in HASHED_FIELDS}


def model_snapshot(instance, fields=None) -> dict:
    """Plain-JSON dict of a model instance's concrete fields (FKs as ids), for before/after diffs."""
    out = {}
    for f in instance._meta.concrete_fields:
        if fields is not None and f.name not in fields:
            continue
        out[f.attname if f.is_relation else f.name] = getattr(instance, f.attname)
    return to_jsonable(out)


def diff(before: dict, after: dict) -> dict:
    """{"field": [before, after]} for the fields that changed."""
    keys = set(before) | set(after)
    return {k: [before.get(k), after.get(k)] for k in sorted(keys) if before.get(k) != after.get(k)}


def _actor_fields(actor) -> dict:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return {"actor_id": None, "actor_repr": "系统" if actor is None else "匿名", "actor_role": ""}
    role = ""
    try:
        role = actor.role_label
    except Exception:  # pragma: no cover - role lookup must never break an audit write
        role = ""
    return {"actor_id": actor.pk, "actor_repr": str(actor)[:150], "actor_role": role[:100]}


def audit_record(
    action: str,
    *,
    obj=None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    actor=None,
    changes: dict | None = None,
    extra: dict | None = None,
    outcome: str = "success",
) -> AuditEvent:
    """Append one event. Call inside the business transaction (it opens its own atomic block if none)."""
    ctx = context.current()
    if actor is None:
        actor = ctx.actor
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:255]
    with transaction.atomic():
        head, _ = AuditChainHead.objects.get_or_create(pk=1)
        head = AuditChainHead.objects.select_for_update().get(pk=1)
        now = timezone.now()
        fields = {
            "seq": head.last_seq + 1,
            # Millisecond precision (AUD-01), stored identically by every backend, so the hash re-computes.
            "occurred_at": now.replace(microsecond=now.microsecond // 1000 * 1000),
            **_actor_fields(actor),
            "api_client": ctx.api_client[:100],
            "ip": ctx.ip,
            "request_id": ctx.request_id[:64],
            "action": action[:64],
            "object_type": str(object_type)[:100],
            "object_id": str(object_id)[:64],
            "object_repr": str(object_repr)[:255],
            "outcome": outcome[:16],
            "changes": to_jsonable(changes or {}),
            "extra": to_jsonable(extra or {}),
        }
        entry_hash = compute_entry_hash(head.last_hash, fields)
        event = AuditEvent.objects.create(prev_hash=head.last_hash, entry_hash=entry_hash, **fields)
        AuditChainHead.objects.filter(pk=1).update(last_seq=fields["seq"], last_hash=entry_hash)
    return event


@dataclass
class ChainReport:
    ok: bool
    checked: int
    first_broken_seq: int | None = None
    reason: str = ""


def audit_verify(*, batch_size: int = 5000) -> ChainReport:
    """Walk the chain in seq order; report the first sequence number where it breaks.

    Catches an edited entry (hash mismatch), a deleted entry (gap in seq / prev_hash mismatch),
    an inserted entry (duplicate or out-of-place seq / prev_hash mismatch) and reordering.
    """
    expected_seq = 1
    prev_hash = GENESIS_HASH
    checked = 0
    last_seq = 0
    qs = AuditEvent.objects.order_by("seq", "id")
    cursor = 0
    while True:
        rows = list(qs.filter(seq__gt=cursor)[:batch_size]) if cursor else list(qs[:batch_size])
        if not rows:
            break
        for ev in rows:
            if ev.seq != expected_seq:
                return ChainReport(False, checked, expected_seq, f"序号不连续：期望 {expected_seq}，实际 {ev.seq}")
            if ev.prev_hash != prev_hash:
                return ChainReport(False, checked, ev.seq, "前一条哈希不匹配（记录被删除、插入或调换）")
            if compute_entry_hash(prev_hash, event_fields(ev)) != ev.entry_hash:
                return ChainReport(False, checked, ev.seq, "本条哈希不匹配（记录内容被修改）")
            prev_hash = ev.entry_hash
            expected_seq += 1
            checked += 1
            last_seq = ev.seq
        cursor = rows[-1].seq
        # Duplicate seq values (a forged insert with a repeated number) are caught by the unique constraint,
        # or by the seq check above if the constraint was dropped.
    head = AuditChainHead.objects.filter(pk=1).first()
    if head and (head.last_seq != last_seq or (last_seq and head.last_hash != prev_hash)):
        return ChainReport(False, checked, last_seq + 1, "链头与最后一条记录不一致（末尾记录被删除或伪造）")
    return ChainReport(True, checked)
