from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "apps.inspections"
    label = "inspections"
    verbose_name = "双随机抽查与监督检查"

    def ready(self):
        from apps.common.navigation import add_nav_permission, register_nav

        register_nav("双随机抽查", "inspections:plans", perm="inspections.view_drawplan", icon="shuffle", order=30)
        register_nav(
            "我的任务",
            "inspections:my_tasks",
            perm="inspections.add_inspectionresult",
            icon="clipboard-check",
            order=40,
        )
        # staff: tasks, rectification, publication
        register_nav(
            "检查任务", "inspections:tasks", perm="inspections.view_publication", icon="clipboard-data", order=50
        )
        add_nav_permission("jobs:list", "inspections.add_inspectiontask")  # key-inspection tasks run as a job
        from apps.common.workdays import register_calendar_listener

        from .calendar_hooks import reschedule_open_clocks

        register_calendar_listener(reschedule_open_clocks)  # stored deadlines follow an entered holiday schedule

        # completed inspections feed the risk app's frequency / coverage-debt rules (it must not import us)
        from django.apps import apps

        if apps.is_installed("apps.risk"):
            from apps.risk.coverage import register_inspection_source

            from .selectors import completed_inspections

            register_inspection_source(completed_inspections)

        # 一公开 portal sections (published results, draw records): apps.public reads them from the registry
        from .portal import register

        register()
