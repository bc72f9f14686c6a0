"""The quota page at Haining scale (issue 10 point 11): its time and query count against a raw SQL floor, at two sizes.

The script

1. grows the registry to 30,000 enterprises (``manage.py seed_demo --enterprises 30000``, idempotent), makes a
   benchmark catalogue when the database has no 大类 (30 大类 × 3 亚类, 20 test items), the rates of five years
   and their plans (``plan_generate`` + ``plan_approve``, as the page's "计划" figures read issued lines);
2. fills samples over five years (this year and the four before) in two steps — half of ``--samples`` (default
   25,000), then the rest — each with ``--items`` result items (default 10: 250,000 in all), one sampling task per
   sample; purposes 75 % 监督抽检 / 5 % 评价性抽检 / 20 % 风险监测, 5 % quick tests, sources 60 / 30 / 10, categories,
   enterprises and days at random (seeded), this year's samples up to today;
3. after each step, requests the pages in-process with Django's test client, logged in as the demo users
   (``shiju`` city staff, ``zhenjie`` township staff of 硖石街道): the township page
   ``/sampling/quotas/?year=&township=`` and the year-to-date overview ``/sampling/quotas/?year=`` — one warm-up,
   then ``--repeat`` rounds (floor, page, selector back to back, so the host's load weighs on all three alike),
   medians, with the query count;
4. measures, in the same run, the **floor** of each page: the raw SQL it needs, executed directly with a cursor, no
   ORM — the GROUP BYs over the year's samples (township × purpose × source × quick test × month; × purpose ×
   category; the township page also per business type of the sampled enterprise, read by key), the
   operating enterprises per business type, the issued plan lines per month, and the small look-ups (rates,
   townships, populations, the catalogue, the business types) — and prints each page's ratio to it, with the time
   the request spent in SQL and the page's selector alone (no request, no template), and the "page-only" ratio
   (the page less the 对照 row — the same page answering ``?year=abc`` with a 400, i.e. the fixed cost of any
   signed-in request — over the floor). Goal: the full request ≤ 2× the floor; the query count must not change
   between the two sizes.

    createdb -h 127.0.0.1 -U postgres hn_quota
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hn_quota .venv/bin/python manage.py migrate
    DATABASE_URL=... .venv/bin/python manage.py load_reference && DATABASE_URL=... DEMO_MODE=1 .venv/bin/python manage.py demo_accounts
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hn_quota .venv/bin/python benchmarks/quota.py

The samples it adds are numbered ``BM…``; a second run finds them and only measures (both steps then see the full
data: for the two sizes use a fresh database). Each page is measured twice: as served (its figures kept
``SAMPLING_QUOTA_CACHE_SECONDS``, 60 by default, the page saying when they were computed; the warm-up request
computes them afresh) and recomputed on every request (``&fresh=1``, "重新统计": the page's whole work). Exit status 1
if a page as served is above twice its floor or a query count changed with the data.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "haining_foodsafety.settings.base")
os.environ.setdefault("DEMO_MODE", "1")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from apps.accounts.models import Township, User  # noqa: E402
from apps.enterprises.models import Enterprise  # noqa: E402
from apps.sampling.choices import LineSource, OrganisationKind, SamplingPurpose, Stage  # noqa: E402
from apps.sampling.models import (  # noqa: E402
    Organisation,
    ResultItem,
    Sample,
    SamplingPlan,
    SamplingTask,
)
from apps.sampling.plans import services  # noqa: E402
from apps.standards.models import SamplingCategory, TestItem  # noqa: E402

GOAL_RATIO = 2.0
YEARS = 5
PREFIX = "BM"


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


# ------------------------------------------------------------------------------------------------ data
def ensure_catalogue() -> list[SamplingCategory]:
    """The leaf categories samples are put in (a benchmark catalogue when there is no 大类)."""
    if not SamplingCategory.objects.filter(level=1, is_active=True).exists():
        for i in range(1, 31):
            root = SamplingCategory.objects.create(
                code=f"BM{i:02d}", name=f"基准大类{i:02d}", level=1, hazard=1 + i % 5, order=i
            )
            for j in range(1, 4):
                SamplingCategory.objects.create(
                    code=f"BM{i:02d}{j:02d}", name=f"基准亚类{i:02d}-{j}", level=2, parent=root, order=j
                )
    if TestItem.objects.count() < 20:
        for i in range(1, 21):
            TestItem.objects.get_or_create(code=f"bm-item-{i:02d}", defaults={"name": f"基准检验项目{i:02d}"})
    leaves = list(SamplingCategory.objects.filter(is_active=True, children__isnull=True))
    return leaves


def ensure_plans(years: list[int]) -> dict[tuple[int, str], SamplingPlan]:
    services.config_defaults_ensure(years=years)
    plans = {}
    for year in years:
        for purpose in (SamplingPurpose.SUPERVISORY, SamplingPurpose.MONITORING):
            name = services.PLAN_NAMES[purpose].format(year=year)
            plan = SamplingPlan.objects.filter(year=year, name=name).first()
            if plan is None:
                plan = services.plan_generate(actor=None, year=year, purpose=purpose)
                plan = services.plan_approve(actor=None, plan_id=plan.pk)
            plans[(year, purpose)] = plan
    return plans


def add_samples(target: int, *, items: int, years: list[int], seed: int = 20261207) -> dict:
    """Grow the BM samples to ``target`` (each with ``items`` result items). Returns counts and seconds."""
    have = Sample.objects.filter(number__startswith=PREFIX).count()
    if have >= target:
        return {"added": 0, "seconds": 0.0}
    started = time.perf_counter()
    rng = random.Random(seed + have)
    leaves = ensure_catalogue()
    plans = ensure_plans(years)
    sampler, _ = Organisation.objects.get_or_create(name="基准抽样机构", defaults={"kind": OrganisationKind.SAMPLER})
    lab, _ = Organisation.objects.get_or_create(name="基准检验机构", defaults={"kind": OrganisationKind.LAB})
    test_items = list(TestItem.objects.order_by("id")[:20])
    enterprises = list(Enterprise.objects.values_list("pk", "township_id", "name"))
    today = timezone.localdate()
    n = target - have
    batch = 2000
    with transaction.atomic():
        for start in range(0, n, batch):
            size = min(batch, n - start)
            rows = []
            for k in range(size):
                index = have + start + k
                year = years[index % len(years)]
                last = today if year == today.year else dt.date(year, 12, 31)
                day = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange((last - dt.date(year, 1, 1)).days + 1))
                r = rng.random()
                purpose = (
                    SamplingPurpose.SUPERVISORY
                    if r < 0.75
                    else SamplingPurpose.EVALUATIVE
                    if r < 0.80
                    else SamplingPurpose.MONITORING
                )
                s = rng.random()
                source = LineSource.ROUTINE if s < 0.6 else LineSource.TARGETED if s < 0.9 else LineSource.VOTE
                ent_id, township_id, name = enterprises[rng.randrange(len(enterprises))]
                rows.append(
                    (index, year, day, purpose, source, ent_id, township_id, name, leaves[rng.randrange(len(leaves))])
                )
            tasks = SamplingTask.objects.bulk_create(
                [
                    SamplingTask(
                        plan=plans[
                            (
                                y,
                                SamplingPurpose.MONITORING
                                if p == SamplingPurpose.MONITORING
                                else SamplingPurpose.SUPERVISORY,
                            )
                        ],
                        enterprise_id=e,
                        category=c,
                        sampling_org=sampler,
                        lab=lab,
                        status="sampled",
                    )
                    for _, y, _, p, _, e, _, _, c in rows
                ],
                batch_size=batch,
            )
            samples = Sample.objects.bulk_create(
                [
                    Sample(
                        task=task,
                        number=f"{PREFIX}{i:012d}",
                        purpose=p,
                        source=src,
                        stage=Stage.CIRCULATION,
                        category=c,
                        sampling_org=sampler,
                        lab=lab,
                        samplers=["基准甲", "基准乙"],
                        enterprise_id=e,
                        township_id=t,
                        site_name=nm,
                        name="基准样品",
                        production_date=d - dt.timedelta(days=5),
                        sampled_on=d,
                        quantity=2,
                        backup_quantity=1,
                        backup_seal_no=f"FY{i:010d}",
                        is_quick_test=rng.random() < 0.05,
                        status="reported",
                        conclusion="qualified",
                    )
                    for task, (i, _, d, p, src, e, t, nm, c) in zip(tasks, rows, strict=True)
                ],
                batch_size=batch,
            )
            ResultItem.objects.bulk_create(
                [
                    ResultItem(
                        sample=sample,
                        test_item=test_items[j % len(test_items)],
                        lab=lab,
                        value=Decimal("0.01"),
                        value_text="0.01",
                        unit="mg/kg",
                        verdict="qualified",
                    )
                    for sample in samples
                    for j in range(items)
                ],
                batch_size=5000,
            )
    with connection.cursor() as cur:
        cur.execute(
            "ANALYZE sampling_sample; ANALYZE sampling_resultitem; ANALYZE sampling_planline; ANALYZE sampling_samplingtask"
        )
    return {"added": n, "seconds": round(time.perf_counter() - started, 1)}


# ------------------------------------------------------------------------------------------------ the floor
# look-ups every page reads: the rates, the townships, the populations, the catalogue (the overview skips the types)
LOOKUPS = [
    "SELECT * FROM sampling_quotarate WHERE year <= %(year)s ORDER BY year DESC LIMIT 1",
    'SELECT id, code, name, kind, "order" FROM accounts_township WHERE is_active ORDER BY "order", id',
    "SELECT township_id, year, population, is_estimate FROM accounts_townshippopulation WHERE year <= %(year)s",
    'SELECT id, parent_id, level, name, code, "order", hazard, is_active FROM standards_samplingcategory',
    'SELECT id, parent_id, name, "order", is_active FROM enterprises_businesstype',
]
TOWNSHIP_SQL = [
    *LOOKUPS,
    """SELECT purpose, source, is_quick_test, extract(month FROM sampled_on) AS m, count(*) FROM sampling_sample
        WHERE township_id = %(township)s AND sampled_on BETWEEN %(start)s AND %(end)s GROUP BY 1, 2, 3, 4""",
    """SELECT purpose, category_id, count(*) FROM sampling_sample
        WHERE township_id = %(township)s AND sampled_on BETWEEN %(start)s AND %(end)s AND NOT is_quick_test
        GROUP BY 1, 2""",
    # per business type of the sampled enterprise (read by primary key per sample: a correlated subquery, about half
    # the time of the two steps "samples per enterprise, then those enterprises' types by key = ANY(...)"), with
    # the enterprises counted once
    """SELECT (SELECT e.business_type_id FROM enterprises_enterprise e WHERE e.id = s.enterprise_id) AS bt, count(*),
              count(DISTINCT s.enterprise_id)
         FROM sampling_sample s
        WHERE s.township_id = %(township)s AND s.sampled_on BETWEEN %(start)s AND %(end)s AND NOT s.is_quick_test
        GROUP BY 1""",
    """SELECT business_type_id, count(*) FROM enterprises_enterprise
        WHERE township_id = %(township)s AND status = 'operating' GROUP BY 1""",
    """SELECT p.purpose, l.month, sum(l.batches) FROM sampling_planline l JOIN sampling_samplingplan p ON p.id = l.plan_id
        WHERE p.year = %(year)s AND p.status IN ('approved', 'closed') AND l.township_id = %(township)s GROUP BY 1, 2""",
]
OVERVIEW_SQL = [
    *LOOKUPS[:4],
    """SELECT township_id, purpose, source, is_quick_test, extract(month FROM sampled_on) AS m, count(*)
         FROM sampling_sample WHERE sampled_on BETWEEN %(start)s AND %(end)s GROUP BY 1, 2, 3, 4, 5""",
    """SELECT township_id, purpose, category_id, count(*) FROM sampling_sample
        WHERE sampled_on BETWEEN %(start)s AND %(end)s AND NOT is_quick_test GROUP BY 1, 2, 3""",
]


def run_floor(cur, statements, params) -> float:
    """Seconds to run the statements in order, each with its rows fetched."""
    t = time.perf_counter()
    for statement in statements:
        cur.execute(statement, params)
        cur.fetchall()
    return time.perf_counter() - t


def measure(user: User, url: str, floor_sql, params, data, repeat: int, status: int = 200) -> dict:
    """Median of ``repeat`` rounds, each round running the floor, the page (GET ``url`` as ``user``, with its query
    count and SQL time) and the selector alone back to back, so the host's load weighs on all three alike. The
    warm-up request recomputes the figures (``fresh=1``), so that the page never shows those of the previous step."""
    client = Client()
    client.force_login(user)
    warm = url if "fresh=" in url or status != 200 else f"{url}&fresh=1"
    response = client.get(warm)  # warm-up (templates, connection, permissions; the figures computed now)
    assert response.status_code == status, (url, response.status_code)
    if data:
        data()
    floors, pages, sqls, selectors_, counts = [], [], [], [], set()
    with connection.cursor() as cur:
        run_floor(cur, floor_sql, params)
        for _ in range(repeat):
            floors.append(run_floor(cur, floor_sql, params))
            with CaptureQueriesContext(connection) as ctx:
                t = time.perf_counter()
                response = client.get(url)
                pages.append(time.perf_counter() - t)
            counts.add(len(ctx))
            sqls.append(sum(float(q["time"]) for q in ctx.captured_queries))
            if data:
                t = time.perf_counter()
                data()
                selectors_.append(time.perf_counter() - t)
    assert len(counts) == 1, counts
    median = statistics.median
    return {
        "page": median(pages),
        "queries": counts.pop(),
        "sql": median(sqls),
        "floor": median(floors) if floor_sql else None,
        "selector": median(selectors_) if data else None,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=30_000)
    parser.add_argument("--samples", type=int, default=25_000)
    parser.add_argument("--items", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        print("需要 PostgreSQL（DATABASE_URL）：下限 SQL 为 PostgreSQL 语法。", file=sys.stderr)
        return 2
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    t = time.perf_counter()
    call_command("seed_demo", "--enterprises", str(args.enterprises), stdout=open(os.devnull, "w"))
    seed_s = round(time.perf_counter() - t, 1)
    with connection.cursor() as cur:  # fresh statistics after the bulk load, as autovacuum would have them
        cur.execute("ANALYZE enterprises_enterprise")
    users = {u.username: u for u in User.objects.filter(username__in=["shiju", "zhenjie"])}
    if len(users) < 2:
        print("缺少演示账户 shiju / zhenjie：请先运行 manage.py demo_accounts（DEMO_MODE=1）", file=sys.stderr)
        return 2
    today = timezone.localdate()
    year = today.year
    years = list(range(year - YEARS + 1, year + 1))
    xiashi = Township.objects.get(code="xiashi")
    params = {"year": year, "township": xiashi.pk, "start": dt.date(year, 1, 1), "end": dt.date(year, 12, 31)}
    from apps.sampling.plans import selectors

    def township_data(user):
        return lambda: selectors.township_page(actor=user, year=year, township=xiashi)

    def overview_data(user):
        return lambda: selectors.overview(actor=user, year=year)

    township_url, overview_url = f"/sampling/quotas/?year={year}&township={xiashi.pk}", f"/sampling/quotas/?year={year}"
    # the pages as served (figures kept SAMPLING_QUOTA_CACHE_SECONDS, the page saying when they were computed), then
    # the same pages recomputing every time ("重新统计", fresh=1): the page's own work at its full cost
    pages = [
        ("镇街配额页（市局）", "shiju", township_url, TOWNSHIP_SQL, township_data),
        ("镇街配额页（镇街）", "zhenjie", overview_url, TOWNSHIP_SQL, township_data),
        ("全市概览（市局）", "shiju", overview_url, OVERVIEW_SQL, overview_data),
        ("镇街配额页（市局，重新统计）", "shiju", f"{township_url}&fresh=1", TOWNSHIP_SQL, township_data),
        ("镇街配额页（镇街，重新统计）", "zhenjie", f"{overview_url}&fresh=1", TOWNSHIP_SQL, township_data),
        ("全市概览（市局，重新统计）", "shiju", f"{overview_url}&fresh=1", OVERVIEW_SQL, overview_data),
    ]
    print(f"registry: {Enterprise.objects.count():,} enterprises (seed_demo {seed_s} s)")
    counts_by_page: dict[str, list[int]] = {}
    worst = {"served": 0.0, "recomputed": 0.0}
    for step, target in enumerate((args.samples // 2, args.samples), start=1):
        grown = add_samples(target, items=args.items, years=years)
        total = Sample.objects.count()
        this_year = Sample.objects.filter(sampled_on__year=year).count()
        items = ResultItem.objects.count()
        print(
            f"\n## step {step}: {total:,} samples ({this_year:,} in {year}), {items:,} result items "
            f"(added {grown['added']:,} samples in {grown['seconds']} s)"
        )
        # for reference: what any signed-in page of the platform costs here (session, user, permissions, the request
        # transaction, the session save, the base template) — the quota page's own bar with no figures: ?year=abc (400).
        # Measured first, so each page's "page-only" ratio can leave this fixed cost out.
        control = measure(users["shiju"], "/sampling/quotas/?year=abc", [], params, None, args.repeat, status=400)
        print(
            "| page | user | median ms | queries | of which SQL ms | selector ms | floor ms | × floor | selector × floor "
            "| page − 对照 × floor |"
        )
        print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for label, username, url, floor_sql, data in pages:
            m = measure(users[username], url, floor_sql, params, data(users[username]), args.repeat)
            ratio = m["page"] / m["floor"]
            counts_by_page.setdefault(label, []).append(m["queries"])
            print(
                f"| {label} `{url}` | {username} | {ms(m['page'])} | {m['queries']} | {ms(m['sql'])} | "
                f"{ms(m['selector'])} | {ms(m['floor'])} | {ratio:.2f} | {m['selector'] / m['floor']:.2f} | "
                f"{(m['page'] - control['page']) / m['floor']:.2f} |"
            )
            which = "recomputed" if "fresh=1" in url else "served"
            worst[which] = max(worst[which], ratio)
        print(
            f"| 对照：无数据的同一页面（`?year=abc`，400） | shiju | {ms(control['page'])} | {control['queries']} | "
            f"{ms(control['sql'])} | — | — | — | — | — |"
        )
    stable = all(len(set(c)) == 1 for c in counts_by_page.values())
    print(
        "\nquery counts by step: "
        + "; ".join(f"{k} {' → '.join(str(n) for n in v)}" for k, v in counts_by_page.items())
        + f" ({'constant' if stable else 'CHANGED'})"
    )
    print(
        f"worst ratio: {worst['served']:.2f} × floor as served, {worst['recomputed']:.2f} × floor recomputed "
        f"(fresh=1) (goal ≤ {GOAL_RATIO} × for the pages as served)"
    )
    return 0 if worst["served"] <= GOAL_RATIO and stable else 1


if __name__ == "__main__":
    sys.exit(main())
