"""manage.py api_client_revoke --name 省局平台 (or --id 3, or --prefix hn_Ab12Cd34)"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from apps.accounts.models import ApiClient
from apps.accounts.services import api_client_revoke


class Command(BaseCommand):
    help = "吊销接口客户端令牌（立即生效：之后的请求得到 401）。"

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--name", help="客户端名称")
        which.add_argument("--id", type=int, help="客户端编号")
        which.add_argument("--prefix", help="令牌前缀（令牌的前 12 个字符）")

    def handle(self, *args, **options):
        lookup = {
            "name": options["name"],
            "pk": options["id"],
            "token_prefix": options["prefix"],
        }
        lookup = {k: v for k, v in lookup.items() if v is not None}
        client = ApiClient.objects.filter(**lookup).first()
        if client is None:
            raise CommandError("未找到该接口客户端")
        already = client.revoked_at is not None
        client = api_client_revoke(client_id=client.pk)
        if already:
            self.stdout.write(
                f"接口客户端“{client.name}”已于 {timezone.localtime(client.revoked_at):%Y-%m-%d %H:%M} 吊销，无需重复操作"
            )
        else:
            self.stdout.write(f"已吊销接口客户端“{client.name}”（令牌前缀 {client.token_prefix}）")
