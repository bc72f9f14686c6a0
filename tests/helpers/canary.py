"""Canary scanning (SECURITY.md PII-02/04): plant unique strings, run a flow, prove they appear nowhere they must not.

    canary = Canary.new()                       # name / phone / id_number / contact, unique to this run
    with capture_logs() as logs: ...run the flow...
    assert scan_database(canary.values()) == []  # every text/varchar/json column but the ciphertext ones
    assert scan_text(logs.text(), canary.values()) == []
    assert scan_xlsx(content, canary.values()) == []

``scan_database`` reads every table the database has (introspection, not only the models), every column whose type
is text-like, and skips ``apps.common.crypto.encrypted_columns()`` unless told otherwise. JSON columns are searched
for the needle both as written and as JSON escapes it (``\\u59d3``), since a JSON encoder may write either.
"""

from __future__ import annotations

import io
import json
import logging
import secrets
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass

TEXT_TYPES = {
    "CharField",
    "TextField",
    "JSONField",
    "EmailField",
    "SlugField",
    "URLField",
    "FilePathField",
    "GenericIPAddressField",
}


@dataclass(frozen=True)
class Canary:
    name: str
    phone: str
    id_number: str
    contact: str

    @classmethod
    def new(cls) -> Canary:
        tag = secrets.token_hex(4)
        digits = f"{secrets.randbelow(10**8):08d}"
        return cls(
            name=f"金丝雀{tag}",
            phone=f"139{digits}",
            id_number=f"3304811990{digits}",
            contact=f"canary-{tag}-wx",
        )

    def values(self) -> list[str]:
        return [self.name, self.phone, self.id_number, self.contact]

    def identity(self) -> dict[str, str]:
        return {"name": self.name, "phone": self.phone, "id_number": self.id_number, "contact": self.contact}


def _forms(needle: str) -> set[str]:
    return {needle, json.dumps(needle)[1:-1]}


def scan_text(text: str, needles) -> list[str]:
    """The needles found in ``text``."""
    return [n for n in needles if any(f in text for f in _forms(n))]


def text_columns(connection) -> list[tuple[str, str]]:
    out = []
    intro = connection.introspection
    with connection.cursor() as cursor:
        for table in intro.table_names(cursor):
            try:
                description = intro.get_table_description(cursor, table)
            except Exception:  # noqa: BLE001 — a table introspection cannot describe (a virtual table): every column
                cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)} WHERE 1 = 0")
                out.extend((table, d[0]) for d in cursor.description)
                continue
            for col in description:
                try:
                    kind = intro.get_field_type(col.type_code, col)
                except KeyError:
                    kind = str(col.type_code)
                if kind in TEXT_TYPES or any(t in str(kind).lower() for t in ("char", "text", "json")):
                    out.append((table, col.name))
    return out


def scan_database(needles, *, skip: set[tuple[str, str]] | None = None, using: str = "default") -> list[tuple]:
    """``(table, column, needle)`` of every hit in a text-like column outside ``skip`` (default: the ciphertext
    columns). Also returns the columns scanned as ``scan_database.last_columns`` for a sanity check."""
    from django.db import connections

    from apps.common.crypto import encrypted_columns

    connection = connections[using]
    skip = encrypted_columns() if skip is None else skip
    qn = connection.ops.quote_name
    hits, columns = [], text_columns(connection)
    with connection.cursor() as cursor:
        for table, column in columns:
            if (table, column) in skip:
                continue
            for needle in needles:
                for form in _forms(needle):
                    cursor.execute(
                        f"SELECT COUNT(*) FROM {qn(table)} WHERE CAST({qn(column)} AS TEXT) LIKE %s",
                        [f"%{form}%"],
                    )
                    if cursor.fetchone()[0]:
                        hits.append((table, column, needle))
    scan_database.last_columns = columns
    return sorted(set(hits))


def scan_xlsx(content: bytes, needles) -> list[str]:
    """The needles found in any XML part of an xlsx (cells, shared strings, properties, the 导出说明 sheet)."""
    found = set()
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        for name in z.namelist():
            text = z.read(name).decode("utf-8", errors="replace")
            found.update(scan_text(text, needles))
    return sorted(found)


class _Collector(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record):
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001
            message = str(record.msg)
        parts = [message, repr(record.args)]
        if record.exc_info:
            parts.append(logging.Formatter().formatException(record.exc_info))
        parts.extend(
            repr(v)
            for k, v in record.__dict__.items()
            if k not in logging.LogRecord("", 0, "", 0, "", (), None).__dict__
        )
        self.lines.append(" ".join(parts))

    def text(self) -> str:
        return "\n".join(self.lines)


@contextmanager
def capture_logs():
    """Every log record of every logger (root, and those that do not propagate), at DEBUG, with its arguments."""
    collector = _Collector()
    loggers = [logging.getLogger()] + [
        lg for lg in logging.root.manager.loggerDict.values() if isinstance(lg, logging.Logger) and not lg.propagate
    ]
    saved = [(lg, lg.level) for lg in loggers]
    for lg in loggers:
        lg.addHandler(collector)
        lg.setLevel(logging.DEBUG)
    try:
        yield collector
    finally:
        for lg, level in saved:
            lg.removeHandler(collector)
            lg.setLevel(level)
