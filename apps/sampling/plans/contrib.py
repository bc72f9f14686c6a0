"""What sampling/plans registers at start-up (called from SamplingConfig.ready): navigation, hooks, portal sections,
visibility rules; and its audit actions with their Chinese names."""

AUDIT_ACTIONS: dict[str, str] = {
    "sampling.config_defaults_load": "加载抽检默认配置",
    "sampling.quota_rate_create": "设定抽检配额标准",
    "sampling.quota_rate_update": "修改抽检配额标准",
    "sampling.plan_create": "新建抽检计划",
    "sampling.plan_generate": "按配额生成抽检计划明细",
    "sampling.plan_approve": "下达抽检计划",
    "sampling.plan_close": "结束抽检计划",
    "sampling.line_create": "新增抽检计划明细",
    "sampling.line_update": "修改抽检计划明细",
    "sampling.line_delete": "删除抽检计划明细",
}


def ready() -> None:
    from apps.common.navigation import add_nav_permission, register_nav

    register_nav("抽检计划", "sampling:plan_list", perm="sampling.view_samplingplan", icon="clipboard-check", order=40)
    register_nav("抽检配额", "sampling:quota", perm="sampling.view_samplingplan", icon="bar-chart-line", order=41)
    add_nav_permission("jobs:list", "sampling.run_quota_report")  # city staff follow their quota reports
    from . import measures

    measures.register()  # batches per 1,000 and quota fulfilment (apps.common.measures)
