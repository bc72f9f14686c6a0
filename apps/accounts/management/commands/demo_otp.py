from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import totp

from apps.accounts.models import User


class Command(BaseCommand):
    help = "显示演示账户当前的二次验证码（仅演示模式；生产环境的验证码只在本人的验证器 App 上）。"

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        if not getattr(settings, "DEMO_MODE", False):
            raise CommandError("只能在演示模式（DEMO_MODE=1）下显示验证码")
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from apps.accounts.services import DEMO_ACCOUNTS

        if username not in {row[0] for row in DEMO_ACCOUNTS}:
            raise CommandError(f"{username} 不是演示账户")
        user = User.objects.filter(username=username).first()
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first() if user else None
        if device is None:
            raise CommandError(f"演示账户 {username} 没有验证器（该角色不需要二次验证，或尚未运行 demo_accounts）")
        code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
        self.stdout.write(f"{code:0{device.digits}d}")
