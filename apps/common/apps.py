from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "apps.common"
    label = "common"
    verbose_name = "公共基础"
    # Chinese names of this app's audit events and non-model object types (apps.common.labels)
    audit_actions = {
        "audit.verify": "校验审计链",
        "job.create": "创建后台任务",
        "job.done": "后台任务完成",
        "job.failed": "后台任务失败",
        "job.error": "后台任务出错（将重试）",
        "admin.add": "后台新增",
        "admin.change": "后台修改",
        "admin.delete": "后台删除",
        "db.app_role_grant": "设置数据库应用角色权限",
    }
    audit_object_types = {"postgres.role": "数据库角色"}

    def ready(self):
        from . import checks  # noqa: F401  (system checks: defusedxml active)
