from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "apps.inspections"
    label = "inspections"
    verbose_name = "双随机抽查与监督检查"
    audit_actions = {
        "inspections.plan_create": "新建抽查计划",
        "inspections.plan_update": "修改抽查计划",
        "inspections.plan_commit": "承诺公示（冻结对象库）",
        "inspections.plan_cancel": "取消抽查计划",
        "inspections.public_value_enter": "录入公开随机数（hrs-v2）",
        "inspections.draw_execute": "执行抽取",
        "inspections.redraw_request": "申请重新抽取",
        "inspections.redraw_approve": "批准重新抽取",
        "inspections.redraw_reject": "驳回重新抽取",
        "inspections.task_assign": "指派检查人员",
        "inspections.flying_task_create": "新建飞行检查任务",
        "inspections.key_tasks_generate": "生成重点检查任务",
        "inspections.result_start": "开始现场检查",
        "inspections.result_save": "保存检查记录草稿",
        "inspections.result_finalise": "检查记录定稿",
        "inspections.result_correct": "更正检查记录",
        "inspections.photo_add": "上传现场照片",
        "inspections.photo_delete": "删除现场照片",
        "inspections.rectification_issue": "下达整改",
        "inspections.rectification_submit": "登记整改情况",
        "inspections.rectification_verify": "整改复查",
        "inspections.publication_publish": "公开检查结果",
        "inspections.publication_withdraw": "撤回公开",
        "inspections.objection_record": "登记异议",
        "inspections.objection_decide": "处理异议",
        "inspections.evidence_verify": "检查记录封存校验",
        "inspector.demo_seed": "生成演示检查人员",
    }

    def ready(self):
        from apps.common import hooks
        from apps.common.navigation import add_nav_permission, register_nav
        from apps.common.workdays import register_calendar_listener

        from . import contrib, portal, visibility
        from .calendar_hooks import reschedule_open_clocks
        from .fieldwork.selectors import completed_inspections

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
        register_calendar_listener(reschedule_open_clocks)  # stored deadlines follow an entered holiday schedule
        visibility.register()  # inspectors see the enterprises of their assigned tasks (apps.common.scoping)
        contrib.register()  # the enterprise page's inspection records, "inspection-result:<id>" labels and links
        from .fieldwork import measures

        measures.register()  # 检查结果按时公示率 (apps.common.measures)
        # completed inspections feed the risk app's frequency / coverage-debt rules (neither app imports the other)
        hooks.provide("inspections.completed", "inspections", completed_inspections)
        # a flying inspection asked for by another app (incidents' 舆情 events), without importing this one
        from .fieldwork.services.tasks import flying_create_provider

        hooks.provide("inspections.flying_create", "inspections", flying_create_provider)
        portal.register()  # 一公开 portal sections (published results, draw records): apps.public reads the registry
