"""manage.py draw_digest [--date YYYY-MM-DD] [--verify FILE]: the signed daily digest of draw commitments (AUD-06)."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from apps.inspections.draws.digest import verify_digest, write_digest


class Command(BaseCommand):
    help = "写出某日（默认昨天）抽取承诺与审计链头的签名摘要文件；或 --verify 校验一个摘要文件"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="日期 YYYY-MM-DD（默认昨天）")
        parser.add_argument("--verify", metavar="FILE", help="校验摘要文件与数据库中的承诺一致")

    def handle(self, *args, **options):
        if options["verify"]:
            problems = verify_digest(options["verify"])
            if problems:
                for p in problems:
                    self.stdout.write(f"  - {p}")
                raise CommandError("摘要文件与数据库不一致")
            self.stdout.write("VERIFIED — 摘要签名有效，其中的承诺与数据库一致")
            return
        try:
            day = dt.date.fromisoformat(options["date"]) if options["date"] else None
        except ValueError:
            raise CommandError("日期格式应为 YYYY-MM-DD") from None
        day = day or timezone.localdate() - dt.timedelta(days=1)
        path, written = write_digest(day)
        self.stdout.write(f"{'已写出' if written else '已存在（不覆盖）'}：{path}")
