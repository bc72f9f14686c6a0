"""The leadership dashboard at Haining scale (issue 12 point 7): time and query count against a raw SQL floor.

The script

1. expects the data of ``manage.py seed_haining_scale`` (30,000 enterprises, five years of about 150,000 inspection
   tasks and 25,000 samples; run it first, it is idempotent) and the demo users (``lingdao`` 市领导, ``zhenjie``
   township staff of 硖石街道);
2. requests, in-process with Django's test client, the city overview ``/dashboard/`` as ``lingdao`` and the
   township view ``/dashboard/townships/<硖石>/`` as ``zhenjie`` — one warm-up, then ``--repeat`` rounds (floor,
   page back to back, so the host's load weighs on both alike), medians, with the query count;
3. measures, in the same run, two floors of each page, executed directly with a cursor (no ORM, no template):
   **floor A**, the raw SQL aggregates the page needs written by hand — the active townships, operating
   enterprises per township, inspection tasks per township × year × status over the five years, samples per
   township × year × purpose, and each clock's count (publications overdue and due soon, disposals overdue and
   due soon, complaints overdue, incidents without a first report) — and **floor B**, the very statements the page
   issued (captured, re-executed as they were sent): the database's part of the page, whatever the registered
   measures are. It prints the page's ratio to each;
4. adds ``--grow`` more inspection tasks (default 30,000) and measures again: the query count must not change.

    createdb -h 127.0.0.1 -U postgres hn_dashboard
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/hn_dashboard
    .venv/bin/python manage.py migrate && .venv/bin/python manage.py load_reference
    DEMO_MODE=1 .venv/bin/python manage.py demo_accounts && DEMO_MODE=1 .venv/bin/python manage.py seed_haining_scale
    .venv/bin/python benchmarks/dashboard.py

Exit status 1 if a page is above twice floor A or its query count changed with the data.
"""

from __future__ import annotations

import argparse
import datetime as dt
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
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from apps.accounts.models import Township, User  # noqa: E402
from apps.common.measures import measures  # noqa: E402
from apps.common.workdays import add_working_days  # noqa: E402
from apps.dashboard.management.commands.seed_haining_scale import Command as Seed  # noqa: E402
from apps.enterprises.models import Enterprise  # noqa: E402
from apps.inspections.models import InspectionTask  # noqa: E402
from apps.sampling.models import Sample  # noqa: E402

GOAL_RATIO = 2.0

# Floor A: what the page needs, by hand. %(township)s is NULL for the city (every township).
WHERE_T = "(%(township)s::bigint IS NULL OR {col} = %(township)s::bigint)"
FLOOR_A = [
    'SELECT id, name, "order" FROM accounts_township WHERE is_active ORDER BY "order", id',
    "SELECT township_id, count(*) FROM enterprises_enterprise WHERE status = 'operating' AND "
    + WHERE_T.format(col="township_id")
    + " GROUP BY 1",
    """SELECT e.township_id, extract(year FROM t.due_date) AS y, t.status, count(*)
         FROM inspections_inspectiontask t JOIN enterprises_enterprise e ON e.id = t.enterprise_id
        WHERE t.due_date >= %(start)s AND t.due_date <= %(end)s AND """
    + WHERE_T.format(col="e.township_id")
    + " GROUP BY 1, 2, 3",
    """SELECT township_id, extract(year FROM sampled_on) AS y, purpose, count(*) FROM sampling_sample
        WHERE sampled_on >= %(start)s AND sampled_on <= %(end)s AND NOT is_quick_test AND """
    + WHERE_T.format(col="township_id")
    + " GROUP BY 1, 2, 3",
    """SELECT count(*) FILTER (WHERE p.due_by < %(today)s),
              count(*) FILTER (WHERE p.due_by >= %(today)s AND p.due_by <= %(soon)s)
         FROM inspections_publication p JOIN inspections_inspectionresult r ON r.id = p.result_id
         JOIN inspections_inspectiontask t ON t.id = r.task_id JOIN enterprises_enterprise e ON e.id = t.enterprise_id
        WHERE p.status IN ('pending', 'held') AND """
    + WHERE_T.format(col="e.township_id"),
    """SELECT count(*) FILTER (WHERE (d.status = 'open' AND d.notify_due < %(today)s)
                                 OR (d.status <> 'closed' AND d.verify_due < %(today)s)),
              count(*) FILTER (WHERE d.status <> 'closed' AND d.verify_due >= %(today)s AND d.verify_due <= %(soon)s)
         FROM sampling_disposal d JOIN sampling_sample s ON s.id = d.sample_id WHERE """
    + WHERE_T.format(col="s.township_id"),
    """SELECT count(*) FILTER (WHERE status = 'pending' AND acceptance_due < %(today)s),
              count(*) FILTER (WHERE status IN ('closed', 'rejected') AND feedback_due < %(today)s)
         FROM incidents_complaint WHERE """
    + WHERE_T.format(col="township_id"),
    """SELECT count(*) FILTER (WHERE first_report_due < now()), count(*) FROM incidents_incident
        WHERE first_reported_at IS NULL AND """
    + WHERE_T.format(col="township_id"),
]


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def run_a(cur, params) -> float:
    t = time.perf_counter()
    for sql in FLOOR_A:
        cur.execute(sql, params)
        cur.fetchall()
    return time.perf_counter() - t


def run_b(cur, statements) -> float:
    t = time.perf_counter()
    for sql in statements:
        cur.execute(sql)
        if cur.description:
            cur.fetchall()
    return time.perf_counter() - t


def measure(user: User, url: str, params: dict, repeat: int, status: int = 200) -> dict:
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    # floor B: the page's own statements, reads only (the session save and savepoints are left out)
    statements = [q["sql"] for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith(("SELECT", "WITH"))]
    floors_a, floors_b, pages, counts = [], [], [], set()
    with connection.cursor() as cur:
        run_a(cur, params)
        run_b(cur, statements)
        for _ in range(repeat):
            floors_a.append(run_a(cur, params))
            floors_b.append(run_b(cur, statements))
            with CaptureQueriesContext(connection) as ctx:
                t = time.perf_counter()
                response = client.get(url)
                pages.append(time.perf_counter() - t)
            assert response.status_code == status
            counts.add(len(ctx))
    assert len(counts) == 1, counts
    median = statistics.median
    return {"page": median(pages), "queries": counts.pop(), "a": median(floors_a), "b": median(floors_b)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=11)
    parser.add_argument("--grow", type=int, default=30_000)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        print("需要 PostgreSQL（DATABASE_URL）：下限 SQL 为 PostgreSQL 语法。", file=sys.stderr)
        return 2
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    users = {u.username: u for u in User.objects.filter(username__in=["lingdao", "zhenjie"])}
    if len(users) < 2:
        print("缺少演示账户 lingdao / zhenjie：请先运行 manage.py demo_accounts（DEMO_MODE=1）", file=sys.stderr)
        return 2
    today = timezone.localdate()
    xiashi = Township.objects.get(code="xiashi")
    base = {
        "start": dt.date(today.year - 4, 1, 1),
        "end": today,
        "today": today,
        "soon": add_working_days(today, 5),
    }
    pages = [
        ("全市概览（市领导）", "lingdao", "/dashboard/", {**base, "township": None}),
        ("镇街视图（镇街）", "zhenjie", f"/dashboard/townships/{xiashi.pk}/", {**base, "township": xiashi.pk}),
    ]
    print(f"measures registered: {len(measures())} ({', '.join(m.code for m in measures()) or 'none'})")
    counts_by_page: dict[str, list[int]] = {}
    worst = 0.0
    for step in (1, 2):
        if step == 2:
            t = time.perf_counter()
            Seed().add_tasks(InspectionTask.objects.filter(number__startswith="BMD").count() + args.grow, seed=7)
            print(f"\n(added {args.grow:,} inspection tasks in {time.perf_counter() - t:.1f} s)")
        print(
            f"\n## step {step}: {Enterprise.objects.count():,} enterprises, "
            f"{InspectionTask.objects.count():,} inspection tasks, {Sample.objects.count():,} samples"
        )
        print("| page | user | median ms | queries | floor A ms | × floor A | floor B ms | × floor B |")
        print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
        for label, username, url, params in pages:
            m = measure(users[username], url, params, args.repeat)
            ratio = m["page"] / m["a"]
            counts_by_page.setdefault(label, []).append(m["queries"])
            print(
                f"| {label} `{url}` | {username} | {ms(m['page'])} | {m['queries']} | {ms(m['a'])} | {ratio:.2f} | "
                f"{ms(m['b'])} | {m['page'] / m['b']:.2f} |"
            )
            worst = max(worst, ratio)
        # for reference: the same page refusing its year (400, no figures): what any signed-in page costs here
        control = measure(users["lingdao"], "/dashboard/?year=abc", {**base, "township": None}, args.repeat, 400)
        print(
            f"| 对照：同一页面、坏年份（`?year=abc`，400） | lingdao | {ms(control['page'])} | {control['queries']} "
            "| — | — | — | — |"
        )
    stable = all(len(set(c)) == 1 for c in counts_by_page.values())
    print(
        "\nquery counts by step: "
        + "; ".join(f"{k} {' → '.join(str(n) for n in v)}" for k, v in counts_by_page.items())
        + f" ({'constant' if stable else 'CHANGED'})"
    )
    print(f"worst ratio: {worst:.2f} × floor A (goal ≤ {GOAL_RATIO} ×)")
    return 0 if worst <= GOAL_RATIO and stable else 1


if __name__ == "__main__":
    sys.exit(main())
