from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "apps.common"
    label = "common"
    verbose_name = "公共基础"
    # Chinese names of this app's audit events and non-model object types (apps.common.labels)
    audit_actions = {
        "audit.verify": "校验审计链",
        "drill.synthetic": "篡改演练用的临时记录（演练后回滚）",
        "job.create": "创建后台任务",
        "job.done": "后台任务完成",
        "job.failed": "后台任务失败",
        "job.error": "后台任务出错（将重试）",
        "admin.add": "后台新增",
        "admin.change": "后台修改",
        "admin.delete": "后台删除",
        "db.app_role_grant": "设置数据库应用角色权限",
        "calendar.year_set": "录入节假日安排",
    }
    audit_object_types = {"postgres.role": "数据库角色"}

    def ready(self):
        from . import checks  # noqa: F401  (system checks: defusedxml active)
        from .text import install as install_clean_text

        install_clean_text()

        from django.apps import apps

        if apps.is_installed("axes"):  # django-axes has no Chinese name of its own (its labels: locale/zh_Hans)
            apps.get_app_config("axes").verbose_name = "登录防护"

        from .navigation import STAFF, register_nav

        # 后台任务: for the roles that start jobs (apps add their job-starting permissions) and the job admins.
        register_nav("后台任务", "jobs:list", perm=("common.view_all_jobs",), icon="hourglass-split", order=80)
        register_nav("审计日志", "audit:list", perm="common.view_auditevent", icon="journal-text", order=85)
        register_nav(
            "工作日历", "calendar:index", perm="common.change_calendaroverride", icon="calendar-week", order=90
        )
        register_nav("系统管理", "admin:index", perm=STAFF, icon="gear", order=99)
