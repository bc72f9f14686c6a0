"""`make run`'s last data step: last month's report (city + each township, Excel and PDF), as the beat of the 1st
would have made it, so that 月报与年报 is not empty in the demo. Idempotent: the beat's dedupe key makes one job a
month (a second run finds it and writes nothing)."""

from django.core.management.base import BaseCommand
from django.db import transaction

from apps.dashboard.reports import monthly_report_create


class Command(BaseCommand):
    help = "演示数据：生成上月月报（全市及各镇街，Excel 与 PDF），与每月 1 日定时任务相同。可重复执行。"

    def handle(self, *args, **options):
        with transaction.atomic():
            job = monthly_report_create()
        job.refresh_from_db()
        summary = (job.result or {}).get("summary") or job.get_status_display()
        self.stdout.write(f"演示月报：{summary}")
