"""manage.py seed_demo_publications: one finished, published 双随机 round for the 一公开 portal (demo mode only)."""

from django.core.management.base import BaseCommand, CommandError

from apps.inspections.demo_published import demo_published_seed


class Command(BaseCommand):
    help = "演示：生成一轮已抽取、已定稿并已过异议期公示的双随机抽查（可重复执行）"

    def handle(self, *args, **options):
        try:
            out = demo_published_seed()
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        if out.get("skipped"):
            self.stdout.write(f"未生成演示公示数据：{out['skipped']}")
        elif out["created"]:
            self.stdout.write(
                f"演示公示数据：抽取 {out['draw']}，{out['tasks']} 项检查已定稿，{out['published']} 条结果已公示。"
            )
        else:
            self.stdout.write(f"演示公示数据已存在（{out['published']} 条结果已公示）。")
