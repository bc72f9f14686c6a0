from django.core.management.base import BaseCommand, CommandError

from apps.sampling.lab.demo import demo_lab_seed


class Command(BaseCommand):
    help = "演示模式：检验机构演示账户 jianyan 关联检验机构，两家复检机构，并为部分演示样品录入检验结果（可重复执行）。"

    def handle(self, *args, **options):
        try:
            result = demo_lab_seed()
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        if result["lab"] is None:
            self.stdout.write("没有检验机构或演示账户 jianyan，跳过演示检验结果。")
            return
        self.stdout.write(
            f"演示检验结果：{result['lab']} 本次出具 {result['reported']} 份报告，其中不合格 {result['unqualified']} 份。"
        )
