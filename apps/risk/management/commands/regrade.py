from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from apps.common.exceptions import DomainError
from apps.risk.services import regrade_year


class Command(BaseCommand):
    help = "按生效的风险分级方案评定某年度所有营业中检查对象的风险等级（可重复执行，已评定的不重复）。"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, default=None, help="评定年度（默认今年）")

    def handle(self, *args, **options):
        year = options["year"] or timezone.localdate().year
        try:
            result = regrade_year(year=year)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        grades = " · ".join(f"{g} 级 {result.get(f'grade_{g}', 0)}" for g in "ABCD")
        self.stdout.write(
            f"{year} 年度风险等级评定完成：本次新评定 {result.get('created', 0)} 家（{grades}），"
            f"已有年度等级、未重复评定 {result.get('unchanged', 0)} 家。"
        )
