"""Coverage debt at scale (issue 8 point 14): the pages that read it, at 1× and 10× Haining, against a raw SQL floor.

For each scale N (default 30,000 and 300,000 enterprises) the script

1. grows the registry to N with ``manage.py seed_demo --enterprises N`` (idempotent: it adds the missing rows),
   grades the new enterprises with the yearly regrade (idempotent) and recomputes every coverage state with
   ``coverage_refresh`` (the nightly job; its time is reported);
2. requests each page in-process through Django's test client, logged in as the demo users (``shiju`` city staff,
   ``zhenjie`` township staff of 硖石街道): the coverage-debt page, the coverage-debt API, the township home page,
   the risk overview — one warm-up, then the median of ``--repeat`` requests, with the query count;
3. runs, in the same run, the **floor**: the raw SQL a page cannot do without — the per-township sums over the
   maintained buckets and the first 25 overdue rows with their names (city-wide), no Django — and prints every
   page's ratio to it (and, for information, the same sums taken over one state row per enterprise).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hn_risk .venv/bin/python benchmarks/coverage.py
    DATABASE_URL=... .venv/bin/python benchmarks/coverage.py --scales 30000 --repeat 7

Use a scratch database that was migrated and has the demo accounts (``manage.py demo_accounts``); the registry in it
is grown, never shrunk. Exit status 1 if a page takes 300 ms or more at the largest scale.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "haining_foodsafety.settings.base")
os.environ.setdefault("DEMO_MODE", "1")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from apps.accounts.models import User  # noqa: E402
from apps.enterprises.models import Enterprise  # noqa: E402
from apps.risk import coverage  # noqa: E402
from apps.risk.services import regrade_year  # noqa: E402

GOAL_MS = 300
PAGES = [
    ("覆盖欠账页（市局）", "shiju", "/risk/coverage/"),
    ("覆盖欠账页（镇街）", "zhenjie", "/risk/coverage/"),
    ("覆盖欠账接口（市局）", "shiju", "/api/v1/risk/coverage-debt/"),
    ("镇街首页", "zhenjie", "/"),
    ("风险分级概览（市局）", "shiju", "/risk/"),
]

PAGE_SQL = """SELECT s.enterprise_id, e.name, s.next_due, s.township_id
         FROM risk_coveragestate s JOIN enterprises_enterprise e ON e.id = s.enterprise_id
        WHERE s.next_due < %(today)s ORDER BY s.next_due, s.township_id, s.enterprise_id LIMIT 25"""
# the floor: the same data as the page from the maintained tables, raw SQL, no Django
FLOOR_SQL = [
    """SELECT township_id, sum(enterprises), sum(enterprises) FILTER (WHERE next_due < %(today)s),
              min(next_due) FILTER (WHERE next_due < %(today)s), sum(required), sum(done)
         FROM risk_coveragebucket GROUP BY township_id""",
    PAGE_SQL,
]
# for information: the same per-township counts summed from one row per enterprise (no buckets)
PER_ENTERPRISE_SQL = [
    """SELECT township_id, count(*), count(*) FILTER (WHERE next_due < %(today)s),
              min(next_due) FILTER (WHERE next_due < %(today)s), sum(required), sum(least(done, required))
         FROM risk_coveragestate GROUP BY township_id""",
    PAGE_SQL,
]


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def prepare(n: int) -> dict:
    out = {}
    t = time.perf_counter()
    call_command("seed_demo", "--enterprises", str(n), stdout=open(os.devnull, "w"))
    out["seed_s"] = round(time.perf_counter() - t, 1)
    t = time.perf_counter()
    regrade_year(year=timezone.localdate().year)
    out["regrade_s"] = round(time.perf_counter() - t, 1)
    t = time.perf_counter()
    out["operating"] = coverage.coverage_refresh()
    out["refresh_s"] = round(time.perf_counter() - t, 1)
    return out


def measure_page(user: User, url: str, repeat: int) -> tuple[float, int, int]:
    client = Client()
    client.force_login(user)
    response = client.get(url)  # warm-up (templates, connection)
    assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as ctx:
            t = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - t)
    return statistics.median(times), len(ctx), response.status_code


def measure_floor(repeat: int, statements=FLOOR_SQL) -> float:
    today = timezone.localdate()
    times = []
    with connection.cursor() as cur:
        for _ in range(repeat + 1):
            t = time.perf_counter()
            for sql in statements:
                cur.execute(sql, {"today": today})
                cur.fetchall()
            times.append(time.perf_counter() - t)
    return statistics.median(times[1:])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[30_000, 300_000])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        print("注意：未使用 PostgreSQL（DATABASE_URL），下限 SQL 需要 PostgreSQL。", file=sys.stderr)
        return 2
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    users = {u.username: u for u in User.objects.filter(username__in={p[1] for p in PAGES})}
    worst = 0.0
    for n in sorted(args.scales):
        prep = prepare(n)
        total = Enterprise.objects.count()
        overdue = coverage.coverage_overdue_count(users["shiju"])
        floor = measure_floor(args.repeat)
        per_enterprise = measure_floor(args.repeat, PER_ENTERPRISE_SQL)
        print(
            f"\n## {total:,} enterprises ({prep['operating']:,} operating, {overdue:,} overdue city-wide): "
            f"seed {prep['seed_s']} s, regrade {prep['regrade_s']} s, coverage_refresh {prep['refresh_s']} s"
        )
        print(f"floor (raw SQL: per-township sums over the buckets + first 25 overdue rows): {ms(floor)} ms")
        print(f"for information, the same sums over one state row per enterprise: {ms(per_enterprise)} ms")
        print("| page | user | median ms | queries | × floor |")
        print("| --- | --- | ---: | ---: | ---: |")
        for label, username, url in PAGES:
            median, queries, _ = measure_page(users[username], url, args.repeat)
            print(f"| {label} `{url}` | {username} | {ms(median)} | {queries} | {median / floor:.1f} |")
            if n == max(args.scales):
                worst = max(worst, median)
    print(f"\nworst page at {max(args.scales):,}: {ms(worst)} ms (goal < {GOAL_MS} ms)")
    return 0 if worst * 1000 < GOAL_MS else 1


if __name__ == "__main__":
    sys.exit(main())
