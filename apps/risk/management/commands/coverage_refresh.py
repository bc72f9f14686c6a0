"""manage.py coverage_refresh [--enterprise ID ...]: recompute the maintained coverage-debt state (apps/risk/coverage.py)."""

from django.core.management.base import BaseCommand

from apps.risk.coverage import coverage_refresh


class Command(BaseCommand):
    help = "重算覆盖欠账状态（默认全部检查对象；夜间定时任务也会执行）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--enterprise", type=int, action="append", default=None, help="只重算指定检查对象（可重复）"
        )

    def handle(self, *args, **opts):
        def progress(done, total):
            if opts["verbosity"] >= 2:
                self.stdout.write(f"  {done:,} / {total:,}")

        n = coverage_refresh(opts["enterprise"], progress=progress)
        self.stdout.write(f"已重算 {n:,} 家营业中检查对象的覆盖状态。")
