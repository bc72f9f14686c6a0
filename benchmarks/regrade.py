"""Yearly risk regrade at scale (issue 4 point 5): our set-based job vs. a floor, at 30,000 enterprises.

Measured on the same database state (the yearly grades of the year are deleted between steps):

* **regrade** — ``apps.risk.services.regrade_year`` as the job runs it: schemes in force, chunks of 2,000
  (8 reads + bulk insert + one audit event per chunk), compute in Python;
* **re-run** — the same call again (idempotent: nothing is written);
* **floor** — the same inputs read with ONE raw SQL query (enterprise attributes, food categories, latest dynamic
  evaluation, latest credit class, events of the window), the same ``engine.compute`` and the same bulk insert,
  nothing else (no chunking, no audit, no currency flip);
* **coverage** — ``coverage_debt_counts`` for a city-wide user (the per-township counts of the coverage page).

The query count is counted with a cheap execute wrapper (not Django's debug cursor, which would slow the run).
The registry comes from ``manage.py seed_demo --enterprises N`` when that command exists (bulk_create otherwise),
plus seeded dynamic evaluations (40 %), events (6 %) and credit classes (30 %).

    .venv/bin/python benchmarks/regrade.py                                   # temporary SQLite file, 30,000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hn_risk_bench .venv/bin/python benchmarks/regrade.py
    .venv/bin/python benchmarks/regrade.py -n 5000

Without DATABASE_URL a throw-away SQLite file is used; a PostgreSQL database is created if missing and migrated —
use a scratch database (its risk tables are emptied). Exit status 1 if the grades differ from the floor's, the
regrade takes more than 3× the floor, or its non-INSERT query count exceeds 15 per chunk + 25.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def prepare_database(url: str) -> None:
    if url.startswith("postgres"):
        from urllib.parse import urlsplit

        import psycopg2

        parts = urlsplit(url)
        name = parts.path.lstrip("/")
        conn = psycopg2.connect(
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 5432,
            user=parts.username or "postgres",
            password=parts.password or None,
            dbname="postgres",
        )
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cur.fetchone() is None:
                cur.execute(f'CREATE DATABASE "{name}"')
        conn.close()


class QueryCounter:
    """Counts statements; INSERTs apart (bulk_create batches: SQLite fits ~50 assessment rows per statement)."""

    def __init__(self):
        self.count = 0
        self.inserts = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        if sql.lstrip().upper().startswith("INSERT"):
            self.inserts += 1
        return execute(sql, params, many, context)

    def __str__(self):
        return f"{self.count} ({self.count - self.inserts} + {self.inserts} INSERT)"


def measured(fn):
    from django.db import connection

    counter = QueryCounter()
    start = time.perf_counter()
    with connection.execute_wrapper(counter):
        result = fn()
    return result, time.perf_counter() - start, counter


def seed(n: int, rng: random.Random) -> None:
    from django.core.management import call_command, get_commands

    from apps.accounts.models import Township
    from apps.enterprises.models import BusinessType, Enterprise, FoodCategory
    from apps.risk.models import CreditClass, DynamicEvaluation, RiskEvent, RiskScheme

    have = Enterprise.objects.count()
    if have < n:
        if "seed_demo" in get_commands():
            call_command("seed_demo", "--enterprises", str(n), verbosity=0)
        else:  # pragma: no cover - fallback when the demo seeder is not installed
            townships = list(Township.objects.all())
            types = list(BusinessType.objects.all())
            cats = {s: list(FoodCategory.objects.filter(sector=s)) for s in ("production", "sales", "catering")}
            ents = [
                Enterprise(
                    name=f"基准企业{i:05d}",
                    township=rng.choice(townships),
                    business_type=rng.choice(types),
                    scale=rng.choice(["micro", "small", "medium", "large"]),
                )
                for i in range(have, n)
            ]
            Enterprise.objects.bulk_create(ents, batch_size=2000)
            through = Enterprise.food_categories.through
            links = [
                through(enterprise_id=e.pk, foodcategory_id=c.pk)
                for e in Enterprise.objects.select_related("business_type")
                for c in rng.sample(cats[e.business_type.sector], rng.randint(1, 2))
            ]
            through.objects.bulk_create(links, batch_size=5000, ignore_conflicts=True)
    if DynamicEvaluation.objects.exists():
        return
    scheme = RiskScheme.objects.get(code="cfda-2016", version=1)
    items = {
        s: list(scheme.dynamic_items.filter(sector=s).values_list("code", "max_points"))
        for s in ("production", "sales", "catering")
    }
    year = dt.date.today().year
    evals, events, credits = [], [], []
    kinds = ["failed_sample", "deliberate_violation", "incident", "obstruction", "certification", "clean_record"]
    for eid, sector in Enterprise.objects.values_list("id", "business_type__sector"):
        if rng.random() < 0.4:
            scores = {code: round(rng.uniform(0, float(mx)) * 0.6, 1) for code, mx in items[sector]}
            evals.append(
                DynamicEvaluation(
                    enterprise_id=eid,
                    scheme=scheme,
                    source="onsite",
                    evaluated_on=dt.date(year - 1, rng.randint(1, 12), rng.randint(1, 28)),
                    item_scores=scores,
                    total=round(sum(scores.values()), 1),
                )
            )
        if rng.random() < 0.06:
            events.append(
                RiskEvent(
                    enterprise_id=eid,
                    event_type=rng.choice(kinds),
                    occurred_on=dt.date(year - rng.randint(1, 3), rng.randint(1, 12), rng.randint(1, 28)),
                    description="基准数据",
                )
            )
        if rng.random() < 0.3:
            credits.append(
                CreditClass(
                    enterprise_id=eid, credit_class=rng.choice("AABBBCD"), source="基准", as_of=dt.date(year - 1, 6, 1)
                )
            )
    DynamicEvaluation.objects.bulk_create(evals, batch_size=2000)
    RiskEvent.objects.bulk_create(events, batch_size=2000)
    CreditClass.objects.bulk_create(credits, batch_size=2000)


FLOOR_SQL = """
SELECT e.id, e.scale, bt.code, bt.sector, e.cold_chain, e.online_catering, e.sunshine_kitchen,
       e.liability_insurance, e.responsibility_list,
       cats.codes,
       dv.id, dv.source, dv.source_ref, dv.evaluated_on, dv.scheme_id, dv.item_scores,
       cc.id, cc.credit_class, cc.as_of, cc.source,
       evs.events
FROM enterprises_enterprise e
JOIN enterprises_businesstype bt ON bt.id = e.business_type_id
LEFT JOIN (
    SELECT efc.enterprise_id, {agg}(fc.code{sep}) AS codes
    FROM enterprises_enterprise_food_categories efc
    JOIN enterprises_foodcategory fc ON fc.id = efc.foodcategory_id
    GROUP BY efc.enterprise_id
) cats ON cats.enterprise_id = e.id
LEFT JOIN risk_dynamicevaluation dv ON dv.id = (
    SELECT d2.id FROM risk_dynamicevaluation d2
    WHERE d2.enterprise_id = e.id AND d2.evaluated_on < %s
    ORDER BY d2.evaluated_on DESC, d2.id DESC LIMIT 1
)
LEFT JOIN risk_creditclass cc ON cc.id = (
    SELECT c2.id FROM risk_creditclass c2
    WHERE c2.enterprise_id = e.id AND c2.as_of <= %s
    ORDER BY c2.as_of DESC, c2.id DESC LIMIT 1
)
LEFT JOIN (
    SELECT enterprise_id,
           {agg}(CAST(id AS TEXT) || ':' || event_type || ':' || CAST(occurred_on AS TEXT){sep}) AS events
    FROM risk_riskevent
    WHERE is_void = %s AND occurred_on >= %s AND occurred_on < %s
    GROUP BY enterprise_id
) evs ON evs.enterprise_id = e.id
WHERE e.status = %s
ORDER BY e.id
"""


def floor_run(year: int, rules_by_sector: dict) -> Counter:
    """One raw query for every input, the same compute, the same bulk insert."""
    from django.db import connection, transaction

    from apps.risk import engine
    from apps.risk.choices import AssessmentKind
    from apps.risk.models import RiskAssessment
    from apps.risk.services import _result_fields, enterprise_snapshot, inputs_make

    on = dt.date(year, 1, 1)
    max_window = max(r.max_window_years for r in rules_by_sector.values())
    if connection.vendor == "postgresql":
        sql = FLOOR_SQL.format(agg="string_agg", sep=", ','")
    else:
        sql = FLOOR_SQL.format(agg="group_concat", sep=", ','")

    def d(value):
        return value if isinstance(value, str) else value.isoformat()

    grades: Counter = Counter()
    with transaction.atomic():
        with connection.cursor() as cur:
            cur.execute(sql, [on, on, False, dt.date(year - max_window, 1, 1), on, "operating"])
            rows = cur.fetchall()
        objs = []
        for r in rows:
            (eid, scale, bt, sector, cold, online, sunshine, insurance, resp, codes) = r[:10]
            (ev_id, ev_source, ev_ref, ev_on, ev_scheme, ev_scores, cc_id, cc_class, cc_as_of, cc_source, evs) = r[10:]
            rules = rules_by_sector.get(sector)
            if rules is None:
                continue
            ent = {
                "id": eid,
                "scale": scale,
                "business_type__code": bt,
                "business_type__sector": sector,
                "cold_chain": cold,
                "online_catering": online,
                "sunshine_kitchen": sunshine,
                "liability_insurance": insurance,
                "responsibility_list": resp,
            }
            dynamic = None
            if ev_id is not None:
                scores = json.loads(ev_scores) if isinstance(ev_scores, str) else ev_scores
                dynamic = {
                    "evaluation": ev_id,
                    "source": ev_source,
                    "source_ref": ev_ref,
                    "evaluated_on": d(ev_on),
                    "scheme": ev_scheme,
                    "item_scores": scores,
                }
            credit = None
            if cc_id is not None:
                credit = {"class": cc_class, "as_of": d(cc_as_of), "source": cc_source, "id": cc_id}
            events = []
            for item in (evs or "").split(","):
                if item:
                    pk, kind, day = item.split(":")
                    if day >= f"{year - rules.max_window_years}-01-01":
                        events.append({"id": int(pk), "type": kind, "date": day[:10]})
            inputs = inputs_make(
                year=year,
                on=on,
                enterprise=enterprise_snapshot(ent, (codes or "").split(",") if codes else ()),
                dynamic=dynamic,
                credit=credit,
                events=events,
            )
            result = engine.compute(rules, inputs)
            grades[result["grade"]] += 1
            objs.append(
                RiskAssessment(
                    enterprise_id=eid,
                    scheme_id=rules.scheme_id,
                    year=year,
                    kind=AssessmentKind.YEARLY,
                    assessed_on=on,
                    inputs=inputs,
                    is_current=True,
                    **_result_fields(result),
                )
            )
        RiskAssessment.objects.bulk_create(objs, batch_size=1000)
    return grades


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", "--enterprises", type=int, default=30_000)
    parser.add_argument("--seed", type=int, default=4)
    args = parser.parse_args()

    if not os.environ.get("DATABASE_URL"):
        tmp = Path(tempfile.mkdtemp(prefix="hn-bench-regrade-"))
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "haining_foodsafety.settings.base")
    os.environ.setdefault("DEMO_MODE", "1")
    prepare_database(os.environ["DATABASE_URL"])

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from apps.accounts.services import reference_data_load, roles_sync
    from apps.enterprises.models import Enterprise
    from apps.risk import engine
    from apps.risk.coverage import coverage_debt_counts
    from apps.risk.models import GradeOverride, RiskAssessment
    from apps.risk.services import REGRADE_CHUNK, regrade_year, schemes_in_force
    from tests.conftest import make_user

    call_command("migrate", verbosity=0)
    reference_data_load()
    roles_sync()
    from apps.accounts.models import User

    city = User.objects.filter(username="bench_city").first() or make_user("bench_city", "city_staff")
    rng = random.Random(args.seed)
    t0 = time.perf_counter()
    seed(args.enterprises, rng)
    seeded = time.perf_counter() - t0
    GradeOverride.objects.all().delete()
    RiskAssessment.objects.all().delete()
    n = Enterprise.objects.filter(status="operating").count()
    year = dt.date.today().year

    counts, t_regrade, q_regrade = measured(lambda: regrade_year(year=year))
    _, t_rerun, q_rerun = measured(lambda: regrade_year(year=year))
    regrade_grades = Counter({g: counts.get(f"grade_{g}", 0) for g in "ABCD"})
    RiskAssessment.objects.filter(year=year).delete()

    rules_by_sector = {s: engine.rules_load(sch) for s, sch in schemes_in_force(on=dt.date(year, 1, 1)).items()}
    floor_grades, t_floor, q_floor = measured(lambda: floor_run(year, rules_by_sector))
    same = +floor_grades == +regrade_grades
    _, t_cov, q_cov = measured(lambda: coverage_debt_counts(city))

    chunks = -(-n // REGRADE_CHUNK)
    ratio = t_regrade / t_floor if t_floor else float("inf")
    db = connection.vendor + (" " + connection.pg_version.__str__() if connection.vendor == "postgresql" else "")
    print(f"database: {db} · enterprises (operating): {n:,} · seeded in {seeded:.1f} s · chunks: {chunks}")
    print("| step | time (s) | queries | per enterprise (ms) | note |")
    print("| --- | ---: | ---: | ---: | --- |")
    print(
        f"| regrade | {t_regrade:.2f} | {q_regrade} | {1000 * t_regrade / n:.2f} | "
        f"created {counts['created']:,}; A {regrade_grades['A']} / B {regrade_grades['B']} / "
        f"C {regrade_grades['C']} / D {regrade_grades['D']} |"
    )
    print(f"| re-run (idempotent) | {t_rerun:.2f} | {q_rerun} | {1000 * t_rerun / n:.2f} | created 0 |")
    print(
        f"| floor (1 raw SELECT + same compute + same bulk insert) | {t_floor:.2f} | {q_floor} | "
        f"{1000 * t_floor / n:.2f} | same grades: {'yes' if same else 'NO'} |"
    )
    print(f"| coverage_debt_counts (city-wide) | {t_cov:.2f} | {q_cov} | {1000 * t_cov / n:.2f} | |")
    print(f"ratio regrade / floor: {ratio:.2f}")
    print(
        "RESULT "
        + json.dumps(
            {
                "vendor": connection.vendor,
                "enterprises": n,
                "regrade_s": round(t_regrade, 3),
                "regrade_queries": q_regrade.count,
                "regrade_inserts": q_regrade.inserts,
                "rerun_s": round(t_rerun, 3),
                "rerun_queries": q_rerun.count,
                "floor_s": round(t_floor, 3),
                "floor_queries": q_floor.count,
                "floor_inserts": q_floor.inserts,
                "coverage_s": round(t_cov, 3),
                "coverage_queries": q_cov.count,
                "ratio": round(ratio, 2),
                "same_grades": same,
            }
        )
    )
    ok = same and ratio <= 3 and q_regrade.count - q_regrade.inserts <= 15 * chunks + 25
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
