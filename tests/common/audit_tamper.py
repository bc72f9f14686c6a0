"""Raw-SQL tampering helpers for the audit tests (what a database superuser could do behind the application)."""

import json
from contextlib import contextmanager

from django.db import connection, transaction

from apps.common.audit import compute_entry_hash

TABLE = "common_auditevent"
COLUMNS = (
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
    "prev_hash",
    "entry_hash",
)


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
