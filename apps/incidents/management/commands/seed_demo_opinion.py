from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "生成舆情的演示数据：各处置阶段一件，其中一件已超过回应期限（仅演示模式；可重复执行）。"

    def handle(self, *args, **options):
        if not getattr(settings, "DEMO_MODE", False):
            raise CommandError("只能在演示模式（DEMO_MODE=1）下运行")
        from apps.incidents.opinion.demo import seed_demo

        self.stdout.write(seed_demo(stdout=self.stdout))
