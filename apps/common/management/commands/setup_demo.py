"""`make run`'s data step: reference data, one demo account per role, and a demo registry if `seed_demo` exists.

common imports no domain app: the seed command is looked up by name and skipped when no app provides it yet.
Idempotent — run it again and it reloads reference data, resets the demo passwords and lets seed_demo decide.
"""

import io
import os

from django.conf import settings
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError

DEFAULT_DEMO_PASSWORD = "Haining#2026"


class Command(BaseCommand):
    help = (
        "准备演示环境：参考数据、每个角色一个演示账户、演示名录（若有 seed_demo 命令）；最后打印演示账户。可重复执行。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            default=os.environ.get("DEMO_PASSWORD") or DEFAULT_DEMO_PASSWORD,
            help=f"演示账户统一密码（默认取环境变量 DEMO_PASSWORD，否则 {DEFAULT_DEMO_PASSWORD}）",
        )
        parser.add_argument("--enterprises", type=int, default=3000, help="演示名录的企业数（0 表示不生成）")

    def handle(self, *args, **options):
        if not getattr(settings, "DEMO_MODE", False):
            raise CommandError("setup_demo 只能在演示模式（DEMO_MODE=1）下运行")
        call_command("load_reference", stdout=self.stdout)

        accounts = io.StringIO()
        call_command("demo_accounts", password=options["password"], stdout=accounts)

        n = options["enterprises"]
        if n <= 0:
            self.stdout.write("未生成演示名录（--enterprises 0）。")
        elif "seed_demo" in get_commands():
            self.stdout.write(f"生成演示数据（{n} 家企业）……")
            call_command("seed_demo", "--enterprises", str(n), stdout=self.stdout)
        else:
            self.stdout.write("seed_demo 命令尚不可用，跳过演示名录。")
        if "seed_demo_inspectors" in get_commands():
            call_command("seed_demo_inspectors", stdout=self.stdout)
        if n > 0 and "regrade" in get_commands():
            self.stdout.write("按生效方案评定本年度风险等级……")
            call_command("regrade", stdout=self.stdout)
        if "seed_demo_sampling_plans" in get_commands():  # this year's sampling plans from the quota split
            call_command("seed_demo_sampling_plans", stdout=self.stdout)
        if n > 0 and "seed_demo_sampling" in get_commands():  # organisations, ~200 抽样单 on the plan's lines
            call_command("seed_demo_sampling", stdout=self.stdout)
        if n > 0 and "seed_demo_publications" in get_commands():  # a published round for the 一公开 portal
            call_command("seed_demo_publications", stdout=self.stdout)
        if n > 0 and "seed_demo_lab" in get_commands():  # lab results and disposals on the demo samples
            call_command("seed_demo_lab", stdout=self.stdout)
        if n > 0 and "seed_demo_sampling_publicity" in get_commands():  # 你点我检 topics, published sampling results
            call_command("seed_demo_sampling_publicity", stdout=self.stdout)
        if "seed_demo_complaints" in get_commands():  # complaints at each stage, one reward paid
            call_command("seed_demo_complaints", stdout=self.stdout)
        if "seed_demo_drills" in get_commands():  # the city plan (2 versions), drills this year and last year
            call_command("seed_demo_drills", stdout=self.stdout)
        if "seed_demo_incidents" in get_commands():  # incidents at each stage, one first report overdue
            call_command("seed_demo_incidents", stdout=self.stdout)
        if "seed_demo_opinion" in get_commands():  # 舆情 events at each stage, one past its response deadline
            call_command("seed_demo_opinion", stdout=self.stdout)
        if "seed_demo_assessment" in get_commands():  # last year's round closed with stars, this year's open
            call_command("seed_demo_assessment", stdout=self.stdout)
        if n > 0 and "seed_demo_reports" in get_commands():  # last month's report, as the beat of the 1st makes it
            call_command("seed_demo_reports", stdout=self.stdout)

        # Last, so the accounts stay on screen above the server's banner.
        self.stdout.write(accounts.getvalue())
        self.stdout.write(self.style.SUCCESS("演示环境已就绪。"))
