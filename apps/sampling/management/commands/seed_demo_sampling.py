"""manage.py seed_demo_sampling: the demo rows of the sampling subpackages (demo mode only; idempotent).

Each subpackage with demo rows offers ``<sub>/demo.py: seed_demo()``; this command calls them in layer order:
fieldwork (organisations, a plan, ~200 抽样单, open tasks), then targeting (a weights row, a 风险会商 meeting). The lab
and publicity rows come after the inspections demo (``seed_demo_lab``, ``seed_demo_sampling_publicity``)."""

from django.core.management.base import BaseCommand, CommandError

from apps.sampling.fieldwork.demo import seed_demo as fieldwork_seed
from apps.sampling.targeting import demo as targeting_demo


class Command(BaseCommand):
    help = "演示模式：抽样/检验机构、本年度演示抽检计划、约 200 份抽样单、待抽样任务、靶向抽检权重与风险会商记录（可重复执行）。"

    def handle(self, *args, **options):
        try:
            result = fieldwork_seed()
            targeting = targeting_demo.seed_demo()
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"抽检演示数据：机构 {result['organisations']} 家，样品 {result['samples']} 份，待抽样任务 {result['open_tasks']} 个；"
            f"靶向抽检权重{'新建' if targeting['weights'] else '已存在'}，"
            f"风险会商记录{'新建' if targeting['meeting'] else '已存在'}。"
        )
