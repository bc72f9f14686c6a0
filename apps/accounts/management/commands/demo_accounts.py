from django.core.management.base import BaseCommand, CommandError

from apps.accounts.services import demo_accounts_create


class Command(BaseCommand):
    help = "创建每个角色一个演示账户并打印用户名和密码（仅演示模式）。"

    def add_arguments(self, parser):
        parser.add_argument("--password", help="所有演示账户使用同一密码（默认每个账户随机生成）")

    def handle(self, *args, **options):
        try:
            rows = demo_accounts_create(password=options.get("password"))
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write("\n演示账户（仅用于本机演示，请勿用于生产）：")
        self.stdout.write(f"  {'用户名':<10}{'密码':<18}{'角色':<12}镇街")
        for r in rows:
            self.stdout.write(f"  {r['username']:<12}{r['password']:<20}{r['role']:<14}{r['township']}")
        with_otp = [r for r in rows if r.get("otp_secret")]
        if with_otp:
            self.stdout.write("\n二次验证（市局人员与三个管理员角色）：登录后输入验证码。把密钥加入任一验证器 App，")
            self.stdout.write("或运行 `.venv/bin/python manage.py demo_otp <用户名>` 显示当前 6 位验证码：")
            for r in with_otp:
                self.stdout.write(f"  {r['username']:<12}TOTP 密钥 {r['otp_secret']}")
        self.stdout.write("")
