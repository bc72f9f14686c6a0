"""靶向抽检 at Haining scale: the suggestion ranking (page and API) over 30,000 enterprises with five years of samples,
its query count, a raw-SQL floor measured in the same run, and the back-test of the last full year.

The script

1. grows the registry to ``--enterprises`` with ``manage.py seed_demo`` (idempotent), adds the 大类 of the mapping
   table to the sampling catalogue if the catalogue lacks them (hazard as in ``HAZARD`` below), grades the registry
   with the yearly regrade (the grade reason needs grades) and, unless samples exist already, writes a sample history
   with a known signal for the five years up to this one (``synthetic_history``: about ``--rate`` × enterprises
   samples a year; risky enterprises fail more);
2. requests the pages in-process with Django's test client as the demo users (``shiju`` city staff, ``zhenjie``
   township staff): the suggestion page, the API with ``limit=500`` — one warm-up, then the median of ``--repeat``,
   with the query count;
3. measures the **floor**: the raw SQL the ranking cannot do without (the operating enterprises with their township
   and business type, their food categories, the last sample date per enterprise × category and the unqualified
   samples in the window, the current grades), fetched, no Django, no scoring;
4. runs the back-test (``tools/backtest_targeting.py``'s function) on last year with N = 100, 500, 1000.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hn_targeting .venv/bin/python benchmarks/targeting.py

Use a scratch database, migrated, with the demo accounts (``manage.py demo_accounts``); it is grown, never shrunk.
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
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from apps.accounts.models import User  # noqa: E402
from apps.enterprises.models import Enterprise  # noqa: E402
from apps.risk.services import regrade_year  # noqa: E402
from apps.sampling.models import Sample, SamplingPlan, SamplingTask  # noqa: E402
from apps.sampling.targeting import backtest as bt  # noqa: E402
from apps.sampling.targeting.demo import synthetic_history  # noqa: E402
from apps.sampling.targeting.mapping import mapped_names  # noqa: E402
from apps.standards.models import SamplingCategory  # noqa: E402

RISKY_BY_GRADE = {"A": 0.05, "B": 0.12, "C": 0.3, "D": 0.5}  # latent risk follows the grade (the signal assumed)
HAZARD = {"餐饮食品": 4, "食用农产品": 5, "肉制品": 4, "乳制品": 4, "婴幼儿配方食品": 5, "保健食品": 4, "水产制品": 4}
PAGES = [
    ("建议页（市局）", "shiju", "/sampling/suggestions/"),
    ("建议页（镇街）", "zhenjie", "/sampling/suggestions/"),
    ("建议接口 limit=500（市局）", "shiju", "/api/v1/sampling/suggestions/?limit=500"),
    ("建议接口 limit=500（镇街）", "zhenjie", "/api/v1/sampling/suggestions/?limit=500"),
]
FLOOR_SQL = [
    """SELECT e.id, e.name, e.uscc, e.township_id, t.name, b.code, p.code, b.name
         FROM enterprises_enterprise e JOIN accounts_township t ON t.id = e.township_id
         JOIN enterprises_businesstype b ON b.id = e.business_type_id
         LEFT JOIN enterprises_businesstype p ON p.id = b.parent_id WHERE e.status = 'operating'""",
    """SELECT l.enterprise_id, f.code FROM enterprises_enterprise_food_categories l
         JOIN enterprises_foodcategory f ON f.id = l.foodcategory_id
         JOIN enterprises_enterprise e ON e.id = l.enterprise_id WHERE e.status = 'operating'""",
    """SELECT s.enterprise_id, s.category_id, max(s.sampled_on) FROM sampling_sample s
         JOIN enterprises_enterprise e ON e.id = s.enterprise_id
        WHERE e.status = 'operating' AND s.sampled_on BETWEEN %(since)s AND %(until)s AND NOT s.is_quick_test
        GROUP BY s.enterprise_id, s.category_id""",
    """SELECT s.enterprise_id, s.sampled_on FROM sampling_sample s
         JOIN enterprises_enterprise e ON e.id = s.enterprise_id
        WHERE e.status = 'operating' AND s.sampled_on BETWEEN %(since)s AND %(until)s AND NOT s.is_quick_test
          AND s.conclusion = 'unqualified'""",
    """SELECT enterprise_id, grade FROM risk_riskassessment WHERE is_current""",
]


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def ensure_catalogue() -> int:
    have = set(SamplingCategory.objects.filter(level=1).values_list("name", flat=True))
    added = 0
    for i, name in enumerate(sorted(mapped_names() - have)):
        SamplingCategory.objects.create(code=f"BM{i:02d}", name=name, level=1, hazard=HAZARD.get(name, 3), order=90 + i)
        added += 1
    return added


def prepare(n: int, rate: float, fresh: bool) -> dict:
    out = {}
    t = time.perf_counter()
    call_command("seed_demo", "--enterprises", str(n), stdout=open(os.devnull, "w"))
    out["seed_s"] = round(time.perf_counter() - t, 1)
    out["catalogue_added"] = ensure_catalogue()
    today = timezone.localdate()
    t = time.perf_counter()
    regrade_year(year=today.year)
    out["regrade_s"] = round(time.perf_counter() - t, 1)
    if fresh:  # the synthetic history only (its plans are named so), then written again
        demo_plans = SamplingPlan.objects.filter(name__endswith="（演示历史）")
        Sample.objects.filter(task__plan__in=demo_plans).delete()
        SamplingTask.objects.filter(plan__in=demo_plans).delete()
    if not Sample.objects.exists():
        t = time.perf_counter()
        years = list(range(today.year - 4, today.year + 1))
        history = synthetic_history(years=years, sample_rate=rate, risky_by_grade=RISKY_BY_GRADE)
        out["history"] = history
        out["history_s"] = round(time.perf_counter() - t, 1)
    return out


def measure(user: User, url: str, repeat: int) -> tuple[float, int]:
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as ctx:
            t = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - t)
    return statistics.median(times), len(ctx)


def measure_floor(repeat: int) -> float:
    until = timezone.localdate()
    since = until.replace(year=until.year - 3) + dt.timedelta(days=1)
    times = []
    with connection.cursor() as cur:
        for _ in range(repeat + 1):
            t = time.perf_counter()
            for sql in FLOOR_SQL:
                cur.execute(sql, {"since": since, "until": until})
                cur.fetchall()
            times.append(time.perf_counter() - t)
    return statistics.median(times[1:])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=30_000)
    parser.add_argument("--rate", type=float, default=0.17, help="每家每年被抽检的概率（默认 0.17 ≈ 5,000 批/年）")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--fresh-history", action="store_true", help="删除并重新生成合成的抽检历史")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        print("注意：未使用 PostgreSQL（DATABASE_URL），下限 SQL 按 PostgreSQL 写。", file=sys.stderr)
        return 2
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    prep = prepare(args.enterprises, args.rate, args.fresh_history)
    users = {u.username: u for u in User.objects.filter(username__in={p[1] for p in PAGES})}
    operating = Enterprise.objects.operating().count()
    samples = Sample.objects.count()
    print(f"## {Enterprise.objects.count():,} enterprises ({operating:,} operating), {samples:,} samples")
    print(f"prepare: {prep}")
    floor = measure_floor(args.repeat)
    print(f"floor (raw SQL: enterprises, food categories, last sample per pair, unqualified, grades): {ms(floor)} ms")
    print("| page | user | median ms | queries | × floor |")
    print("| --- | --- | ---: | ---: | ---: |")
    for label, username, url in PAGES:
        median, queries = measure(users[username], url, args.repeat)
        print(f"| {label} `{url}` | {username} | {ms(median)} | {queries} | {median / floor:.1f} |")
    year = timezone.localdate().year - 1
    t = time.perf_counter()
    result = bt.backtest(year=year, ns=[100, 500, 1000], trials=200, seed=1)
    print(f"\nback-test {year} ({ms(time.perf_counter() - t)} ms):")
    print("\n".join(bt.report_lines(result)))
    result = bt.backtest(year=year, ns=[100, 500, 1000], trials=200, seed=1, use_grade=False)
    print("\n".join(bt.report_lines(result)[1:]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
