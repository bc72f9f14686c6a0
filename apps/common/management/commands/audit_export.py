"""manage.py audit_export — the audit events as text, one line per event (for the central log server, AUD-09).

Every value is escaped (AUD-10): CR, LF, ANSI escapes, other control characters and Unicode line separators never
start a new line, and very long values are cut with their length noted, so one event is always exactly one line."""

from django.core.management.base import BaseCommand, CommandError

from apps.common.audit import event_json_line, event_text_line
from apps.common.models import AuditEvent


class Command(BaseCommand):
    help = "导出审计记录，每条记录一行（text：键=值；jsonl：JSON），控制字符与换行一律转义。"

    def add_arguments(self, parser):
        parser.add_argument("--since-seq", type=int, default=0, help="只导出序号大于此值的记录")
        parser.add_argument("--format", choices=["text", "jsonl"], default="text", help="输出格式（默认 text）")
        parser.add_argument("--output", default="-", help="输出文件（默认标准输出）")

    def handle(self, *args, since_seq, format, output, **options):  # noqa: A002 - the option's name
        line = event_text_line if format == "text" else event_json_line
        events = AuditEvent.objects.filter(seq__gt=since_seq).order_by("seq").iterator(chunk_size=2000)
        try:
            fh = self.stdout if output == "-" else open(output, "w", encoding="utf-8", newline="\n")  # noqa: SIM115
        except OSError as exc:
            raise CommandError(f"无法写入 {output}：{exc}") from exc
        count = 0
        try:
            for event in events:
                fh.write(line(event) + "\n")
                count += 1
        finally:
            if fh is not self.stdout:
                fh.close()
        if output != "-":
            self.stdout.write(f"已导出 {count} 条审计记录到 {output}")
