"""manage.py sampling_lab_member --lab 某检验机构 (--client 某LIMS | --user 用户名) [--remove]

Links an API client's service account (or a staff account) to a testing lab, so that it may submit that lab's
results (POST /api/v1/sampling/samples/{sample}/results/, scope sampling:results:write)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from apps.common.exceptions import DomainError
from apps.sampling.lab.services.members import lab_member_set
from apps.sampling.models import Organisation


class Command(BaseCommand):
    help = "把接口客户端（或账户）关联到检验机构：只有该机构的人员和客户端可以提交送该机构检验的样品结果。"

    def add_arguments(self, parser):
        parser.add_argument("--lab", required=True, help="检验机构名称（机构名录中的全称）")
        who = parser.add_mutually_exclusive_group(required=True)
        who.add_argument("--client", help="接口客户端名称（api_client_create --name 的值）")
        who.add_argument("--user", help="账户用户名")
        parser.add_argument("--remove", action="store_true", help="取消关联")

    def handle(self, *args, **options):
        lab = Organisation.objects.filter(name=options["lab"]).first()
        if lab is None:
            raise CommandError(f"未找到检验机构：{options['lab']}")
        users = get_user_model().objects
        if options["client"]:
            user = users.filter(api_client__name=options["client"]).first()
            if user is None:
                raise CommandError(f"未找到接口客户端：{options['client']}")
        else:
            user = users.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"未找到账户：{options['user']}")
        try:
            lab_member_set(actor=None, lab_id=lab.pk, user_id=user.pk, member=not options["remove"])
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        verb = "已取消关联" if options["remove"] else "已关联"
        self.stdout.write(f"{verb}：{options['client'] or options['user']} → {lab.name}")
