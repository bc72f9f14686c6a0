"""What sampling/targeting registers at start-up (called from SamplingConfig.ready): navigation, hooks, portal sections,
visibility rules; and its audit actions with their Chinese names."""

AUDIT_ACTIONS: dict[str, str] = {
    "sampling.suggestions_accept": "采纳靶向抽检建议",
    "sampling.suggestion_weights_create": "新增靶向抽检权重",
    "sampling.consultation_create": "记录风险会商",
    "sampling.targeting_demo_seed": "生成靶向抽检演示数据",
}


def ready() -> None:
    from apps.common.navigation import register_nav

    register_nav("靶向抽检建议", "sampling:suggestions", perm="sampling.view_planline", icon="bullseye", order=42)
    register_nav("风险会商", "sampling:meetings", perm="sampling.view_consultationmeeting", icon="people", order=44)
