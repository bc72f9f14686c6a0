"""Bulk inserts of plain rows without model instances: ``COPY … FROM STDIN`` on PostgreSQL, one ``executemany``
on SQLite. For large writes (imports) where ``bulk_create``'s per-object work (model ``__init__``, per-field SQL
compilation) costs more than the database does.

Rows are dicts keyed by field ``attname`` (``township_id``, not ``township``); a missing field gets its model
default, ``auto_now``/``auto_now_add`` fields get the current time. Like ``bulk_create``, no ``save()``, no
signals; database constraints apply. Call inside the caller's transaction.

``gc_paused()``: the cyclic garbage collector paused while a bulk job builds its many long-lived objects.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import itertools
import json
import threading
from collections.abc import Iterable

from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.utils import timezone


def _fields(model, *, with_pk: bool = False) -> list:
    from django.db.models.fields import AutoFieldMixin

    return [f for f in model._meta.concrete_fields if with_pk or not (f.primary_key and isinstance(f, AutoFieldMixin))]


def allocate_ids(model, count: int) -> list[int] | None:
    """On PostgreSQL, ``count`` new primary keys from the table's sequence in one query, so the rows can be
    inserted with their ids (``bulk_insert(..., with_pk=True)``) and need no read-back; None on other databases."""
    if connection.vendor != "postgresql" or count <= 0:
        return None
    sql = "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)"
    with connection.cursor() as cursor:
        cursor.execute(sql, [connection.ops.quote_name(model._meta.db_table), model._meta.pk.column, count])
        return [row[0] for row in cursor.fetchall()]


def _defaults(fields) -> dict:
    now = timezone.now()
    out = {}
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            out[f.attname] = now
        else:
            out[f.attname] = f.get_default()
    return out


def _copy_text(field, value) -> str:
    if value is None:
        return "\\N"
    if isinstance(field, models.JSONField):
        text = json.dumps(value, cls=field.encoder, ensure_ascii=False)
    elif isinstance(value, bool):
        text = "t" if value else "f"
    elif isinstance(value, dt.datetime | dt.date | dt.time):
        text = value.isoformat()
    else:
        text = str(value)
    return _copy_escape(text)


def _copy_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _copy_converter(field):
    """Per field, once: value → COPY text, as ``_copy_text`` gives it, with the common types first (text without
    a character to escape is sent as it is): ~40 % of the COPY's Python time for a wide table."""
    if isinstance(field, models.JSONField):
        encode = (field.encoder or json.JSONEncoder)(ensure_ascii=False).encode  # json.dumps's, built once

        def convert_json(value):
            if not value and type(value) in (list, dict):  # [] and {} (most rows' tags and changes)
                return "[]" if type(value) is list else "{}"
            return "\\N" if value is None else _copy_escape(encode(value))

        return convert_json

    def convert(value):
        kind = type(value)
        if kind is str:
            if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
                return _copy_escape(value)
            return value
        if kind is int:
            return str(value)
        if kind is bool:
            return "t" if value else "f"
        if value is None:
            return "\\N"
        if kind is dt.date:
            return value.isoformat()
        return _copy_text(field, value)

    return convert


def _copy_lines(fields, defaults: dict, rows):
    """One COPY text line per row; a field missing from a row gets its default (converted once)."""
    specs = [(f.attname, convert, convert(defaults[f.attname])) for f in fields for convert in (_copy_converter(f),)]
    join = "\t".join
    for row in rows:
        yield join([convert(row[name]) if name in row else default for name, convert, default in specs]) + "\n"


class _CopyStream:
    """A file-like object producing COPY text lazily (``read(size)``), so the rows are never all in memory."""

    def __init__(self, lines):
        self._lines = iter(lines)
        self._buf = b""
        self.lines = 0

    def read(self, size: int = -1) -> bytes:
        want = size if size and size > 0 else 1 << 20
        parts, have = [self._buf], len(self._buf)
        while have < want:
            line = next(self._lines, None)
            if line is None:
                break
            encoded = line.encode("utf-8")
            parts.append(encoded)
            have += len(encoded)
            self.lines += 1
        data = b"".join(parts)
        self._buf = data[want:]
        return data[:want]

    readline = read


def _identity(value):
    return value


def _converter(field, conn):
    """Per field, once: how a Python value becomes a SQLite parameter (most need nothing)."""
    target = field.target_field if field.is_relation else field
    if isinstance(field, models.JSONField):
        encoder = field.encoder
        return lambda v: None if v is None else json.dumps(v, cls=encoder)
    if isinstance(target, models.DateField | models.DecimalField | models.UUIDField | models.TimeField):
        last = [object(), None]  # rows often share one value (created_at, a record id): convert it once

        def convert(v):
            if v is not last[0]:
                last[0], last[1] = v, target.get_db_prep_save(v, conn)
            return last[1]

        return convert
    return _identity


def bulk_insert(model, rows: Iterable[dict], *, with_pk: bool = False) -> int:
    """Insert ``rows`` into ``model``'s table in one statement stream; returns the number of rows. With ``with_pk``
    every row gives its primary key (from ``allocate_ids``)."""
    fields = _fields(model, with_pk=with_pk)
    defaults = _defaults(fields)
    table = connection.ops.quote_name(model._meta.db_table)
    cols = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return 0
    rows = itertools.chain((first,), rows)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            stream = _CopyStream(_copy_lines(fields, defaults, rows))
            cursor.cursor.copy_expert(f"COPY {table} ({cols}) FROM STDIN", stream)
            count = stream.lines
        else:
            conn = connections[DEFAULT_DB_ALIAS]  # the proxy's lookup per value costs more than the insert
            convert = [_converter(f, conn) for f in fields]
            names = [f.attname for f in fields]
            marks = ", ".join(["%s"] * len(fields))
            sql = f"INSERT INTO {table} ({cols}) VALUES ({marks})"
            count = 0
            while True:  # chunks of 2,000 rows: the parameters are never all in memory
                params = [
                    [c(row.get(n, defaults[n])) for c, n in zip(convert, names, strict=True)]
                    for row in itertools.islice(rows, 2000)
                ]
                if not params:
                    break
                cursor.executemany(sql, params)
                count += len(params)
    return count


_gc_lock = threading.Lock()
_gc_pauses = 0
_gc_was_enabled = False


@contextlib.contextmanager
def gc_paused():
    """Pause CPython's cyclic garbage collector for the duration (nesting and threads: the last one out resumes it).

    A bulk job (a 30,000-row import) builds a few hundred thousand long-lived dicts and lists that hold no reference
    cycles; each full collection walks all of them again, and the collector runs one every time the live set grows by
    a quarter: ~0.6 s of a 30,000-row import's 5 s of CPU. Reference counting still frees everything as usual; cycles
    made meanwhile wait for the collector's next run after the pause.
    """
    global _gc_pauses, _gc_was_enabled
    with _gc_lock:
        if _gc_pauses == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pauses += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pauses -= 1
            if _gc_pauses == 0 and _gc_was_enabled:
                gc.enable()
