from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "生成食品安全事件的演示数据：各级别、各阶段若干起，其中一起超时未初报（仅演示模式；可重复执行）。"

    def handle(self, *args, **options):
        if not getattr(settings, "DEMO_MODE", False):
            raise CommandError("只能在演示模式（DEMO_MODE=1）下运行")
        from apps.incidents.emergencies.demo import seed_demo

        self.stdout.write(seed_demo())
