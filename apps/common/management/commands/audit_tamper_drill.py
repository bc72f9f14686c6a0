"""manage.py audit_tamper_drill — the AUD-05 tamper drill, on a COPY of the database (docs/operations.md §5).

Performs many random tamperings as a database superuser would (trigger disabled): field edits, deletions,
re-orderings, forged inserts, replacements and appends, each undone before the next; the verifier must report every
one at exactly the expected sequence number. Everything is rolled back at the end. Exit status 1 on any miss."""

import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from apps.common.audit_drill import tamper_drill


class Command(BaseCommand):
    help = "审计链篡改演练（AUD-05）：在数据库副本上随机篡改记录，检查校验程序是否 100% 在准确的序号处发现；结束后全部回滚。"

    def add_arguments(self, parser):
        parser.add_argument("--operations", type=int, default=1000, help="篡改次数（默认 1000）")
        parser.add_argument("--entries", type=int, default=200, help="链长不足时补足到的记录数（默认 200，演练后回滚）")
        parser.add_argument("--seed", type=int, default=None, help="随机数种子（复现某次演练）")
        parser.add_argument(
            "--on-copy", action="store_true", help="确认当前数据库是副本（演练期间审计表被锁住、触发器被关闭）"
        )

    def handle(self, *args, operations, entries, seed, on_copy, **options):
        if not on_copy:
            raise CommandError(
                "篡改演练会关闭审计表的只追加触发器并锁住审计表，只能在数据库副本上运行："
                "先用 make restore 把备份恢复到另一个数据库，再以 DATABASE_URL 指向它并加 --on-copy 运行。"
            )
        if operations < 1 or entries < 2:
            raise CommandError("--operations 至少为 1，--entries 至少为 2")
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
                if not cur.fetchone()[0]:
                    raise CommandError("篡改演练需以数据库超级用户运行（要关闭触发器、绕过授权，模拟最强的篡改者）")
        try:
            report = tamper_drill(operations=operations, entries=entries, seed=seed)
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        rate = report.detected / report.operations * 100
        lines = [
            f"篡改演练：链长 {report.entries} 条，篡改 {report.operations} 次，"
            f"在准确序号处发现 {report.detected} 次（{rate:.1f}%），用时 {report.seconds:.1f} 秒。",
            "按篡改方式：" + "，".join(f"{name} {count}" for name, count in sorted(report.by_operation.items())),
        ]
        self.stdout.write("\n".join(lines))
        if not report.ok:
            for name, k, expected, got, reason in report.missed[:20]:
                self.stderr.write(f"未按预期发现：{name} 于第 {k} 条，应报第 {expected} 条，实报 {got}（{reason}）")
            sys.exit(1)
        self.stdout.write("全部篡改均被发现；数据库已回滚，未留下任何改动。")
