"""The leadership dashboard at Haining scale (issue 12 point 7): time and query count against a raw SQL floor.

The script

1. expects the data of ``manage.py seed_haining_scale`` (30,000 enterprises, five years of about 150,000 inspection
   tasks and 25,000 samples; run it first, it is idempotent) and the demo users (``lingdao`` 市领导, ``zhenjie``
   township staff of 硖石街道);
2. requests, in-process with Django's test client, the city overview ``/dashboard/`` as ``lingdao`` and the
   township view ``/dashboard/townships/<硖石>/`` as ``zhenjie`` — one warm-up, then ``--repeat`` rounds (floor,
   page back to back, so the host's load weighs on both alike), medians, with the query count — each page twice: as
   served (the figures kept ``DASHBOARD_CACHE_SECONDS`` per caller, computed by the warm-up) and computed on every
   request (``?fresh=1``); the goal is judged on the page as served, the other is printed beside it;
3. measures, in the same run, two floors of each page, executed directly with a cursor (no ORM, no template):
   **floor A**, the raw SQL the page needs written by hand from docs/measures.md — one GROUP BY per source table
   for every measure it feeds, per township, for the five years at once (enterprises: the six registry measures and
   the evaluators' names; samples per township × year × purpose, populations and quota rates; the coverage state;
   publications, complaints, 舆情 and incidents per township × year; drills), the active townships and the targets,
   and each clock's count (publications, disposals, complaints, incidents) — and **floor B**, the very statements
   the page issued (captured, re-executed as they were sent): the database's part of the page. It prints the
   page's ratio to each;
4. adds ``--grow`` inspection tasks (default 30,000) and ``--grow-samples`` samples (default 5,000) and measures
   again: the query count must not change. The added rows are removed at the end (``--keep`` keeps them), so runs
   compare.

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
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from apps.accounts.models import Township, User  # noqa: E402
from apps.common.measures import measures  # noqa: E402
from apps.common.workdays import add_working_days  # noqa: E402
from apps.dashboard.management.commands.seed_haining_scale import TASK_PREFIX, _quota_benchmark  # noqa: E402
from apps.dashboard.management.commands.seed_haining_scale import Command as Seed  # noqa: E402
from apps.enterprises.models import Enterprise  # noqa: E402
from apps.inspections.models import InspectionTask  # noqa: E402
from apps.sampling.models import Sample  # noqa: E402

GOAL_RATIO = 2.0
quota = _quota_benchmark()  # benchmarks/quota.py: the sample generator (and its number prefix)

# Floor A: what the page needs, by hand, written from docs/measures.md (not from the measures' code): one GROUP BY per
# source table for every measure it feeds, per township, for the five years at once; the targets; each clock.
# %(township)s is NULL for the city (every township); %(d0)s … %(d4)s are the five years' statistics days.
WHERE_T = "(%(township)s::bigint IS NULL OR {col} = %(township)s::bigint)"
LIST_REQUIRED = (
    "(b.code IN ('food_production', 'health_food') OR p.code IN ('food_production', 'health_food')"
    " OR (b.sector = 'sales' AND e.scale IN ('large', 'medium')))"
)
URBAN_CATERER = "(b.sector = 'catering' AND e.area_type = 'urban')"
FLOOR_A = [
    # the page's townships
    'SELECT id, name, "order" FROM accounts_township WHERE is_active ORDER BY "order", id',
    # the targets (every version: the one in force is picked by date)
    "SELECT campaign_id, code, measure_code, target_value, scope, effective_from, effective_to"
    " FROM assessment_campaigntarget WHERE measure_code <> ''",
    # enterprises: the six registry measures (the health certificates judged on each year's day)
    f"""SELECT e.township_id, count(*), count(*) FILTER (WHERE e.online_catering),
              count(*) FILTER (WHERE e.online_catering AND e.sunshine_kitchen),
              count(*) FILTER (WHERE {LIST_REQUIRED}), count(*) FILTER (WHERE {LIST_REQUIRED} AND e.responsibility_list),
              count(*) FILTER (WHERE e.liability_insurance), count(*) FILTER (WHERE {URBAN_CATERER}),
              count(*) FILTER (WHERE b.code = 'rural_banquet_center' OR p.code = 'rural_banquet_center'),
              count(*) FILTER (WHERE e.health_cert_count > 0),
              count(*) FILTER (WHERE e.health_cert_count > 0 AND e.health_cert_next_expiry >= %(d0)s),
              count(*) FILTER (WHERE e.health_cert_count > 0 AND e.health_cert_next_expiry >= %(d1)s),
              count(*) FILTER (WHERE e.health_cert_count > 0 AND e.health_cert_next_expiry >= %(d2)s),
              count(*) FILTER (WHERE e.health_cert_count > 0 AND e.health_cert_next_expiry >= %(d3)s),
              count(*) FILTER (WHERE e.health_cert_count > 0 AND e.health_cert_next_expiry >= %(d4)s)
         FROM enterprises_enterprise e JOIN enterprises_businesstype b ON b.id = e.business_type_id
         LEFT JOIN enterprises_businesstype p ON p.id = b.parent_id
        WHERE e.status = 'operating' AND """
    + WHERE_T.format(col="e.township_id")
    + " GROUP BY 1",
    # the evaluators' names of the urban caterers (distinct per township; the city's distinct from the same rows)
    f"""SELECT DISTINCT e.township_id, btrim(e.third_party_evaluator)
         FROM enterprises_enterprise e JOIN enterprises_businesstype b ON b.id = e.business_type_id
        WHERE e.status = 'operating' AND {URBAN_CATERER} AND btrim(e.third_party_evaluator) <> '' AND """
    + WHERE_T.format(col="e.township_id"),
    # sampling: lab batches per township × year × purpose (the three sampling measures), populations, quota rates
    """SELECT township_id, extract(year FROM sampled_on) AS y, purpose, count(*) FROM sampling_sample
        WHERE sampled_on >= %(start)s AND sampled_on <= %(today)s AND NOT is_quick_test
          AND purpose IN ('supervisory', 'evaluative', 'monitoring') AND """
    + WHERE_T.format(col="township_id")
    + " GROUP BY 1, 2, 3",
    "SELECT township_id, year, population FROM accounts_townshippopulation WHERE year <= %(year)s AND "
    + WHERE_T.format(col="township_id"),
    "SELECT year, food_rate, monitoring_rate FROM sampling_quotarate WHERE year <= %(year)s ORDER BY year DESC",
    # risk: the coverage state (inspection coverage and coverage debt, this year only)
    """SELECT township_id, count(*) FILTER (WHERE required >= 1),
              count(*) FILTER (WHERE required >= 1 AND frequency_due < %(today)s),
              count(*) FILTER (WHERE next_due < %(today)s)
         FROM risk_coveragestate WHERE """
    + WHERE_T.format(col="township_id")
    + " GROUP BY 1",
    # inspections: publications due in each year up to the day before its statistics day, on time or not
    """SELECT e.township_id, extract(year FROM pb.due_by) AS y, count(*),
              count(*) FILTER (WHERE pb.status = 'published'
                                 AND (pb.published_at AT TIME ZONE 'Asia/Shanghai')::date <= pb.due_by)
         FROM inspections_publication pb JOIN inspections_inspectionresult r ON r.id = pb.result_id
         JOIN inspections_inspectiontask t ON t.id = r.task_id JOIN enterprises_enterprise e ON e.id = t.enterprise_id
        WHERE pb.due_by >= %(start)s AND pb.due_by < %(today)s AND to_char(pb.due_by, 'MMDD') <> '1231'
          AND pb.status <> 'withdrawn' AND """
    + WHERE_T.format(col="e.township_id")
    + " GROUP BY 1, 2",
    # incidents: the three timeliness measures (per township × year) and the drills
    """SELECT township_id, extract(year FROM received_at AT TIME ZONE 'Asia/Shanghai') AS y,
              count(*) FILTER (WHERE acceptance_due IS NOT NULL AND decided_at IS NOT NULL
                                 AND (decided_at AT TIME ZONE 'Asia/Shanghai')::date <= acceptance_due),
              count(*) FILTER (WHERE acceptance_due IS NOT NULL
                                 AND (decided_at IS NOT NULL OR acceptance_due < %(today)s))
         FROM incidents_complaint WHERE received_at >= %(start_at)s AND """
    + WHERE_T.format(col="township_id")
    + " GROUP BY 1, 2",
    """SELECT township_id, extract(year FROM discovered_at AT TIME ZONE 'Asia/Shanghai') AS y,
              count(*) FILTER (WHERE responded_at <= response_due),
              count(*) FILTER (WHERE responded_at IS NOT NULL OR response_due < now())
         FROM incidents_opinionevent WHERE discovered_at >= %(start_at)s AND """
    + WHERE_T.format(col="township_id")
    + " GROUP BY 1, 2",
    """SELECT township_id, extract(year FROM learned_at AT TIME ZONE 'Asia/Shanghai') AS y,
              count(*) FILTER (WHERE first_reported_at <= first_report_due),
              count(*) FILTER (WHERE first_reported_at IS NOT NULL OR first_report_due < now())
         FROM incidents_incident WHERE learned_at >= %(start_at)s AND """
    + WHERE_T.format(col="township_id")
    + " GROUP BY 1, 2",
    """SELECT township_id, extract(year FROM date) AS y, count(*) FROM incidents_drill
        WHERE date >= %(start)s AND date <= %(today)s AND """
    + WHERE_T.format(col="township_id")
    + " GROUP BY 1, 2",
    # the clocks at risk (today)
    """SELECT count(*) FILTER (WHERE pb.due_by < %(today)s),
              count(*) FILTER (WHERE pb.due_by >= %(today)s AND pb.due_by <= %(soon)s)
         FROM inspections_publication pb JOIN inspections_inspectionresult r ON r.id = pb.result_id
         JOIN inspections_inspectiontask t ON t.id = r.task_id JOIN enterprises_enterprise e ON e.id = t.enterprise_id
        WHERE pb.status IN ('pending', 'held') AND """
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
    parser.add_argument("--grow", type=int, default=30_000, help="inspection tasks added for step 2")
    parser.add_argument("--grow-samples", type=int, default=5_000, help="samples added for step 2")
    parser.add_argument("--keep", action="store_true", help="keep the rows step 2 added (default: removed at the end)")
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
    years = range(today.year - 4, today.year + 1)
    base = {
        "start": dt.date(today.year - 4, 1, 1),
        "start_at": dt.datetime(today.year - 4, 1, 1, tzinfo=timezone.get_current_timezone()),
        "year": today.year,
        "today": today,
        "soon": add_working_days(today, 5),
        **{f"d{k}": (today if y == today.year else dt.date(y, 12, 31)) for k, y in enumerate(years)},
    }
    pages = [
        ("全市概览（市领导）", "lingdao", "/dashboard/", {**base, "township": None}),
        ("镇街视图（镇街）", "zhenjie", f"/dashboard/townships/{xiashi.pk}/", {**base, "township": xiashi.pk}),
    ]
    print(f"measures registered: {len(measures())} ({', '.join(m.code for m in measures()) or 'none'})")
    counts_by_page: dict[str, list[int]] = {}
    worst = worst_fresh = 0.0
    had_tasks = InspectionTask.objects.filter(number__startswith=TASK_PREFIX).count()
    had_samples = Sample.objects.filter(number__startswith=quota.PREFIX).count()
    for step in (1, 2):
        cache.clear()  # each step's "as served" figures are computed from that step's data, then kept
        if step == 2:
            t = time.perf_counter()
            Seed().add_tasks(had_tasks + args.grow, seed=7)
            years = list(range(today.year - 4, today.year + 1))
            quota.add_samples(had_samples + args.grow_samples, items=1, years=years, seed=7)
            print(
                f"\n(added {args.grow:,} inspection tasks and {args.grow_samples:,} samples "
                f"in {time.perf_counter() - t:.1f} s)"
            )
        print(
            f"\n## step {step}: {Enterprise.objects.count():,} enterprises, "
            f"{InspectionTask.objects.count():,} inspection tasks, {Sample.objects.count():,} samples"
        )
        print("| page | user | median ms | queries | floor A ms | × floor A | floor B ms | × floor B |")
        print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
        for label, username, url, params in pages:
            # as served (the figures kept DASHBOARD_CACHE_SECONDS), then computed on every request (?fresh=1)
            for how, page_url in (("", url), ("，每次重算 `?fresh=1`", f"{url}?fresh=1")):
                m = measure(users[username], page_url, params, args.repeat)
                ratio = m["page"] / m["a"]
                counts_by_page.setdefault(label + how, []).append(m["queries"])
                print(
                    f"| {label}{how} `{url}` | {username} | {ms(m['page'])} | {m['queries']} | {ms(m['a'])} | "
                    f"{ratio:.2f} | {ms(m['b'])} | {m['page'] / m['b']:.2f} |"
                )
                if not how:
                    worst = max(worst, ratio)
                else:
                    worst_fresh = max(worst_fresh, ratio)
        # for reference: the same page refusing its year (400, no figures): what any signed-in page costs here
        control = measure(users["lingdao"], "/dashboard/?year=abc", {**base, "township": None}, args.repeat, 400)
        print(
            f"| 对照：同一页面、坏年份（`?year=abc`，400） | lingdao | {ms(control['page'])} | {control['queries']} "
            "| — | — | — | — |"
        )
    if not args.keep:  # back to the seeded data, so that runs compare
        InspectionTask.objects.filter(
            number__startswith=TASK_PREFIX, number__gte=f"{TASK_PREFIX}{had_tasks:010d}"
        ).delete()
        Sample.objects.filter(number__startswith=quota.PREFIX, number__gte=f"{quota.PREFIX}{had_samples:012d}").delete()
    stable = all(len(set(c)) == 1 for c in counts_by_page.values())
    print(
        "\nquery counts by step: "
        + "; ".join(f"{k} {' → '.join(str(n) for n in v)}" for k, v in counts_by_page.items())
        + f" ({'constant' if stable else 'CHANGED'})"
    )
    print(
        f"worst ratio as served (figures kept {settings.DASHBOARD_CACHE_SECONDS} s): {worst:.2f} × floor A "
        f"(goal ≤ {GOAL_RATIO} ×); computed on every request: {worst_fresh:.2f} ×"
    )
    return 0 if worst <= GOAL_RATIO and stable else 1


if __name__ == "__main__":
    sys.exit(main())
