"""manage.py api_client_create --name 省局平台 --scope enterprises:read --township xiashi | --city-wide [--expires-days 365]"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from apps.accounts.models import ApiClient
from apps.accounts.scopes import SCOPES
from apps.accounts.services import api_client_create


def _expiry(options):
    if options["expires_days"] is not None:
        if options["expires_days"] < 1:
            raise CommandError("--expires-days 必须是正整数")
        return timezone.now() + dt.timedelta(days=options["expires_days"])
    raw = options["expires_at"]
    if not raw:
        return None
    value = parse_datetime(raw)
    if value is None:
        day = parse_date(raw)
        if day is None:
            raise CommandError("--expires-at 应为 ISO-8601 日期或时间，如 2027-06-30 或 2027-06-30T18:00:00+08:00")
        value = dt.datetime.combine(day, dt.time.max)
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value <= timezone.now():
        raise CommandError("到期时间必须晚于当前时间")
    return value


class Command(BaseCommand):
    help = "签发接口客户端令牌（只显示一次，数据库只保存其 SHA-256 哈希）。"

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="客户端名称（唯一），如“浙江省市场监管局平台”")
        parser.add_argument(
            "--scope",
            action="append",
            required=True,
            dest="scopes",
            help="权限范围，可重复或用逗号分隔：" + "、".join(SCOPES),
        )
        where = parser.add_mutually_exclusive_group(required=True)
        where.add_argument("--township", action="append", dest="townships", help="镇街代码（可重复），如 xiashi")
        where.add_argument("--city-wide", action="store_true", help="可访问全市各镇街的数据")
        expiry = parser.add_mutually_exclusive_group()
        expiry.add_argument("--expires-days", type=int, help="有效天数")
        expiry.add_argument("--expires-at", help="到期时间（ISO-8601）")

    def handle(self, *args, **options):
        scopes = sorted({s.strip() for item in options["scopes"] for s in item.split(",") if s.strip()})
        if ApiClient.objects.filter(name=options["name"]).exists():
            raise CommandError(f"已存在同名客户端：{options['name']}")
        expires_at = _expiry(options)
        townships = sorted({t.strip() for item in options["townships"] or () for t in item.split(",") if t.strip()})
        try:
            client, token = api_client_create(
                name=options["name"],
                scopes=scopes,
                township_codes=townships,
                city_wide=options["city_wide"],
                expires_at=expires_at,
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"已创建接口客户端“{client.name}”（编号 {client.pk}）")
        self.stdout.write(f"  权限范围：{', '.join(client.scopes)}")
        self.stdout.write(f"  数据范围：{'全市' if options['city_wide'] else ', '.join(townships)}")
        self.stdout.write(
            f"  到期时间：{timezone.localtime(expires_at):%Y-%m-%d %H:%M}" if expires_at else "  到期时间：不过期"
        )
        self.stdout.write("")
        self.stdout.write("令牌（仅显示这一次，请立即通过安全渠道交给对方；遗失只能吊销后重新签发）：")
        self.stdout.write(token)
