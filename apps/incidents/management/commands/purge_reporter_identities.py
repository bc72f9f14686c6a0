"""PII-05: preview (default) or run the deletion of complaint reporters' identities past their retention."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "预览（默认）或执行：删除办结或不予受理已超过保存期限的投诉举报的举报人身份（投诉举报保留）。"
        "只输出件数和日期，不输出任何身份信息。每日定时任务 incidents.reporter_identity_purge 做同样的事。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--apply", action="store_true", help="执行删除（不带此参数只预览）")
        parser.add_argument("--today", help="按此日期计算（YYYY-MM-DD，默认今天）")

    def handle(self, *args, **options):
        from apps.incidents.complaints.selectors import identity_purge_plan
        from apps.incidents.complaints.services import reporter_identities_purge

        today = None
        if options["today"]:
            try:
                today = dt.date.fromisoformat(options["today"])
            except ValueError:
                raise CommandError("--today 须为 YYYY-MM-DD 格式的日期") from None
        plan = identity_purge_plan(today=today)
        self.stdout.write(
            f"保存期限 {plan.retention_days} 天：办结或不予受理早于 {plan.ended_before:%Y-%m-%d} 的，"
            f"共 {plan.count} 件的举报人身份到期"
            + (f"（办结日期 {plan.oldest_end:%Y-%m-%d} 至 {plan.newest_end:%Y-%m-%d}）" if plan.count else "")
        )
        if not options["apply"]:
            self.stdout.write("预览，未删除任何数据；加 --apply 执行。")
            return
        result = reporter_identities_purge(actor=None, today=plan.today)
        self.stdout.write(f"已删除 {result['purged']} 件投诉举报的举报人身份。")
