"""manage.py seed_demo --enterprises N [--seed S] [--as-of YYYY-MM-DD]: a realistic demo registry (apps/enterprises/demo.py)."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from apps.enterprises.demo import enterprises_seed_demo


class Command(BaseCommand):
    help = "生成演示用检查对象名录：确定性（同一 --seed 结果相同），重复运行不会重复新增。"

    def add_arguments(self, parser):
        parser.add_argument("--enterprises", type=int, default=3000, help="检查对象数量（默认 3000）")
        parser.add_argument("--seed", type=int, default=20201101, help="随机种子（默认 20201101）")
        parser.add_argument("--as-of", default="", help="日期基准 YYYY-MM-DD（证照有效期等据此生成，默认今天）")
        parser.add_argument("--batch-size", type=int, default=2000)

    def handle(self, *args, **opts):
        count = opts["enterprises"]
        if count < 0 or count > 2_000_000:
            raise CommandError("--enterprises 应在 0 到 2,000,000 之间")
        as_of = None
        if opts["as_of"]:
            try:
                as_of = dt.date.fromisoformat(opts["as_of"])
            except ValueError:
                raise CommandError("--as-of 应为 YYYY-MM-DD") from None
        verbose = opts["verbosity"] >= 2

        def progress(done, total):
            if verbose:
                self.stdout.write(f"  {done:,} / {total:,}")

        try:
            result = enterprises_seed_demo(
                count=count, seed=opts["seed"], as_of=as_of, batch_size=opts["batch_size"], progress=progress
            )
        except RuntimeError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"检查对象：新增 {result.created:,} 条，已存在跳过 {result.skipped:,} 条，证照 {result.licences:,} 张，"
                f"用时 {result.seconds:.1f} 秒"
            )
        )
