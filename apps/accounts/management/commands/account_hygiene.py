from django.core.management.base import BaseCommand

from apps.accounts.hygiene import KIND_LABELS, account_findings


class Command(BaseCommand):
    help = "列出长期未登录、疑似共用（同一密码哈希或手机号）、权限过大的启用账户；发现任何一项时退出码为 1（部署流水线运行）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, default=None, help="多少天未登录算长期未登录（默认 ACCOUNT_DORMANT_DAYS=90）"
        )

    def handle(self, *args, days=None, **options):
        if days is not None and days < 1:
            self.stderr.write("--days 必须是正整数")
            raise SystemExit(2)
        findings = account_findings(dormant_days=days)
        if not findings:
            self.stdout.write("账户检查通过：没有长期未登录、共用或权限过大的启用账户。")
            return
        self.stdout.write(f"发现 {len(findings)} 项账户问题：")
        for f in findings:
            self.stdout.write(f"  [{KIND_LABELS[f.kind]}] {f.username}：{f.detail}")
        raise SystemExit(1)
