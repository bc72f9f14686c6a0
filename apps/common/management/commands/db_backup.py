"""manage.py db_backup — the database (pg_dump -Fc, or SQLite's online backup) and the media in one archive, with
its SHA-256 beside it (`make backup`; docs/operations.md §6)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.common.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "备份数据库与媒体文件到一个归档文件，并在旁边写入 SHA-256 校验文件。"

    def add_arguments(self, parser):
        parser.add_argument("--dir", default="backups", help="备份目录（默认 ./backups）")
        parser.add_argument("--media-root", default=None, help="媒体目录（默认取配置 MEDIA_ROOT）")

    def handle(self, *args, dir, media_root, **options):  # noqa: A002 - the option's name
        try:
            result = backup_create(Path(dir), media_root=Path(media_root) if media_root else None)
        except (BackupError, OSError) as exc:
            raise CommandError(f"备份失败：{exc}") from exc
        m = result.manifest
        self.stdout.write(
            f"备份完成：{result.archive}\n"
            f"  校验文件：{result.checksum_file}（SHA-256 {result.sha256}）\n"
            f"  数据库：{m['engine']}，{m['database']['bytes']:,} 字节；媒体文件 {len(m['media'])} 个；"
            f"审计链头第 {m['audit_head']['seq']} 条。\n"
            "请把归档和校验文件一起复制到异地（两者分开保存更好）。"
        )
