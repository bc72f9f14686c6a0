"""manage.py audit_verify — recompute the audit hash chain and compare it with the daily anchors (AUD-05/06);
exit 1 with the first broken sequence number or the anchors that differ."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from apps.common.audit import anchor_dir, audit_verify, audit_verify_anchors


class Command(BaseCommand):
    help = "校验审计链（哈希链）是否完整，并与库外的每日锚定核对；发现断裂时输出第一处断裂的序号并以非零状态退出。"

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=5000, help="每批读取的记录数（默认 5000）")
        parser.add_argument("--anchors", default=None, help="锚定目录（默认取配置 AUDIT_ANCHOR_DIR）")
        parser.add_argument("--no-anchors", action="store_true", help="只校验哈希链，不与锚定核对")

    def handle(self, *args, batch_size, anchors, no_anchors, **options):
        report = audit_verify(batch_size=batch_size)
        rate = report.checked / report.seconds * 60 if report.seconds > 0 else 0
        failed = False
        if report.ok:
            self.stdout.write(
                f"审计链校验通过：共 {report.checked} 条记录，链头第 {report.head_seq} 条，"
                f"链头哈希 {report.head_hash}。用时 {report.seconds:.2f} 秒（约 {rate:,.0f} 条/分钟）。"
            )
        else:
            failed = True
            self.stderr.write(
                f"审计链校验失败：第一处断裂在第 {report.first_broken_seq} 条记录。原因：{report.reason}。"
                f"此前 {report.checked} 条记录校验通过；链头记录为第 {report.head_seq} 条。"
            )
        if not no_anchors:
            directory = Path(anchors) if anchors else anchor_dir()
            checked = audit_verify_anchors(directory)
            if checked.ok and checked.checked:
                latest = checked.latest
                self.stdout.write(
                    f"与锚定核对通过：{checked.checked} 个锚定文件（{directory}），"
                    f"最近一次为 {latest['date']} 第 {latest['seq']} 条。"
                )
            elif checked.ok:
                self.stdout.write(f"锚定目录 {directory} 中没有锚定文件，未做锚定核对。")
            else:
                failed = True
                self.stderr.write(f"与锚定核对失败（{len(checked.problems)} 处）：")
                for problem in checked.problems[:50]:
                    self.stderr.write(f"  {problem}")
        if failed:
            self.stderr.write("请立即通知审计管理员，保留数据库现场，并与库外保存的每日链头哈希核对。")
            sys.exit(1)
