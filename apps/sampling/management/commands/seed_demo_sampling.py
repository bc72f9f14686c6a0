from django.core.management.base import BaseCommand, CommandError

from apps.sampling.fieldwork.demo import seed_demo as fieldwork_seed


class Command(BaseCommand):
    help = "演示模式：抽样/检验机构、本年度演示抽检计划、约 200 份抽样单和若干待抽样任务（可重复执行）。"

    def handle(self, *args, **options):
        try:
            result = fieldwork_seed()
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"抽检演示数据：机构 {result['organisations']} 家，样品 {result['samples']} 份，待抽样任务 {result['open_tasks']} 个。"
        )
