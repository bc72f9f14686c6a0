from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "生成应急预案与演练的演示数据：市级预案（2 个版本）和今年、去年若干镇街的演练（仅演示模式；可重复执行）。"

    def handle(self, *args, **options):
        if not getattr(settings, "DEMO_MODE", False):
            raise CommandError("只能在演示模式（DEMO_MODE=1）下运行")
        from apps.incidents.drills.demo import seed_demo

        self.stdout.write(seed_demo(stdout=self.stdout))
