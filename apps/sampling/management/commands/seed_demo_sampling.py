"""manage.py seed_demo_sampling: the demo rows of the sampling subpackages (demo mode only; idempotent).

Each subpackage with demo rows offers ``<sub>/demo.py: seed_demo()``; this command calls them in layer order.
Today: targeting (a weights row, a 风险会商 meeting)."""

from django.core.management.base import BaseCommand, CommandError

from apps.sampling.targeting import demo as targeting_demo


class Command(BaseCommand):
    help = "生成抽检演示数据（演示模式）：靶向抽检权重、风险会商记录。可重复执行。"

    def handle(self, *args, **options):
        try:
            targeting = targeting_demo.seed_demo()
        except RuntimeError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"抽检演示数据：靶向抽检权重{'新建' if targeting['weights'] else '已存在'}，"
                f"风险会商记录{'新建' if targeting['meeting'] else '已存在'}。"
            )
        )
