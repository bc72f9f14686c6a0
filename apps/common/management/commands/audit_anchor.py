"""manage.py audit_anchor — write today's audit chain head, signed, outside the database (AUD-06)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.common.audit import anchor_dir, audit_anchor_write


class Command(BaseCommand):
    help = "把当天审计链的链头（序号、哈希、条数、时间）签名后写到数据库之外的锚定目录（AUDIT_ANCHOR_DIR）。"

    def add_arguments(self, parser):
        parser.add_argument("--dir", default=None, help="锚定目录（默认取配置 AUDIT_ANCHOR_DIR）")

    def handle(self, *args, dir, **options):  # noqa: A002 - the option's name
        directory = Path(dir) if dir else anchor_dir()
        try:
            path = audit_anchor_write(directory)
        except (OSError, RuntimeError) as exc:
            raise CommandError(f"写入锚定文件失败：{exc}") from exc
        self.stdout.write(f"已写入审计链锚定：{path}")
