"""manage.py db_restore ARCHIVE — refuse a tampered archive, then replace the database and copy the media
(`make restore FILE=…`; docs/operations.md §6). Irreversible: shows what it will replace and asks to confirm."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.common.backup import BackupError, archive_check, backup_restore, describe_target


class Command(BaseCommand):
    help = "从备份归档恢复数据库与媒体文件（先校验 SHA-256，被改动的备份一律拒绝）。"

    def add_arguments(self, parser):
        parser.add_argument("archive", help="备份归档（旁边须有同名 .sha256 校验文件）")
        parser.add_argument("--database-url", default=None, help="恢复到另一个数据库（默认：本系统的数据库）")
        parser.add_argument("--media-root", default=None, help="媒体目录（默认取配置 MEDIA_ROOT）")
        parser.add_argument("--yes", action="store_true", help="不再询问，直接恢复")

    def handle(self, *args, archive, database_url, media_root, yes, **options):
        try:
            manifest = archive_check(Path(archive))
            target = describe_target(database_url)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"备份：{archive}（{manifest['created_at']}，{manifest['engine']}，审计链头第 "
            f"{manifest['audit_head']['seq']} 条，媒体文件 {len(manifest['media'])} 个）；校验通过。\n"
            f"将用它覆盖：{target} 中的全部数据，以及媒体目录中的同名文件。此操作不可撤销。"
        )
        if not yes and input("确认恢复请输入 yes：").strip().lower() != "yes":
            raise CommandError("已取消，未做任何改动。")
        try:
            result = backup_restore(
                Path(archive), database_url=database_url, media_root=Path(media_root) if media_root else None
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"恢复完成：{result.target}，媒体文件 {result.media_files} 个。\n"
            "下一步（BAK-02）：以恢复后的数据库运行 tools/restore_check.py（迁移、审计链、锚定、每个抽取记录）。"
        )
