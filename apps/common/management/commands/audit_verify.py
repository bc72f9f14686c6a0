"""manage.py audit_verify — recompute the audit hash chain; exit 1 with the first broken sequence number."""

import sys

from django.core.management.base import BaseCommand

from apps.common.audit import audit_verify


class Command(BaseCommand):
    help = "校验审计链（哈希链）是否完整；发现断裂时输出第一处断裂的序号并以非零状态退出。"

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=5000, help="每批读取的记录数（默认 5000）")

    def handle(self, *args, batch_size, **options):
        report = audit_verify(batch_size=batch_size)
        rate = report.checked / report.seconds * 60 if report.seconds > 0 else 0
        if report.ok:
            self.stdout.write(
                f"审计链校验通过：共 {report.checked} 条记录，链头第 {report.head_seq} 条，"
                f"链头哈希 {report.head_hash}。用时 {report.seconds:.2f} 秒（约 {rate:,.0f} 条/分钟）。"
            )
            return
        self.stderr.write(
            f"审计链校验失败：第一处断裂在第 {report.first_broken_seq} 条记录。原因：{report.reason}。"
            f"此前 {report.checked} 条记录校验通过；链头记录为第 {report.head_seq} 条。"
        )
        self.stderr.write("请立即通知审计管理员，保留数据库现场，并与库外保存的每日链头哈希核对。")
        sys.exit(1)
