from django.core.management.base import BaseCommand

from apps.accounts.services import reference_data_load, roles_sync


class Command(BaseCommand):
    help = "加载海宁市参考数据：12 个镇街及其常住人口（估算值），角色组及其权限。可重复执行。"

    def handle(self, *args, **options):
        result = reference_data_load()
        roles = roles_sync()
        self.stdout.write(
            f"镇街 {result['townships']} 个（新增 {result['townships_created']}），"
            f"人口记录新增 {result['populations_created']} 条；角色组 {len(roles)} 个。"
        )
