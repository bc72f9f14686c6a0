from django.core.management.base import BaseCommand, CommandError

from apps.inspections.demo import demo_inspectors_seed


class Command(BaseCommand):
    help = "演示模式：每个镇街 3 名持证检查人员，并把演示账户 jiancha 关联为检查人员（可重复执行）。"

    def handle(self, *args, **options):
        try:
            result = demo_inspectors_seed()
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"演示检查人员：共 {result['inspectors']} 名（本次新增 {result['created']} 名）。")
