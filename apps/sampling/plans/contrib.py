"""What sampling/plans registers at start-up (called from SamplingConfig.ready): navigation, hooks, portal sections,
visibility rules; and its audit actions with their Chinese names."""

AUDIT_ACTIONS: dict[str, str] = {
    "sampling.planline_create": "新增抽检计划明细",
    "sampling.planline_update": "调整抽检计划明细",
}


def ready() -> None:
    pass
