"""双随机 draw benchmark (issue 5 point 11): 30,000 enterprises, 200 inspectors, a 10 % stratified draw with pairing
and 回避, persisted.

In one database transaction that is ROLLED BACK at the end (the database is left as it was):

1. builds the world with bulk inserts: N operating enterprises over the 12 townships and 6 business types, a credit
   class for each (A 40 %, B 40 %, C 15 %, D 5 %), 200 inspectors (5 with an expired certificate), 1,000 declared
   conflicts, and N/10 finalised earlier inspections (two inspectors each → "previous inspector" 回避; a fifth of
   them within 3 months → excluded);
2. a plan with 4 strata (credit class A / B / C / D, 10 % each), 2 inspectors per task, 回避 of conflicts and the
   previous inspector, not from the enterprise's own township, a load cap of 45 open tasks;
3. measures ``plan_commit`` (pool freezing, exclusion sets, seed commitment) and ``draw_execute`` (hrs-v2 + all
   rows: selections, inspector assignments, tasks, task inspectors, outcome, audit event) — time and query count;
4. the floors, in the same run and transaction: bulk-inserting the same task rows the draw produced
   (``InspectionTask`` + ``TaskInspector``, with fresh numbers) — and, for information, every row the draw writes;
5. repeats 2–3 at N/10 enterprises to show that the query counts do not grow with N.

    .venv/bin/python benchmarks/draw.py                       # SQLite file db (must be migrated)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hn_draws_bench .venv/bin/python benchmarks/draw.py

Exit status 1 if the draw takes more than 2× the task-row floor or if a query count grows with N.
"""

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "haining_foodsafety.settings.base")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from apps.accounts.models import Township, User  # noqa: E402
from apps.accounts.services import reference_data_load, roles_sync  # noqa: E402
from apps.enterprises.identifiers import make_uscc  # noqa: E402
from apps.enterprises.models import BusinessType, Enterprise  # noqa: E402
from apps.inspections.choices import TaskKind, TaskSource, TaskStatus  # noqa: E402
from apps.inspections.draws.services import (  # noqa: E402
    draw_execute,
    plan_commit,
    plan_create,
    public_value_enter,
)
from apps.inspections.models import (  # noqa: E402
    Draw,
    DrawInspectorAssignment,
    DrawPlan,
    DrawSelection,
    InspectionTask,
    Inspector,
    InspectorConflict,
    TaskInspector,
)

GOAL_RATIO = 2.0
TYPES = ["catering", "small_restaurant", "canteen", "food_sales", "small_grocery", "food_production"]


class _Rollback(Exception):
    pass


def build_world(n: int, run: int, rng: random.Random, actor) -> dict:
    from apps.risk.models import CreditClass

    townships = list(Township.objects.order_by("order"))
    types = {bt.code: bt for bt in BusinessType.objects.filter(code__in=TYPES)}
    prefix = f"9133{run:02d}"
    enterprises = Enterprise.objects.bulk_create(
        [
            Enterprise(
                name=f"压测企业{run}-{i:06d}",
                uscc=make_uscc(prefix + "81", f"{i:08d}"),
                township=townships[i % len(townships)],
                business_type=types[TYPES[i % len(TYPES)]],
            )
            for i in range(n)
        ],
        batch_size=5000,
    )
    today = timezone.localdate()
    weights = [("A", 40), ("B", 40), ("C", 15), ("D", 5)]
    classes = [c for c, w in weights for _ in range(w)]
    CreditClass.objects.bulk_create(
        [
            CreditClass(enterprise=e, credit_class=classes[i % 100], source="压测", as_of=today - dt.timedelta(days=30))
            for i, e in enumerate(enterprises)
        ],
        batch_size=5000,
    )
    inspectors = Inspector.objects.bulk_create(
        [
            Inspector(
                name=f"检查员{run}-{i:03d}",
                badge_no=f"B{run}{i:04d}",
                certificate_no=f"浙执{run}{i:06d}",
                certificate_valid_until=today + dt.timedelta(days=365 if i >= 5 else -1),
                township=townships[i % len(townships)],
            )
            for i in range(200)
        ]
    )
    InspectorConflict.objects.bulk_create(
        [
            InspectorConflict(inspector=rng.choice(inspectors), enterprise=e, reason="亲属经营")
            for e in rng.sample(enterprises, min(1000, n))
        ],
        ignore_conflicts=True,
    )
    now = timezone.now()
    history = InspectionTask.objects.bulk_create(
        [
            InspectionTask(
                number=f"H{run}-{i:06d}",
                enterprise=e,
                kind=TaskKind.ROUTINE_RANDOM,
                source=TaskSource.MANUAL,
                status=TaskStatus.FINALISED,
                completed_at=now - dt.timedelta(days=40 if i % 5 == 0 else 200),
            )
            for i, e in enumerate(rng.sample(enterprises, n // 10))
        ],
        batch_size=5000,
    )
    TaskInspector.objects.bulk_create(
        [TaskInspector(task=t, inspector=p, order=j) for t in history for j, p in enumerate(rng.sample(inspectors, 2))],
        batch_size=5000,
    )
    plan = plan_create(
        actor=actor,
        name=f"压测计划 N={n}",
        year=2026,
        round_label=f"压测{run}",
        townships=[],
        business_types=[],
        avoid_own_township=True,
        load_cap=45,
        strata=[
            {"key": f"credit={c}", "label": f"信用{c}类", "filter": {"credit_classes": [c]}, "proportion": "0.1"}
            for c in "ABCD"
        ],
    )
    return {"plan": plan, "enterprises": enterprises}


def timed(fn):
    with CaptureQueriesContext(connection) as ctx:
        start = time.perf_counter()
        value = fn()
        elapsed = time.perf_counter() - start
    return value, elapsed, len(ctx.captured_queries)


def floor_tasks(draw, run: int, rep: int) -> float:
    """Bulk insert of the same task rows the draw made (tasks + their inspectors), fresh numbers, inside a savepoint."""
    tasks = list(InspectionTask.objects.filter(draw=draw).values("enterprise_id", "due_date", "plan_id"))
    links = list(
        TaskInspector.objects.filter(task__draw=draw).values_list(
            "task__enterprise_id", "inspector_id", "role", "order"
        )
    )
    sid = transaction.savepoint()
    start = time.perf_counter()
    made = InspectionTask.objects.bulk_create(
        [
            InspectionTask(
                number=f"F{run}-{rep}-{i:06d}",
                enterprise_id=t["enterprise_id"],
                kind=TaskKind.ROUTINE_RANDOM,
                source=TaskSource.MANUAL,
                due_date=t["due_date"],
                plan_id=t["plan_id"],
            )
            for i, t in enumerate(tasks)
        ]
    )
    by_enterprise = {t.enterprise_id: t for t in made}
    TaskInspector.objects.bulk_create(
        [TaskInspector(task=by_enterprise[eid], inspector_id=iid, role=role, order=o) for eid, iid, role, o in links]
    )
    elapsed = time.perf_counter() - start
    transaction.savepoint_rollback(sid)
    return elapsed


def floor_all_rows(draw, run: int, rep: int) -> float:
    """For information: bulk insert of every row the draw writes (selections, inspector assignments, tasks, task
    inspectors) under a scratch draw of a scratch plan, inside a savepoint."""
    sels = list(DrawSelection.objects.filter(draw=draw).values("stratum_key", "enterprise_id", "code", "rank", "order"))
    assigns = list(
        DrawInspectorAssignment.objects.filter(selection__draw=draw).values(
            "selection__order", "inspector_id", "badge", "rank", "order"
        )
    )
    sid = transaction.savepoint()
    plan = DrawPlan.objects.create(name="floor", year=2026, round_label=f"floor-{run}-{rep}")
    scratch = Draw.objects.create(
        plan=plan,
        round=plan.round_label,
        draw_uid=f"FLOOR-{run}-{rep}",
        seed_commitment="0" * 64,
        inputs_hash="0" * 64,
        draw_date=draw.draw_date,
    )
    start = time.perf_counter()
    rows = DrawSelection.objects.bulk_create([DrawSelection(draw=scratch, **s) for s in sels])
    by_order = {r.order: r for r in rows}
    made_assigns = DrawInspectorAssignment.objects.bulk_create(
        [
            DrawInspectorAssignment(
                selection=by_order[a["selection__order"]],
                inspector_id=a["inspector_id"],
                badge=a["badge"],
                rank=a["rank"],
                order=a["order"],
            )
            for a in assigns
        ]
    )
    tasks = InspectionTask.objects.bulk_create(
        [
            InspectionTask(
                number=f"G{run}-{rep}-{r.order:06d}",
                enterprise_id=r.enterprise_id,
                kind=TaskKind.ROUTINE_RANDOM,
                source=TaskSource.DRAW,
                plan=plan,
                draw=scratch,
                selection=r,
                due_date=draw.draw_date,
            )
            for r in rows
        ]
    )
    by_selection = {t.selection_id: t for t in tasks}
    TaskInspector.objects.bulk_create(
        [
            TaskInspector(task=by_selection[a.selection_id], inspector_id=a.inspector_id, order=a.order, assignment=a)
            for a in made_assigns
        ]
    )
    elapsed = time.perf_counter() - start
    transaction.savepoint_rollback(sid)
    return elapsed


def run_size(n: int, run: int, actor, repeat: int) -> dict:
    rng = random.Random(run)
    _world, build_s, _q = timed(lambda: build_world(n, run, rng, actor))
    plan = _world["plan"]
    draw, commit_s, commit_q = timed(lambda: plan_commit(actor=actor, plan_id=plan.pk))
    # hrs-v2: the witnesses' values are entered first (not timed: one small insert, not part of the draw)
    public_value_enter(actor=actor, plan_id=plan.pk, values=[str(run), str(n)], witnesses=["甲", "乙"])
    drawn, draw_s, draw_q = timed(lambda: draw_execute(actor=actor, plan_id=plan.pk))
    assert drawn.outcome.status == "drawn", drawn.outcome.error
    floors = [floor_tasks(drawn, run, r) for r in range(repeat)]
    floors_all = [floor_all_rows(drawn, run, r) for r in range(repeat)]
    pool = sum(len(s["codes"]) for s in draw.strata)
    tasks = InspectionTask.objects.filter(draw=drawn).count()
    assignments = TaskInspector.objects.filter(task__draw=drawn).count()
    return {
        "n": n,
        "build_s": build_s,
        "pool": pool,
        "excluded": {k: len(v) for k, v in draw.excluded.items()},
        "commit_s": commit_s,
        "commit_q": commit_q,
        "draw_s": draw_s,
        "draw_q": draw_q,
        "tasks": tasks,
        "assignments": assignments,
        "floor_s": statistics.median(floors),
        "floor_all_s": statistics.median(floors_all),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=30_000, help="enterprises (default 30,000)")
    parser.add_argument("--repeat", type=int, default=3, help="floor repetitions (median)")
    args = parser.parse_args()
    vendor = connection.vendor
    results = []
    try:
        with transaction.atomic():
            reference_data_load()
            roles_sync()
            actor = User.objects.create(username=f"bench-{time.time_ns()}", is_superuser=True)
            for run, n in enumerate((max(300, args.n // 10), args.n), start=1):
                sid = transaction.savepoint()  # each size on its own: the smaller world is gone before the next
                results.append(run_size(n, run, actor, args.repeat))
                transaction.savepoint_rollback(sid)
            raise _Rollback
    except _Rollback:
        pass
    small, big = results
    ratio = big["draw_s"] / big["floor_s"]
    ratio_all = big["draw_s"] / big["floor_all_s"]
    print(f"双随机抽取 benchmark — {vendor}, {dt.datetime.now():%Y-%m-%d %H:%M}")
    for r in results:
        print(
            f"N={r['n']:>6}: pool {r['pool']:>6} (excluded {r['excluded']}), world {r['build_s']:.1f} s; "
            f"commit {r['commit_s']:.2f} s / {r['commit_q']} queries; "
            f"draw {r['draw_s']:.2f} s / {r['draw_q']} queries → {r['tasks']} tasks, {r['assignments']} inspector assignments; "
            f"floor (task rows) {r['floor_s']:.2f} s, floor (all rows) {r['floor_all_s']:.2f} s"
        )
    print(f"ratio draw / task-row floor = {ratio:.2f}× (goal ≤ {GOAL_RATIO}×); draw / all-row floor = {ratio_all:.2f}×")
    constant = small["draw_q"] == big["draw_q"] and small["commit_q"] == big["commit_q"]
    print(
        f"query counts constant in N: {'yes' if constant else 'NO'} (draw {small['draw_q']} → {big['draw_q']}, commit {small['commit_q']} → {big['commit_q']})"
    )
    return 0 if (ratio <= GOAL_RATIO and constant) else 1


if __name__ == "__main__":
    sys.exit(main())
