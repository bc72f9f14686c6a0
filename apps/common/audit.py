"""The audit chain: every write records one AuditEvent in the same transaction (SECURITY.md AUD-01, AUD-05).

Entries are hash-chained: ``entry_hash = sha256(prev_hash || canonical_json(fields))`` with a gap-free ``seq``.
The chain head row is locked (SELECT ... FOR UPDATE on PostgreSQL; SQLite serialises writers) while appending,
so concurrent writers never fork the chain and a rolled-back business transaction takes its sequence number
with it (no gaps).

Conventions for callers:

* call ``audit_record`` as the *last* write of the business transaction: the head lock is held until commit, so
  taking it last keeps the serialised section short and avoids lock-order deadlocks with business rows;
* if ``audit_record`` raises, let it propagate: the business transaction must roll back (fail-closed, AUD-03).

The hash is plain SHA-256 (tamper-*evident*): someone with database superuser rights could recompute the whole
chain, which is why the head (``audit_chain_head``) is meant to be anchored outside the database (AUD-06).
"""

import datetime as dt
import decimal
import hashlib
import hmac
import ipaddress
import json
import logging
import math
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from . import context
from .models import AuditChainHead, AuditEvent

log = logging.getLogger(__name__)

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
# Every column of the audit table, in order (the tamper drill and the benchmark write rows with raw SQL).
COLUMNS = (*HASHED_FIELDS, "prev_hash", "entry_hash")


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
        return sorted(value, key=str)
    return str(value)


def _clean_text(value: str) -> str:
    # PostgreSQL refuses NUL in text and jsonb; strip it everywhere so SQLite and PostgreSQL store the same thing.
    return value.replace("\x00", "")


def _sanitize(value):
    if isinstance(value, str):
        return _clean_text(value)
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # jsonb has no NaN/Infinity
    if isinstance(value, list):
        return [_sanitize(v) for v in value]
    if isinstance(value, dict):
        return {_clean_text(k): _sanitize(v) for k, v in value.items()}
    return value


def to_jsonable(value):
    """Round-trip through JSON so what we hash is exactly what the JSONField stores."""
    return _sanitize(json.loads(json.dumps(value, default=_json_default, ensure_ascii=False)))


def _canon_numbers(value):
    """jsonb stores numbers as decimals and prints 1e16 as 10000000000000000 (read back as int): hash integral
    floats as the integer they denote so a value hashes the same before storing and after reading back."""
    if isinstance(value, float):
        if value.is_integer():
            return int(decimal.Decimal(repr(value)))
        return value
    if isinstance(value, list):
        return [_canon_numbers(v) for v in value]
    if isinstance(value, dict):
        return {k: _canon_numbers(v) for k, v in value.items()}
    return value


def _ts(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_payload(fields: dict) -> str:
    data = {k: fields.get(k) for k in HASHED_FIELDS}
    data["occurred_at"] = _ts(data["occurred_at"])
    data["changes"] = _canon_numbers(data["changes"])
    data["extra"] = _canon_numbers(data["extra"])
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_json_default)


def compute_entry_hash(prev_hash: str, fields: dict) -> str:
    return hashlib.sha256((prev_hash + canonical_payload(fields)).encode("utf-8")).hexdigest()


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
        role = actor.role_label or ""
    except Exception:  # pragma: no cover - role lookup must never break an audit write
        role = ""
    return {"actor_id": actor.pk, "actor_repr": _clean_text(str(actor))[:150], "actor_role": _clean_text(role)[:100]}


def normalize_ip(value) -> tuple[str | None, str]:
    """(address as the database returns it, or None; the raw value if it was not an IP address).

    Every backend must give back exactly the string that was hashed: Django and PostgreSQL's inet both print the
    compressed lower-case IPv6 form, so store that. A spoofed header that is not an address must not make the
    business write fail on PostgreSQL's inet column, so it is kept (hashed) in ``extra`` instead."""
    if not value:
        return None, ""
    raw = str(value).strip()
    try:
        addr = ipaddress.ip_address(raw)
    except ValueError:
        return None, _clean_text(raw)[:100]
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped:
        return f"::ffff:{addr.ipv4_mapped}", ""
    return str(addr), ""


def _lock_head() -> AuditChainHead:
    try:
        return AuditChainHead.objects.select_for_update().get(pk=1)
    except AuditChainHead.DoesNotExist:
        pass
    # First event ever (or after a test flush). Concurrent first writers: the loser's insert waits for the winner
    # and re-reads its row (created=False). Only a writer that itself had to create the head while events already
    # exist has found the head deleted under a non-empty chain — tampering: refuse (its creation rolls back).
    _, created = AuditChainHead.objects.get_or_create(pk=1)
    if created and AuditEvent.objects.exists():
        raise RuntimeError("审计链头缺失，拒绝写入审计记录；请运行 manage.py audit_verify 检查")
    return AuditChainHead.objects.select_for_update().get(pk=1)


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
        object_repr = object_repr or str(obj)
    ip, bad_ip = normalize_ip(ctx.ip)
    extra = dict(extra or {})
    if bad_ip:
        extra["ip_raw"] = bad_ip
    with transaction.atomic():
        head = _lock_head()
        now = timezone.now()
        fields = {
            "seq": head.last_seq + 1,
            # Millisecond precision (AUD-01), stored identically by every backend, so the hash re-computes.
            "occurred_at": now.replace(microsecond=now.microsecond // 1000 * 1000),
            **_actor_fields(actor),
            "api_client": _clean_text(ctx.api_client or "")[:100],
            "ip": ip,
            "request_id": _clean_text(ctx.request_id or "")[:64],
            "action": _clean_text(action)[:64],
            "object_type": _clean_text(str(object_type))[:100],
            "object_id": _clean_text(str(object_id))[:64],
            "object_repr": _clean_text(str(object_repr))[:255],
            "outcome": _clean_text(outcome)[:16],
            "changes": to_jsonable(changes or {}),
            "extra": to_jsonable(extra),
        }
        entry_hash = compute_entry_hash(head.last_hash, fields)
        event = AuditEvent.objects.create(prev_hash=head.last_hash, entry_hash=entry_hash, **fields)
        AuditChainHead.objects.filter(pk=1).update(last_seq=fields["seq"], last_hash=entry_hash)
    return event


def audit_chain_head() -> tuple[int, str]:
    """(last sequence number, last hash): the value to anchor outside the database (AUD-06)."""
    head = AuditChainHead.objects.filter(pk=1).first()
    return (head.last_seq, head.last_hash) if head else (0, GENESIS_HASH)


# ---------------------------------------------------------------------------- verification
@dataclass
class ChainReport:
    ok: bool
    checked: int
    first_broken_seq: int | None = None
    reason: str = ""
    head_seq: int = 0
    head_hash: str = GENESIS_HASH
    seconds: float = 0.0


_VERIFY_COLUMNS = ("seq", "prev_hash", "entry_hash", *(f for f in HASHED_FIELDS if f != "seq"))


def _walk(rows, head_seq: int, head_hash: str, reread_head) -> tuple[int, int | None, str]:
    """Stream the rows in seq order; return (checked, first broken seq or None, reason).

    What each tampering looks like (rows are k-1, k, k+1 …):
    * field edited ............ row k's own hash no longer matches its content            → k
    * row deleted ............. seq k is missing                                          → k
    * rows swapped/reordered .. seq is hashed, so the row now at k fails its own hash      → k
    * row replaced by a forgery with a recomputed hash: row k+1 still names the
      original k as its predecessor (prev_hash mismatch while k+1 is self-consistent)     → k
    * forged row inserted at k (later rows renumbered): the old row k, now k+1, names
      row k-1 as its predecessor, i.e. the row before k was slipped in                    → k
    * rows appended or removed at the end: the chain head disagrees                       → first seq past the head

    ``head_seq``/``head_hash`` were read before the rows; rows past them may be legitimate appends committed
    since (when the caller's transaction is READ COMMITTED), so for those the head is read again afterwards —
    the head never moves backwards, so a row past the *fresh* head is a forgery.
    """
    expected = 1
    prev_hash = GENESIS_HASH
    before_prev = None  # hash of the row two back
    hash_at_head = GENESIS_HASH
    checked = 0
    for row in rows:
        values = dict(zip(_VERIFY_COLUMNS, row, strict=True))
        seq = values["seq"]
        if seq > expected:
            return checked, expected, f"缺少第 {expected} 条记录（记录被删除）"
        if seq < expected:
            return checked, seq, f"第 {seq} 条记录重复出现（伪造插入）"
        self_ok = compute_entry_hash(values["prev_hash"], values) == values["entry_hash"]
        link_ok = values["prev_hash"] == prev_hash
        if not link_ok and seq > 1 and (self_ok or values["prev_hash"] == before_prev):
            return checked - 1, seq - 1, f"第 {seq - 1} 条记录与后一条记录的前序哈希不符（该条被伪造插入或替换）"
        if not link_ok:
            return checked, seq, f"第 {seq} 条记录的前序哈希不匹配（记录被删除、插入或调换顺序）"
        if not self_ok:
            return checked, seq, f"第 {seq} 条记录的哈希与内容不符（记录内容被修改或顺序被调换）"
        before_prev, prev_hash = prev_hash, values["entry_hash"]
        if seq == head_seq:
            hash_at_head = prev_hash
        expected += 1
        checked += 1
    last_seq = expected - 1
    if last_seq < head_seq:
        return checked, last_seq + 1, f"链头为第 {head_seq} 条，但记录只到第 {last_seq} 条（末尾记录被删除）"
    if hash_at_head != head_hash:
        return head_seq - 1, head_seq, f"第 {head_seq} 条记录的哈希与链头不符（该条被替换）"
    if last_seq > head_seq:
        fresh_seq, fresh_hash = reread_head()
        if last_seq > fresh_seq:
            return fresh_seq, fresh_seq + 1, f"第 {fresh_seq + 1} 条起的记录在链头（第 {fresh_seq} 条）之后（伪造追加）"
        if last_seq == fresh_seq and prev_hash != fresh_hash:
            return checked - 1, last_seq, f"第 {last_seq} 条记录的哈希与链头不符（该条被替换）"
    return checked, None, ""


def audit_verify(*, batch_size: int = 5000) -> ChainReport:
    """Walk the chain in seq order in one consistent snapshot; report the first sequence number where it breaks.

    Catches an edited entry, a deleted entry, a forged inserted or appended entry and reordering (see ``_walk``).
    Writers may keep appending meanwhile. Called outside a transaction, the head and the rows are read in one
    snapshot (REPEATABLE READ on PostgreSQL; a read transaction on SQLite). Inside the caller's transaction
    (e.g. a view under ATOMIC_REQUESTS, READ COMMITTED) the head is read first and re-read for rows past it.
    It never takes the head lock, so verifying does not block writers.
    """
    started = time.monotonic()
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql" and outermost:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        head = AuditChainHead.objects.filter(pk=1).first()
        has_rows = AuditEvent.objects.exists()
        if head is None and has_rows:
            # Under READ COMMITTED (a caller's transaction) the first event and the head it created may have been
            # committed between the two reads: the head is written in the same transaction as the first event, so
            # once rows are visible a committed head is too. Only a head still missing now is missing.
            head = AuditChainHead.objects.filter(pk=1).first()
        if head is None:
            head_seq, head_hash = 0, GENESIS_HASH
            if has_rows:
                first = AuditEvent.objects.order_by("seq").values_list("seq", flat=True).first()
                return ChainReport(False, 0, first, "审计链头缺失", seconds=time.monotonic() - started)
        else:
            head_seq, head_hash = head.last_seq, head.last_hash
        rows = AuditEvent.objects.order_by("seq").values_list(*_VERIFY_COLUMNS).iterator(chunk_size=batch_size)
        checked, broken, reason = _walk(rows, head_seq, head_hash, audit_chain_head)
    report = ChainReport(
        ok=broken is None,
        checked=checked,
        first_broken_seq=broken,
        reason=reason,
        head_seq=head_seq,
        head_hash=head_hash,
        seconds=time.monotonic() - started,
    )
    if not report.ok:
        log.critical("audit chain broken at seq %s: %s", report.first_broken_seq, report.reason)
    return report


# ---------------------------------------------------------------------------- text output (AUD-10)
MAX_TEXT_VALUE = 2000  # characters of one value in a text line; the rest is cut with a note of the full length
# Everything that a terminal, a log shipper or str.splitlines() could take for a line break or a control sequence:
# C0 (CR, LF, ESC of ANSI sequences…), DEL, C1 (NEL U+0085…), and the Unicode line/paragraph separators.
_UNSAFE = {c: f"\\u{c:04x}" for c in [*range(0x20), 0x7F, *range(0x80, 0xA0), 0x2028, 0x2029]}
_UNSAFE.update({ord("\\"): "\\\\", ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t", 0x1B: "\\e"})


def escape_text(value, *, limit: int = MAX_TEXT_VALUE) -> str:
    """One value as printable single-line text: control characters and line breaks escaped (a backslash is doubled,
    so the escaping is unambiguous), and a value longer than ``limit`` characters cut with its full length noted."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=_json_default)
    suffix = ""
    if len(text) > limit:
        suffix = f"…[截断，原长 {len(text)} 字符]"
        text = text[:limit]
    return text.translate(_UNSAFE) + suffix


def safe_json_line(data: dict) -> str:
    """A JSON object on exactly one line: JSON escapes C0 controls itself; U+2028/2029 and C1 (which JSON leaves raw
    and str.splitlines() breaks on) are escaped here; long strings are cut as in ``escape_text``."""

    def cut(value):
        if isinstance(value, str) and len(value) > MAX_TEXT_VALUE:
            return value[:MAX_TEXT_VALUE] + f"…[截断，原长 {len(value)} 字符]"
        if isinstance(value, dict):
            return {k: cut(v) for k, v in value.items()}
        if isinstance(value, list):
            return [cut(v) for v in value]
        return value

    text = json.dumps(cut(data), ensure_ascii=False, sort_keys=True, default=_json_default)
    return text.translate({c: f"\\u{c:04x}" for c in [*range(0x80, 0xA0), 0x2028, 0x2029]})


EXPORT_FIELDS = ("seq", *(f for f in HASHED_FIELDS if f != "seq"), "prev_hash", "entry_hash")


def event_text_line(event: AuditEvent) -> str:
    """One audit event as one line of ``key=value`` text (the log-server export, ``manage.py audit_export``)."""
    parts = []
    for name in EXPORT_FIELDS:
        value = getattr(event, name)
        if name == "occurred_at":
            value = _ts(value)
        if value in (None, "", {}):
            continue
        parts.append(f"{name}={escape_text(value)}")
    return " ".join(parts)


def event_json_line(event: AuditEvent) -> str:
    data = {name: getattr(event, name) for name in EXPORT_FIELDS}
    data["occurred_at"] = _ts(event.occurred_at)
    return safe_json_line(data)


# ---------------------------------------------------------------------------- daily anchor (AUD-06)
ANCHOR_FORMAT = "haining-audit-anchor/1"


@contextmanager
def _snapshot():
    """A read transaction that sees one snapshot (REPEATABLE READ on PostgreSQL when it is the outermost block)."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql" and outermost:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield


def _anchor_key() -> bytes:
    key = getattr(settings, "AUDIT_ANCHOR_KEY", "")
    if key:
        return key.encode("utf-8")
    # Development default, as for the field key: derived from SECRET_KEY (production sets AUDIT_ANCHOR_KEY).
    return hashlib.sha256(b"haining-audit-anchor:" + settings.SECRET_KEY.encode("utf-8")).digest()


def anchor_sign(payload: bytes) -> str:
    """The signer of the anchors, kept to one small function: HMAC-SHA256 with AUDIT_ANCHOR_KEY. A platform key
    (Ed25519) can replace it here; ``anchor_signature_ok`` must then check that scheme too."""
    return "hmac-sha256:" + hmac.new(_anchor_key(), payload, hashlib.sha256).hexdigest()


def anchor_signature_ok(payload: bytes, signature: str) -> bool:
    return hmac.compare_digest(anchor_sign(payload), signature or "")


def _anchor_payload(record: dict) -> bytes:
    body = {k: v for k, v in record.items() if k != "signature"}
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def anchor_dir() -> Path:
    return Path(settings.AUDIT_ANCHOR_DIR)


def audit_anchor_write(directory=None, *, now: dt.datetime | None = None):
    """Write the chain head (sequence, hash, count, time), signed, to a new file in ``AUDIT_ANCHOR_DIR``; returns
    its path. The head and the count are read in one snapshot. A file is never overwritten: a second anchor on the
    same day gets its own file (named by date and sequence number)."""
    directory = directory or anchor_dir()
    now = now or timezone.now()
    with _snapshot():
        seq, head_hash = audit_chain_head()
        count = AuditEvent.objects.count()
    local = timezone.localtime(now)
    record = {
        "format": ANCHOR_FORMAT,
        "date": local.date().isoformat(),
        "seq": seq,
        "hash": head_hash,
        "count": count,
        "time": _ts(now),
    }
    record["signature"] = anchor_sign(_anchor_payload(record))
    directory.mkdir(parents=True, exist_ok=True)
    name = f"audit-anchor-{record['date']}-{seq:012d}.json"
    path = directory / name
    text = json.dumps(record, ensure_ascii=False, sort_keys=True, indent=1) + "\n"
    try:
        with open(path, "x", encoding="utf-8") as fh:
            fh.write(text)
    except FileExistsError:
        existing = json.loads(path.read_text(encoding="utf-8"))
        if {k: existing.get(k) for k in ("seq", "hash", "count")} != {k: record[k] for k in ("seq", "hash", "count")}:
            raise RuntimeError(f"锚定文件 {name} 已存在且内容不同，拒绝覆盖") from None
    return path


@dataclass
class AnchorReport:
    ok: bool
    checked: int
    problems: list
    latest: dict | None = None


def audit_verify_anchors(directory=None) -> AnchorReport:
    """Compare the chain with every anchor file: a valid signature, and the event at the anchored sequence number
    still has the anchored hash (a chain recomputed from some point on no longer matches). Read in one snapshot."""
    directory = directory or anchor_dir()
    files = sorted(directory.glob("audit-anchor-*.json")) if directory.is_dir() else []
    problems = []
    anchors = []
    for path in files:
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
            seq, anchored_hash = int(record["seq"]), str(record["hash"])
        except (ValueError, KeyError, TypeError):
            problems.append(f"{path.name}：文件无法解析")
            continue
        if record.get("format") != ANCHOR_FORMAT or not anchor_signature_ok(
            _anchor_payload(record), record.get("signature")
        ):
            problems.append(f"{path.name}：签名无效（锚定文件被改动或密钥不符）")
            continue
        anchors.append((seq, anchored_hash, path.name, record))
    if not anchors:
        return AnchorReport(not problems, 0, problems)
    with _snapshot():
        head_seq, _ = audit_chain_head()
        wanted = {seq for seq, *_ in anchors}
        stored = dict(AuditEvent.objects.filter(seq__in=wanted).values_list("seq", "entry_hash"))
    for seq, anchored_hash, name, _record in sorted(anchors):
        if seq == 0:
            continue
        if seq > head_seq or seq not in stored:
            problems.append(f"{name}：锚定的第 {seq} 条记录已不存在（链被截短或删除）")
        elif stored[seq] != anchored_hash:
            problems.append(f"{name}：第 {seq} 条记录的哈希与锚定值不符（该条及以前的链被重算或篡改）")
    latest = max(anchors, key=lambda a: a[0])[3]
    return AnchorReport(not problems, len(anchors), problems, latest)
