"""manage.py seed_haining_scale: a Haining-scale data set for benchmarks/dashboard.py (issue 12 point 7).

30,000 enterprises (``seed_demo --enterprises``, idempotent), five years of inspection tasks (about 150,000:
finalised, open and cancelled, routine-random and other kinds, a due date and completion time each) and 25,000
samples with their sampling tasks (the generator of benchmarks/quota.py, ``--items`` result items each), then this
year's risk grades and the coverage state (``regrade_year`` and ``coverage_refresh``, as the yearly and nightly jobs
do: the dashboard's coverage measures read that state). Bulk inserts in batches, one transaction per kind; numbered ``BMD…`` / ``BM…`` so a second run adds only what is
missing. A benchmark tool, not a business write: it writes the rows directly, without services or audit events,
and is refused unless ``DEMO_MODE`` is on.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import random
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from apps.enterprises.models import Enterprise
from apps.inspections.choices import TaskKind, TaskSource, TaskStatus
from apps.inspections.models import InspectionTask

TASK_PREFIX = "BMD"
YEARS = 5


def _quota_benchmark():
    """benchmarks/quota.py (its sample generator), loaded by path: the benchmarks folder is not a package."""
    path = Path(settings.BASE_DIR) / "benchmarks" / "quota.py"
    spec = importlib.util.spec_from_file_location("benchmark_quota", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Command(BaseCommand):
    help = "生成海宁规模的基准数据：3 万检查对象、五年约 15 万检查任务、2.5 万批次样品（仅演示模式）。"

    def add_arguments(self, parser):
        parser.add_argument("--enterprises", type=int, default=30000)
        parser.add_argument("--inspections", type=int, default=150000)
        parser.add_argument("--samples", type=int, default=25000)
        parser.add_argument("--items", type=int, default=2, help="每批次样品的检验项目数（默认 2）")
        parser.add_argument("--seed", type=int, default=20261207)

    def handle(self, *args, **opts):
        if not getattr(settings, "DEMO_MODE", False):
            raise CommandError("仅在演示模式（DEMO_MODE=1）下可生成基准数据。")
        started = time.perf_counter()
        call_command("seed_demo", enterprises=opts["enterprises"], verbosity=0)
        self.stdout.write(f"检查对象：{Enterprise.objects.count()} 家（{time.perf_counter() - started:.1f} 秒）")

        t0 = time.perf_counter()
        added = self.add_tasks(opts["inspections"], seed=opts["seed"])
        self.stdout.write(f"检查任务：新增 {added} 项（{time.perf_counter() - t0:.1f} 秒）")

        t0 = time.perf_counter()
        today = timezone.localdate()
        years = [today.year - k for k in range(YEARS - 1, -1, -1)]
        quota = _quota_benchmark()
        out = quota.add_samples(opts["samples"], items=opts["items"], years=years, seed=opts["seed"])
        self.stdout.write(f"样品：新增 {out['added']} 批次（{time.perf_counter() - t0:.1f} 秒）")

        from apps.risk import coverage
        from apps.risk.models import CoverageState
        from apps.risk.services import regrade_year

        if added or out["added"] or not CoverageState.objects.exists():
            t0 = time.perf_counter()
            regrade_year(year=today.year)
            operating = coverage.coverage_refresh()
            self.stdout.write(f"风险等级与覆盖状态：{operating} 家营业企业（{time.perf_counter() - t0:.1f} 秒）")
        self.stdout.write(self.style.SUCCESS(f"完成，共 {time.perf_counter() - started:.1f} 秒。"))

    def add_tasks(self, target: int, *, seed: int) -> int:
        have = InspectionTask.objects.filter(number__startswith=TASK_PREFIX).count()
        if have >= target:
            return 0
        rng = random.Random(seed + have)
        enterprise_ids = list(Enterprise.objects.values_list("pk", flat=True))
        if not enterprise_ids:
            raise CommandError("没有检查对象。")
        today = timezone.localdate()
        tz = timezone.get_current_timezone()
        kinds = [
            (TaskKind.ROUTINE_RANDOM, TaskSource.MANUAL, 0.7),
            (TaskKind.FLYING, TaskSource.MANUAL, 0.9),
            (TaskKind.KEY, TaskSource.MANUAL, 1.0),
        ]
        n, batch = target - have, 5000
        with transaction.atomic():
            for start in range(0, n, batch):
                rows = []
                for k in range(min(batch, n - start)):
                    index = have + start + k
                    year = today.year - index % YEARS
                    last = today if year == today.year else dt.date(year, 12, 31)
                    span = (last - dt.date(year, 1, 1)).days
                    due = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(span + 1))
                    r = rng.random()
                    kind, source = next((kk, ss) for kk, ss, p in kinds if r < p)
                    s = rng.random()
                    status = (
                        TaskStatus.CANCELLED
                        if s < 0.03
                        else TaskStatus.FINALISED
                        if (year < today.year or s < 0.75)
                        else TaskStatus.ASSIGNED
                    )
                    done = (
                        dt.datetime.combine(due - dt.timedelta(days=rng.randrange(10)), dt.time(10), tzinfo=tz)
                        if status == TaskStatus.FINALISED
                        else None
                    )
                    rows.append(
                        InspectionTask(
                            number=f"{TASK_PREFIX}{index:010d}",
                            enterprise_id=enterprise_ids[rng.randrange(len(enterprise_ids))],
                            kind=kind,
                            source=source,
                            status=status,
                            due_date=due,
                            completed_at=done,
                            cancelled_reason="基准数据" if status == TaskStatus.CANCELLED else "",
                        )
                    )
                InspectionTask.objects.bulk_create(rows, batch_size=batch)
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("ANALYZE inspections_inspectiontask; ANALYZE enterprises_enterprise")
        return n
