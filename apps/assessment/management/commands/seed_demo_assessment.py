from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "生成镇街考核的演示数据：去年的考核（已计算、已关闭、星级已评定）和今年的考核（已计算，1 件申诉待裁决）（仅演示模式；可重复执行）。"

    def handle(self, *args, **options):
        if not getattr(settings, "DEMO_MODE", False):
            raise CommandError("只能在演示模式（DEMO_MODE=1）下运行")
        from apps.assessment.schemes.demo import seed_demo

        self.stdout.write(seed_demo(stdout=self.stdout))
