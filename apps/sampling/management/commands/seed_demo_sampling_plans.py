from django.core.management.base import BaseCommand, CommandError

from apps.sampling.plans.demo import seed_demo


class Command(BaseCommand):
    help = "演示数据：抽检默认配置，本年度监督抽检与风险监测计划（按配额分解并下达）。可重复执行。"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, default=None, help="计划年度（默认今年）")

    def handle(self, *args, **options):
        from django.conf import settings

        if not getattr(settings, "DEMO_MODE", False):
            raise CommandError("seed_demo_sampling_plans 只能在演示模式（DEMO_MODE=1）下运行")
        for line in seed_demo(year=options["year"]):
            self.stdout.write(line)
