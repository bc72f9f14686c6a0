"""manage.py verify_draw <id | draw_uid> [--all]: re-compute stored draws from their published records (DRW-01)."""

from django.core.management.base import BaseCommand, CommandError

from apps.inspections.draws.selectors import draw_differences
from apps.inspections.models import Draw


class Command(BaseCommand):
    help = "重新计算随机抽取并与存储的结果比对（hrs-v1；hrs-v2 另核对平台签名与公开随机数）"

    def add_arguments(self, parser):
        parser.add_argument("draw", nargs="?", help="抽取的数据库编号或抽取编号（如 HN2026-00001-1）")
        parser.add_argument("--all", action="store_true", help="校验全部抽取")

    def handle(self, *args, **options):
        if options["all"]:
            draws = Draw.objects.select_related("outcome").order_by("pk")
        elif options["draw"]:
            ref = options["draw"]
            draws = Draw.objects.filter(pk=int(ref)) if ref.isdigit() else Draw.objects.filter(draw_uid=ref)
            if not draws.exists():
                raise CommandError(f"未找到抽取：{ref}")
        else:
            raise CommandError("请指定抽取编号，或使用 --all")
        failed = 0
        for draw in draws.iterator():
            problems = draw_differences(draw)
            if problems:
                failed += 1
                self.stdout.write(f"{draw.draw_uid}: DIFFERS")
                for p in problems:
                    self.stdout.write(f"  - {p}")
            else:
                self.stdout.write(f"{draw.draw_uid}: VERIFIED（{draw.get_status_display()}）")
        if failed:
            raise CommandError(f"{failed} 个抽取与重新计算的结果不一致")
