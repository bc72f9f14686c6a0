"""The AUD-05 tamper drill: raw-SQL tampering as a database superuser would do it behind the application, and the
drill that performs many random tamperings (each undone) and checks the verifier catches every one at the exact
sequence number. Used by `manage.py audit_tamper_drill` and by tests/common/test_audit.py. Everything runs inside
a transaction that is rolled back: run it on a copy of the database (docs/operations.md), never on the live one
(disabling the trigger locks the audit table until the end)."""

import json
import logging
import random
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection, transaction

from apps.common.audit import COLUMNS, audit_chain_head, audit_record, audit_verify, compute_entry_hash

TABLE = "common_auditevent"


def sql(statement, params=()):
    with connection.cursor() as cur:
        cur.execute(statement, params)


def disable_append_only_trigger():
    """As a superuser would: on PostgreSQL switch the append-only trigger off (inside the test's transaction, so
    the rollback at the end of the test switches it back on). SQLite has no trigger."""
    if connection.vendor == "postgresql":
        sql("SET CONSTRAINTS ALL IMMEDIATE")  # fire the deferred FK checks: ALTER TABLE refuses pending triggers
        sql(f"ALTER TABLE {TABLE} DISABLE TRIGGER USER")
        sql("SET CONSTRAINTS ALL DEFERRED")


def row(seq) -> dict:
    with connection.cursor() as cur:
        cur.execute(f"SELECT {', '.join(COLUMNS)} FROM {TABLE} WHERE seq = %s", [seq])
        values = cur.fetchone()
    data = dict(zip(COLUMNS, values, strict=True))
    # Read back through the ORM for properly typed values (datetime, decoded JSON).
    from apps.common.models import AuditEvent

    ev = AuditEvent.objects.get(seq=seq)
    data.update({c: getattr(ev, c) for c in ("occurred_at", "changes", "extra", "ip")})
    return data


def insert(fields: dict):
    values = dict(fields)
    values["occurred_at"] = connection.ops.adapt_datetimefield_value(values["occurred_at"])
    values["changes"] = json.dumps(values["changes"], ensure_ascii=False)
    values["extra"] = json.dumps(values["extra"], ensure_ascii=False)
    placeholders = ", ".join(["%s"] * len(COLUMNS))
    sql(f"INSERT INTO {TABLE} ({', '.join(COLUMNS)}) VALUES ({placeholders})", [values[c] for c in COLUMNS])


def forged(seq, prev_hash, template: dict, *, rehash=True, **changes) -> dict:
    fields = {**template, "seq": seq, "prev_hash": prev_hash, **changes}
    fields["entry_hash"] = compute_entry_hash(prev_hash, fields) if rehash else "f" * 64
    return fields


def renumber_from(seq, delta):
    """Shift seq of every row >= seq by delta (in two steps so the unique constraint never sees a collision)."""
    sql(f"UPDATE {TABLE} SET seq = -seq WHERE seq >= %s", [seq])
    sql(f"UPDATE {TABLE} SET seq = -seq + %s WHERE seq < 0", [delta])


# ------------------------------------------------------------------ the tamper operations; each returns the
# sequence number at which the verifier must report the first break.
def edit_field(k, n):
    sql(f"UPDATE {TABLE} SET object_repr = %s WHERE seq = %s", ["篡改后的对象", k])
    return k


def edit_prev_hash(k, n):
    sql(f"UPDATE {TABLE} SET prev_hash = %s WHERE seq = %s", ["a" * 64, k])
    return k


def delete_row(k, n):
    sql(f"DELETE FROM {TABLE} WHERE seq = %s", [k])
    return k


def delete_and_close_gap(k, n):
    sql(f"DELETE FROM {TABLE} WHERE seq = %s", [k])
    renumber_from(k + 1, -1)
    return k


def swap_rows(k, n):
    """Reorder: rows k and k+1 exchange places (k < n)."""
    sql(f"UPDATE {TABLE} SET seq = -1 WHERE seq = %s", [k])
    sql(f"UPDATE {TABLE} SET seq = %s WHERE seq = %s", [k, k + 1])
    sql(f"UPDATE {TABLE} SET seq = %s WHERE seq = -1", [k + 1])
    return k


def insert_forged(k, n):
    """A forged row slipped in at k, correctly chained to k-1 and correctly hashed; later rows renumbered."""
    prev = row(k - 1)["entry_hash"] if k > 1 else "0" * 64
    template = row(k)
    renumber_from(k, +1)
    insert(forged(k, prev, template, object_repr="伪造的记录"))
    return k


def insert_forged_unhashed(k, n):
    prev = row(k - 1)["entry_hash"] if k > 1 else "0" * 64
    template = row(k)
    renumber_from(k, +1)
    insert(forged(k, prev, template, rehash=False, object_repr="伪造的记录"))
    return k


def replace_rehashed(k, n):
    """Row k replaced by a forgery with a recomputed hash (its successor still names the original)."""
    original = row(k)
    sql(f"DELETE FROM {TABLE} WHERE seq = %s", [k])
    insert(forged(k, original["prev_hash"], original, action="forged.action"))
    return k


def append_forged(k, n):
    """A correctly chained and hashed row appended after the head."""
    last = row(n)
    insert(forged(n + 1, last["entry_hash"], last, object_repr="伪造追加"))
    return n + 1


OPERATIONS = {
    "edit_field": edit_field,
    "edit_prev_hash": edit_prev_hash,
    "delete_row": delete_row,
    "delete_and_close_gap": delete_and_close_gap,
    "swap_rows": swap_rows,
    "insert_forged": insert_forged,
    "insert_forged_unhashed": insert_forged_unhashed,
    "replace_rehashed": replace_rehashed,
    "append_forged": append_forged,
}


class _Rollback(Exception):
    pass


@contextmanager
def rolled_back():
    """Run a tamper in a savepoint and undo it afterwards, so one chain serves many tamper drills."""
    try:
        with transaction.atomic():
            yield
            raise _Rollback
    except _Rollback:
        pass


# ------------------------------------------------------------------ the drill
@dataclass
class DrillReport:
    operations: int = 0
    detected: int = 0
    entries: int = 0
    by_operation: Counter = field(default_factory=Counter)
    missed: list = field(default_factory=list)  # (operation, k, expected seq, reported seq, reason)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.operations > 0 and self.detected == self.operations


@contextmanager
def _quiet_verifier():
    """Each detected tampering would log a CRITICAL "chain broken" line: expected in a drill, not an alert."""
    logger = logging.getLogger("apps.common.audit")
    previous = logger.disabled
    logger.disabled = True
    try:
        yield
    finally:
        logger.disabled = previous


def _pad_chain(entries: int) -> None:
    """Append varied synthetic events (inside the drill's transaction) until the chain has ``entries`` rows."""
    ips = ["10.1.2.3", "2001:db8::1", None, "::ffff:192.0.2.7"]
    start = audit_chain_head()[0]
    for i in range(start, entries):
        audit_record(
            "drill.synthetic",
            object_type="common.auditevent",
            object_id=str(i),
            object_repr=f"演练记录 {i}",
            changes={"name": [f"旧{i}", f"新{i}"], "score": [1.0, 1e16]},
            extra={"i": i, "ip": ips[i % len(ips)], "text": "换行\r\n"},
        )


def tamper_drill(*, operations: int = 1000, entries: int = 200, seed: int | None = None, batch_size: int = 500):
    """Perform ``operations`` random tamperings (edits, deletions, re-orderings, forged inserts and appends), each in
    a savepoint undone before the next, and count those the verifier reports at exactly the expected sequence
    number. The chain is padded with synthetic events to ``entries`` rows first. Everything is rolled back at the
    end, so the database is left as it was. Refuses to start on a chain that is already broken."""
    started = time.monotonic()
    report = DrillReport()
    rng = random.Random(seed)
    names = sorted(OPERATIONS)
    with rolled_back(), _quiet_verifier():
        _pad_chain(entries)
        before = audit_verify(batch_size=batch_size)
        if not before.ok:
            raise RuntimeError(f"审计链在演练前已断裂（第 {before.first_broken_seq} 条：{before.reason}），不进行演练")
        n = before.checked
        if n < 2:
            raise RuntimeError("审计链少于 2 条记录，无法演练")
        report.entries = n
        disable_append_only_trigger()
        for _ in range(operations):
            name = rng.choice(names)
            k = rng.randint(1, n - 1 if name == "swap_rows" else n)
            with rolled_back():
                expected = OPERATIONS[name](k, n)
                result = audit_verify(batch_size=batch_size)
            report.operations += 1
            if not result.ok and result.first_broken_seq == expected:
                report.detected += 1
                report.by_operation[name] += 1
            else:
                report.missed.append((name, k, expected, result.first_broken_seq, result.reason))
    report.seconds = time.monotonic() - started
    return report
