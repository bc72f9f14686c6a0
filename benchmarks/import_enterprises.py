"""Excel import of the registry: our import vs. the floor, on a 30,000-row workbook (issue 3 point 7).

Measured, each in its own fresh subprocess (so peak RSS is per step) against empty registry tables:

* **floor** — python-calamine parse of the file plus ONE bulk insert of the same rows (enterprises + their
  licences in one transaction: ``COPY … FROM STDIN`` on PostgreSQL, ``executemany`` on SQLite), nothing else;
* **openpyxl** — the old reader's parse of the same file (``read_only``, ``iter_rows(values_only=True)``), beside it;
* **import** — our whole commit path: ZIP pre-scan (with the formula/error-cell scan) + calamine parse + cell
  parsing/validation + database checks + bulk upsert in one transaction + the import record's rows + the audit
  event (``enterprise_import_commit``);
* **dry run** — the upload-time check (``enterprise_import_check``), and **re-import** of the same file (all rows
  unchanged), for information.

Then every workbook of the bad corpus (tests/fixtures_xlsx) is answered, with its time (goal ≤ 2 s each) and the
Python heap peak while answering it (tracemalloc).

    .venv/bin/python benchmarks/import_enterprises.py                     # temporary SQLite file, 30,000 rows
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hn_import .venv/bin/python benchmarks/import_enterprises.py
    .venv/bin/python benchmarks/import_enterprises.py -n 10000 --repeat 3 --skip-bad

Without DATABASE_URL a throw-away SQLite file is used (the configured development database is never touched);
with a PostgreSQL URL the database is created if missing, migrated, and its registry tables are emptied between
steps — use a scratch database. Exit status 1 if a goal is missed (import ≤ 2× floor, peak RSS < 250 MB, each bad
workbook ≤ 2 s).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "haining_foodsafety.settings.base")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")

GOAL_RATIO = 2.0
GOAL_RSS_MB = 250
GOAL_BAD_SECONDS = 2.0


def _setup_django():
    import django

    django.setup()


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _timed(fn):
    """Run a step, adding its CPU seconds (this process only: the database server's CPU is not in it)."""

    def wrapper(path):
        c0 = _cpu()
        result = fn(path)
        result.setdefault("cpu_seconds", _cpu() - c0)  # a step that runs more after its timed part gives its own
        return result

    wrapper.__name__ = fn.__name__
    return wrapper


def _importer():
    from apps.accounts.models import User

    return User.objects.get(username="bench_importer")


def _warm_process() -> None:
    """What a worker process has done once before its first job, outside every timed part (like ``django.setup()``
    and the module imports): load the URLconf — every app's views are imported for it, ~0.4 s of CPU here —
    which the import's result needs for its link (``reverse``). The floor needs none (and its CPU figure covers its
    whole step, so it is not warmed)."""
    from django.urls import reverse

    reverse("enterprises:list")


def _large_limits():
    """The benchmark file is 3× the per-upload row cap (10,000): lift the caps for it, nothing else changes."""
    from apps.common.excel import XlsxLimits

    return XlsxLimits(max_rows=1_000_000, max_total_uncompressed=500 * 1024 * 1024)


# ---------------------------------------------------------------------------------------------------- child steps
_KINDS = {"食品生产许可证": "SC", "食品经营许可证": "JY", "小作坊/小餐饮/小食杂店登记证": "DJ", "食品摊贩登记卡": "DK"}


def _db_text(field, value) -> str:
    """One value in PostgreSQL COPY text format."""
    import datetime as dt
    import json as _json

    from django.db import models

    if value is None:
        return "\\N"
    if isinstance(field, models.JSONField):
        text = _json.dumps(value, ensure_ascii=False)
    elif isinstance(value, bool):
        text = "t" if value else "f"
    elif isinstance(value, dt.datetime | dt.date):
        text = value.isoformat()
    else:
        text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def bulk_insert(model, rows: list[dict]) -> None:
    """ONE bulk insert of plain rows: COPY on PostgreSQL, executemany on SQLite. Columns not given get their
    model default (Django applies defaults in Python, so the floor must send them too)."""
    import io as _io

    from django.db import connection

    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    defaults = {f.attname: f.get_default() for f in fields}
    if hasattr(model, "created_at"):
        from django.utils import timezone

        now = timezone.now()
        defaults.update(created_at=now, updated_at=now)
    columns = [f.column for f in fields]
    table = model._meta.db_table
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            buf = _io.StringIO()
            for row in rows:
                buf.write("\t".join(_db_text(f, row.get(f.attname, defaults[f.attname])) for f in fields))
                buf.write("\n")
            buf.seek(0)
            cols = ", ".join(connection.ops.quote_name(c) for c in columns)
            cur.cursor.copy_expert(f"COPY {connection.ops.quote_name(table)} ({cols}) FROM STDIN", buf)
        else:
            import json as _json

            from django.db import models

            json_fields = {f.attname for f in fields if isinstance(f, models.JSONField)}
            params = [
                [
                    _json.dumps(row.get(f.attname, defaults[f.attname]))
                    if f.attname in json_fields
                    else row.get(f.attname, defaults[f.attname])
                    for f in fields
                ]
                for row in rows
            ]
            marks = ", ".join(["%s"] * len(columns))
            cols = ", ".join(connection.ops.quote_name(c) for c in columns)
            cur.executemany(f"INSERT INTO {connection.ops.quote_name(table)} ({cols}) VALUES ({marks})", params)


def step_floor(path: Path) -> dict:
    """calamine parse + ONE bulk insert of the same enterprises and licences (COPY / executemany), no checks."""
    import python_calamine
    from django.db import transaction

    from apps.accounts.models import Township
    from apps.enterprises.models import BusinessType, Enterprise, Licence

    towns = dict(Township.objects.values_list("name", "id"))
    types = dict(BusinessType.objects.values_list("name", "id"))
    t0 = time.perf_counter()
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    it = iter(book.get_sheet_by_index(0).iter_rows())
    header = next(it)
    col = {h: i for i, h in enumerate(header)}
    rows = [r for r in it if any(v != "" for v in r)]
    t_parse = time.perf_counter() - t0
    ents = [
        {
            "uscc": r[col["统一社会信用代码"]],
            "name": r[col["名称"]],
            "township_id": towns[r[col["所属镇街"]]],
            "business_type_id": types[r[col["业态"]]],
            "legal_representative": r[col["法定代表人/负责人"]],
            "contact_person": r[col["联系人"]],
            "contact_phone": r[col["联系电话"]],
            "registered_address": r[col["注册地址"]],
            "business_address": r[col["经营地址"]],
            "version": 1,
        }
        for r in rows
    ]
    with transaction.atomic():
        bulk_insert(Enterprise, ents)
        ids = dict(Enterprise.objects.values_list("uscc", "id"))
        lics = [
            {
                "enterprise_id": ids[r[col["统一社会信用代码"]]],
                "kind": _KINDS[r[col["许可证类型"]]],
                "number": r[col["许可证编号"]],
                "issued_on": r[col["发证日期"]],
                "expires_on": r[col["有效期至"]],
                "is_active": True,
            }
            for r in rows
        ]
        bulk_insert(Licence, lics)
    total = time.perf_counter() - t0
    return {"seconds": total, "parse_seconds": t_parse, "rows": len(rows), "maxrss_mb": _maxrss_mb()}


def step_openpyxl(path: Path) -> dict:
    """The old reader, for comparison: openpyxl read-only parse of the same file (values only)."""
    import openpyxl

    t0 = time.perf_counter()
    wb = openpyxl.load_workbook(path, read_only=True)
    rows = sum(1 for r in wb.worksheets[0].iter_rows(values_only=True) if any(v is not None for v in r))
    wb.close()
    return {"seconds": time.perf_counter() - t0, "rows": rows - 1, "maxrss_mb": _maxrss_mb()}


def step_import(path: Path) -> dict:
    from apps.enterprises.imports import enterprise_import_commit
    from haining_foodsafety.celery import app

    # Jobs the import starts (risk's coverage refresh for > 500 touched rows) are published when it commits and run
    # in a worker, as in production; without Redis they would run eagerly inside the call. They go to the in-memory
    # broker instead and are run and timed after the import, apart from it (``after_jobs_seconds``).
    app.conf.task_always_eager = False
    _warm_process()
    c0 = _cpu()
    data = path.read_bytes()
    marks = []
    t0 = time.perf_counter()

    def progress(pct, msg=""):
        marks.append((round(time.perf_counter() - t0, 2), pct, msg))

    result = enterprise_import_commit(
        actor=_importer(), data=data, filename=path.name, progress=progress, limits=_large_limits()
    )
    total = time.perf_counter() - t0
    cpu = _cpu() - c0
    maxrss = _maxrss_mb()
    after_jobs = _run_pending_jobs()
    read_done = next((t for t, _pct, msg in marks if msg.startswith("已读取")), None)
    planned = next((t for t, _pct, msg in marks if msg.startswith("正在写入")), None)
    return {
        "seconds": total,
        "read_seconds": read_done,
        "plan_seconds": (planned - read_done) if planned and read_done else None,
        "rows": result["total"],
        "created": result["created"],
        "updated": result["updated"],
        "unchanged": result["unchanged"],
        "maxrss_mb": maxrss,
        "cpu_seconds": cpu,
        "progress_marks": len(marks),
        **after_jobs,
    }


def _run_pending_jobs() -> dict:
    """Run the jobs the import published (as a worker would, one after the other); their time and peak apart."""
    from apps.common.jobs import job_run
    from apps.common.models import Job, JobStatus

    t0 = time.perf_counter()
    kinds = []
    for job_id, kind in Job.objects.filter(status=JobStatus.PENDING).order_by("created_at").values_list("pk", "kind"):
        job_run(job_id)
        kinds.append(kind)
    return {"after_jobs": kinds, "after_jobs_seconds": time.perf_counter() - t0, "after_jobs_maxrss_mb": _maxrss_mb()}


def step_dryrun(path: Path) -> dict:
    from apps.enterprises.imports import enterprise_import_check

    _warm_process()
    data = path.read_bytes()
    t0 = time.perf_counter()
    report = enterprise_import_check(actor=_importer(), data=data, filename=path.name, limits=_large_limits())
    return {
        "seconds": time.perf_counter() - t0,
        "rows": report.rows,
        "errors": len(report.errors),
        "maxrss_mb": _maxrss_mb(),
    }


def step_prescan(path: Path) -> dict:
    from apps.common.excel import xlsx_prescan

    data = path.read_bytes()
    t0 = time.perf_counter()
    report = xlsx_prescan(data, _large_limits())
    return {
        "seconds": time.perf_counter() - t0,
        "entries": report.entries,
        "uncompressed_mb": report.uncompressed / 1024 / 1024,
        "max_ratio": report.max_ratio,
        "maxrss_mb": _maxrss_mb(),
    }


def step_bad(_path) -> dict:
    import tracemalloc

    from apps.accounts.models import User
    from apps.common.models import AuditEvent
    from apps.enterprises.imports import enterprise_import_check
    from apps.enterprises.models import Enterprise
    from tests.fixtures_xlsx.builders import BAD_WORKBOOKS, Bad, valid_rows, workbook

    actor = User.objects.get(username="bench_township")
    full = valid_rows(10_001, townships=["硖石街道"], seed=9, start=500_000)
    extra = (
        Bad("full_width_10001_rows (27 列)", lambda: workbook(full), "超过 10,000 行", "content"),
        Bad("valid_10000_rows (27 列, 预检通过)", lambda: workbook(full[:10_000]), "", "content"),
    )
    out = []
    for bad in (*BAD_WORKBOOKS, *extra):
        data = bad.build()
        before = (Enterprise.objects.count(), AuditEvent.objects.count())
        t0 = time.perf_counter()
        report = enterprise_import_check(actor=actor, data=data, filename=f"{bad.name}.xlsx")
        seconds = time.perf_counter() - t0
        tracemalloc.start()  # second pass for the heap peak (tracemalloc slows Python down a lot)
        enterprise_import_check(actor=actor, data=data, filename=f"{bad.name}.xlsx")
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        after = (Enterprise.objects.count(), AuditEvent.objects.count())
        first = str(report.errors[0]) if report.errors else f"预检通过：{report.rows:,} 行"
        out.append(
            {
                "name": bad.name,
                "seconds": seconds,
                "peak_mb": peak / 1024 / 1024,
                "answered": (bool(report.errors) and bad.expect in " ".join(str(i) for i in report.errors))
                if bad.expect
                else report.ok,
                "written": before != after,
                "message": first[:90],
            }
        )
    return {"bad": out, "maxrss_mb": _maxrss_mb()}


STEPS = {
    "floor": _timed(step_floor),
    "openpyxl": _timed(step_openpyxl),
    "import": _timed(step_import),
    "dryrun": _timed(step_dryrun),
    "prescan": _timed(step_prescan),
    "bad": step_bad,
}


def child(step: str, path: str) -> None:
    _setup_django()
    result = STEPS[step](Path(path) if path else None)
    print("RESULT " + json.dumps(result, ensure_ascii=False))


# ---------------------------------------------------------------------------------------------------- parent
def run_child(step: str, path: Path, env: dict) -> dict:
    proc = subprocess.run(
        [sys.executable, __file__, "--child", step, "--file", str(path)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    sys.stderr.write(proc.stdout + proc.stderr)
    raise SystemExit(f"step {step} failed")


def prepare_database(env_url: str | None) -> None:
    if env_url and env_url.startswith("postgres"):
        from urllib.parse import urlsplit

        import psycopg2

        parts = urlsplit(env_url)
        name = parts.path.lstrip("/")
        conn = psycopg2.connect(
            host=parts.hostname or "127.0.0.1", port=parts.port or 5432, user=parts.username or "postgres",
            password=parts.password or None, dbname="postgres",
        )  # fmt: skip
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cur.fetchone() is None:
                cur.execute(f'CREATE DATABASE "{name}"')
        conn.close()
    _setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from apps.accounts.models import Township
    from apps.accounts.services import reference_data_load, roles_sync
    from tests.conftest import make_user

    reference_data_load()
    roles_sync()
    from apps.accounts.models import User

    if not User.objects.filter(username="bench_importer").exists():
        make_user("bench_importer", "city_staff")
    if not User.objects.filter(username="bench_township").exists():
        make_user("bench_township", "township_staff", [Township.objects.get(code="xiashi")])


def empty_registry() -> None:
    from django.apps import apps
    from django.db import connection

    from apps.enterprises.models import Enterprise, ImportRecord, ImportRow, Licence

    through = Enterprise.food_categories.through
    # other apps' per-enterprise rows (risk's coverage state and its sums, written after the import's
    # enterprises.changed hook), so every round starts from the same empty state
    others = [
        r.related_model
        for r in Enterprise._meta.related_objects
        if not r.many_to_many and r.related_model not in (Licence, ImportRow)
    ]
    if apps.is_installed("apps.risk"):
        others.append(apps.get_model("risk", "CoverageBucket"))
    with connection.cursor() as cur:
        for model in (ImportRow, ImportRecord, through, Licence, *others, Enterprise):
            cur.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--rows", type=int, default=30_000)
    parser.add_argument("--repeat", type=int, default=1, help="repeat floor/import pairs, report the median")
    parser.add_argument("--skip-bad", action="store_true", help="do not time the bad-workbook corpus")
    parser.add_argument("--child", choices=sorted(STEPS), help=argparse.SUPPRESS)
    parser.add_argument("--file", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.file)
        return 0

    tmp = Path(tempfile.mkdtemp(prefix="hn-bench-import-"))
    env = dict(os.environ)
    if not env.get("DATABASE_URL"):
        env["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
        os.environ["DATABASE_URL"] = env["DATABASE_URL"]
    env["MEDIA_ROOT"] = str(tmp / "media")
    os.environ["MEDIA_ROOT"] = env["MEDIA_ROOT"]
    prepare_database(env["DATABASE_URL"])
    from django.db import connection

    print(f"数据库：{connection.vendor} {connection.settings_dict['NAME']}")
    from tests.fixtures_xlsx.builders import valid_rows, workbook

    t0 = time.perf_counter()
    data = workbook(valid_rows(args.rows, seed=2026))
    path = tmp / f"registry_{args.rows}.xlsx"
    path.write_bytes(data)
    print(
        f"工作簿：{args.rows:,} 行 × 27 列，{len(data) / 1024 / 1024:.2f} MB（生成 {time.perf_counter() - t0:.1f} s）"
    )
    connection.close()

    scan = run_child("prescan", path, env)
    print(
        f"预扫描：{scan['seconds']:.3f} s，{scan['entries']} 个部件，解压后 {scan['uncompressed_mb']:.1f} MB，"
        f"最大压缩比 {scan['max_ratio']:.1f}:1"
    )
    old = run_child("openpyxl", path, env)
    print(f"旧读取方式（openpyxl 只读解析，仅作对比）：{old['seconds']:.2f} s，{old['rows']:,} 行")
    floors, imports_, reimports = [], [], []
    loads = [os.getloadavg()[0]]  # the 1-minute load average before each round and at the end
    for i in range(args.repeat):
        empty_registry()
        connection.close()
        floors.append(run_child("floor", path, env))
        empty_registry()
        connection.close()
        imports_.append(run_child("import", path, env))
        reimports.append(run_child("import", path, env))
        f, m, r = floors[-1], imports_[-1], reimports[-1]
        loads.append(os.getloadavg()[0])
        print(
            f"第 {i + 1} 轮（load {loads[-2]:.1f} → {loads[-1]:.1f}）：下限 {f['seconds']:.2f} s / CPU {f['cpu_seconds']:.2f} s（其中解析 {f['parse_seconds']:.2f} s）；"
            f"导入 {m['seconds']:.2f} s / CPU {m['cpu_seconds']:.2f} s（预扫描+读取+单元格解析 {m['read_seconds']:.2f} s，"
            f"与名录核对 {m['plan_seconds']:.2f} s，"
            f"新增 {m['created']:,}）；重复导入 {r['seconds']:.2f} s / CPU {r['cpu_seconds']:.2f} s"
            f"（无变化 {r['unchanged']:,}）"
        )
        if m["after_jobs"]:
            print(
                f"       导入提交后的任务（另行执行，不计入导入）：{'、'.join(m['after_jobs'])} "
                f"{m['after_jobs_seconds']:.2f} s，峰值 RSS {m['after_jobs_maxrss_mb']:.0f} MB"
            )
    dry = run_child("dryrun", path, env)
    floor_s = statistics.median(r["seconds"] for r in floors)
    import_s = statistics.median(r["seconds"] for r in imports_)
    reimport_s = statistics.median(r["seconds"] for r in reimports)
    ratio = import_s / floor_s
    cpu_ratio = statistics.median(r["cpu_seconds"] for r in imports_) / statistics.median(
        r["cpu_seconds"] for r in floors
    )
    peak = max(r["maxrss_mb"] for r in imports_ + reimports + [dry])
    floor_peak = max(r["maxrss_mb"] for r in floors)
    ok = ratio <= GOAL_RATIO and peak < GOAL_RSS_MB
    print()
    floor_parse = statistics.median(r["parse_seconds"] for r in floors)
    insert = "COPY" if connection.vendor == "postgresql" else "executemany"
    print(
        f"下限（calamine 解析 {floor_parse:.2f} s + 一次 {insert} 批量插入）：{floor_s:.2f} s，峰值 RSS {floor_peak:.0f} MB；"
        f"旧 openpyxl 解析 {old['seconds']:.2f} s"
    )
    print(f"本系统导入（预扫描 + 解析 + 校验 + 提交）：{import_s:.2f} s，峰值 RSS {peak:.0f} MB")
    print(f"比值：{ratio:.2f}×（目标 ≤ {GOAL_RATIO}×），峰值目标 < {GOAL_RSS_MB} MB —— {'达标' if ok else '未达标'}")
    print(f"CPU 时间比值（本进程，受机器负载影响较小；PostgreSQL 服务端 CPU 不计入）：{cpu_ratio:.2f}×")
    print(
        f"load average：各轮前后 1 分钟负载 {min(loads):.1f}–{max(loads):.1f}；结束时 "
        f"{' / '.join(f'{x:.1f}' for x in os.getloadavg())}（1 / 5 / 15 分钟）"
    )
    print(f"重复导入同一文件（全部无变化）：{reimport_s:.2f} s；预检（上传时）：{dry['seconds']:.2f} s")

    if not args.skip_bad:
        empty_registry()
        connection.close()
        bad = run_child("bad", path, env)
        print()
        print(f"坏文件语料（{len(bad['bad'])} 个，目标每个 ≤ {GOAL_BAD_SECONDS} s，无写入）：")
        for item in bad["bad"]:
            informational = item["name"].startswith("valid_")  # a good file: its dry-run time, not a 2 s goal
            passed = item["answered"] and not item["written"] and (informational or item["seconds"] <= GOAL_BAD_SECONDS)
            flag = ("ℹ" if informational else "✓") if passed else "✗"
            print(
                f"  {flag} {item['name']:34s} {item['seconds']:6.3f} s  堆峰值 {item['peak_mb']:6.1f} MB  {item['message']}"
            )
            ok = ok and passed
        slowest = max((b for b in bad["bad"] if not b["name"].startswith("valid_")), key=lambda x: x["seconds"])
        print(f"  最慢：{slowest['name']} {slowest['seconds']:.3f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
