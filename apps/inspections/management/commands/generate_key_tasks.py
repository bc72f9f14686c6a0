"""manage.py generate_key_tasks [--date YYYY-MM-DD] [--township CODE ...] — key inspections (重点检查) by rule."""

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError

from apps.accounts.models import Township


class Command(BaseCommand):
    help = "按重点检查规则（C/D 级生产者、D 级经营者、特殊食品、中央厨房、集中用餐配送）为全市生成本年度重点检查任务"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="规则生效判断与任务起算日期（默认今天）")
        parser.add_argument("--township", action="append", default=[], help="只生成某镇街（代码，可重复）")

    def handle(self, *args, **options):
        from apps.inspections.fieldwork.services.tasks import key_tasks_generate

        on = None
        if options["date"]:
            try:
                on = dt.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError("日期格式应为 YYYY-MM-DD") from None
        township_ids = None
        if options["township"]:
            found = dict(Township.objects.filter(code__in=options["township"]).values_list("code", "pk"))
            missing = sorted(set(options["township"]) - set(found))
            if missing:
                raise CommandError(f"未知镇街代码：{', '.join(missing)}")
            township_ids = sorted(found.values())
        summary = key_tasks_generate(actor=None, on=on, township_ids=township_ids)
        self.stdout.write(json.dumps(summary, ensure_ascii=False, indent=1))
