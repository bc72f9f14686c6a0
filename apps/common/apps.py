from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "apps.common"
    label = "common"
    verbose_name = "公共基础"

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
