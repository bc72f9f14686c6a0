"""复核: recompute a round (by year) from its stored inputs and scheme version and say whether it is identical."""

from django.core.management.base import BaseCommand, CommandError

from apps.assessment.models import AssessmentRound
from apps.assessment.schemes import services
from apps.common.exceptions import DomainError


class Command(BaseCommand):
    help = "复核某年度镇街考核：由冻结的输入与方案版本重算，报告是否一致"

    def add_arguments(self, parser):
        parser.add_argument("year", type=int)

    def handle(self, *args, year, **options):
        rnd = AssessmentRound.objects.filter(year=year).first()
        if rnd is None:
            raise CommandError(f"没有 {year} 年度考核")
        try:
            diffs = services.round_verify(actor=None, round_id=rnd.pk)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        if diffs:
            self.stdout.write(f"{rnd}：复核结果一致：否")
            for d in diffs:
                self.stdout.write(f"  {d}")
            raise CommandError("复核不一致")
        self.stdout.write(f"{rnd}（{rnd.get_status_display()}）：复核结果一致：是")
