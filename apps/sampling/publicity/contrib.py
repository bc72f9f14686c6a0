"""What sampling/publicity registers at start-up (called from SamplingConfig.ready): navigation, hooks, portal sections,
visibility rules; and its audit actions with their Chinese names."""

AUDIT_ACTIONS: dict[str, str] = {
    "sampling.votetopic_create": "新建你点我检题目",
    "sampling.votetopic_update": "修改你点我检题目",
    "sampling.votetopic_close": "结束你点我检投票",
    "sampling.votetopic_adopt": "你点我检题目列入抽检计划",
    "sampling.quick_test_record": "录入快检结果",
    "sampling.quick_test_objection": "录入快检异议",
    "sampling.quick_test_objection_decide": "处理快检异议",
    "sampling.publish_due_set": "计算抽检结果公开期限",
    "sampling.sample_publish": "公开抽检结果",
    "sampling.published_export": "导出抽检公开结果（信用档案）",
}


def ready() -> None:
    from apps.common import hooks
    from apps.common.navigation import add_nav_permission, register_nav
    from apps.common.workdays import register_calendar_listener

    from . import portal
    from .calendar_hooks import reschedule_publish_due
    from .services.publications import on_sample_concluded

    register_nav("你点我检", "sampling:topics", perm="sampling.view_votetopic", icon="hand-thumbs-up", order=62)
    # township staff and leaders follow their township's publications (view_disposal); city staff publish
    publications_perm = ("sampling.publish_sample", "sampling.view_disposal")
    register_nav("抽检结果公开", "sampling:publications", perm=publications_perm, icon="megaphone", order=64)
    quick_perm = ("sampling.add_sample", "sampling.publish_sample")  # samplers record, city staff follow
    register_nav("快检", "sampling:quick_tests", perm=quick_perm, icon="lightning-charge", order=66)
    add_nav_permission("jobs:list", "sampling.export_sample")  # large credit-file exports run as a job
    hooks.subscribe("sampling.sample_concluded", "sampling.publicity", on_sample_concluded)
    register_calendar_listener(reschedule_publish_due)
    portal.register()
