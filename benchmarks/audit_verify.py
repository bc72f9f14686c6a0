"""Audit-chain verification speed (SECURITY.md AUD-05: ≥ 100,000 entries/min).

Appends N correctly chained events (bulk insert, continuing from the current head) to the configured database,
runs the same verifier as ``manage.py audit_verify`` over the whole chain, prints entries/min, and then ROLLS
EVERYTHING BACK: the database is left exactly as it was. It holds the chain-head lock meanwhile, so run it on a
test or staging database, not while a live system is writing.

    .venv/bin/python benchmarks/audit_verify.py               # N = 100,000 (SQLite file db by default)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hn_bench .venv/bin/python benchmarks/audit_verify.py -n 200000

The database must be migrated (``manage.py migrate``). Exit status 1 if the rate is under the goal.
"""

import argparse
import csv
import datetime as dt
import io
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "haining_foodsafety.settings.base")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from apps.common.audit import COLUMNS, _lock_head, audit_verify, compute_entry_hash  # noqa: E402
from apps.common.models import AuditChainHead, AuditEvent  # noqa: E402

GOAL_PER_MIN = 100_000


class _Rollback(Exception):
    pass


def build_rows(start_seq: int, prev_hash: str, n: int):
    """n chained rows as tuples in COLUMNS order, values as the database takes them."""
    base = timezone.now().replace(microsecond=0)
    adapt_dt = connection.ops.adapt_datetimefield_value
    rows = []
    for i in range(n):
        seq = start_seq + i
        fields = {
            "seq": seq,
            "occurred_at": base + dt.timedelta(milliseconds=i),
            "actor_id": None,
            "actor_repr": "基准测试",
            "actor_role": "系统管理员",
            "api_client": "",
            "ip": "10.0.0.1",
            "request_id": f"bench{seq:012d}",
            "action": "enterprise.update",
            "object_type": "enterprises.enterprise",
            "object_id": str(seq),
            "object_repr": f"海宁市某食品有限公司（{seq}）",
            "outcome": "success",
            "changes": {"name": [f"旧名称{seq}", f"新名称{seq}"], "risk_grade": ["B", "C"]},
            "extra": {"source": "benchmark"},
        }
        entry_hash = compute_entry_hash(prev_hash, fields)
        fields.update(prev_hash=prev_hash, entry_hash=entry_hash, occurred_at=adapt_dt(fields["occurred_at"]))
        fields["changes"] = json.dumps(fields["changes"], ensure_ascii=False)
        fields["extra"] = json.dumps(fields["extra"], ensure_ascii=False)
        rows.append(tuple(fields[c] for c in COLUMNS))
        prev_hash = entry_hash
    return rows, prev_hash


def bulk_insert(rows, batch_size: int) -> None:
    """COPY on PostgreSQL, executemany elsewhere: much faster than the ORM's bulk_create for 100k rows."""
    table = AuditEvent._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            buf = io.StringIO()
            writer = csv.writer(buf)
            for row in rows:
                writer.writerow(["\\N" if v is None else v for v in row])
            buf.seek(0)
            sql = f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN WITH (FORMAT csv, NULL '\\N')"
            cursor.cursor.copy_expert(sql, buf)
            return
        sql = f"INSERT INTO {table} ({', '.join(COLUMNS)}) VALUES ({', '.join(['%s'] * len(COLUMNS))})"
        for i in range(0, len(rows), batch_size):
            cursor.executemany(sql, rows[i : i + batch_size])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=100_000, help="events to append (default 100000)")
    parser.add_argument("--batch-size", type=int, default=5000)
    args = parser.parse_args()
    print(f"数据库：{connection.vendor} {connection.settings_dict['NAME']}")
    try:
        with transaction.atomic():
            head = _lock_head()
            existing = head.last_seq
            t0 = time.monotonic()
            rows, last_hash = build_rows(head.last_seq + 1, head.last_hash, args.n)
            t_build = time.monotonic() - t0
            bulk_insert(rows, args.batch_size)
            AuditChainHead.objects.filter(pk=1).update(last_seq=existing + args.n, last_hash=last_hash)
            t_write = time.monotonic() - t0 - t_build
            report = audit_verify(batch_size=args.batch_size)
            raise _Rollback((report, t_build, t_write, existing))
    except _Rollback as done:
        report, t_build, t_write, existing = done.args[0]
    rate = report.checked / report.seconds * 60 if report.seconds else float("inf")
    print(f"准备 {args.n} 条（已有 {existing} 条）：计算哈希 {t_build:.1f} 秒，批量写入 {t_write:.1f} 秒")
    print(f"校验 {report.checked} 条：{report.seconds:.2f} 秒，{rate:,.0f} 条/分钟（目标 ≥ {GOAL_PER_MIN:,}）")
    print("结果：" + ("链完整" if report.ok else f"在第 {report.first_broken_seq} 条断裂：{report.reason}"))
    print("已回滚：数据库未改变")
    return 0 if report.ok and rate >= GOAL_PER_MIN else 1


if __name__ == "__main__":
    sys.exit(main())
