"""API client scopes and the model permissions each one grants to the client's service account.

A scope opens endpoints (views declare ``required_scopes``); the permissions make the model-permission check pass.
Apps add their scopes here when they add endpoints.
"""

SCOPES: dict[str, tuple[str, tuple[str, ...]]] = {
    # scope: (Chinese label, permissions)
    "jobs:read": ("读取后台任务", ("common.view_job",)),
    "jobs:write": ("启动允许通过接口启动的后台任务（如系统自检）", ("common.view_job",)),
    "reference:read": (
        "读取参考数据（镇街、常住人口）",
        ("accounts.view_township", "accounts.view_townshippopulation"),
    ),
    "standards:read": (
        "读取标准与检验项目",
        (
            "standards.view_standard",
            "standards.view_testitem",
            "standards.view_testlimit",
            "standards.view_samplingcategory",
        ),
    ),
    "enterprises:read": ("读取检查对象名录", ("enterprises.view_enterprise",)),
    "enterprises:write": (
        "写入检查对象名录",
        ("enterprises.view_enterprise", "enterprises.add_enterprise", "enterprises.change_enterprise"),
    ),
    "risk:read": (
        "读取风险分级",
        ("risk.view_riskassessment", "risk.view_riskscheme", "risk.view_creditclass", "risk.view_riskevent"),
    ),
    "inspections:read": (
        "读取检查任务与结果",
        (
            "inspections.view_inspectiontask",
            "inspections.view_inspectionresult",
            "inspections.view_drawplan",
            "inspections.view_draw",
            "inspections.view_publication",
        ),
    ),
    "inspections:write": (
        "提交检查结果",
        ("inspections.view_inspectiontask", "inspections.add_inspectionresult", "inspections.change_inspectionresult"),
    ),
    "sampling:read": (
        "读取抽检计划、任务、样品与检验结果",
        (
            "sampling.view_samplingplan",
            "sampling.view_planline",
            "sampling.view_samplingtask",
            "sampling.view_sample",
            "sampling.view_resultitem",
        ),
    ),
    "sampling:results:write": (
        "检验机构提交检验结果（幂等）",
        ("sampling.view_sample", "sampling.add_resultitem"),
    ),
    "complaints:read": ("读取投诉举报（不含举报人身份）", ("incidents.view_complaint",)),
    "incidents:read": (
        "读取食品安全事件、舆情与应急演练",
        (
            "incidents.view_incident",
            "incidents.view_opinionevent",
            "incidents.view_emergencyplan",
            "incidents.view_drill",
        ),
    ),
    "assessment:campaigns:read": (
        "读取八大攻坚行动的目标与进展",
        ("assessment.view_campaign", "assessment.view_campaigntarget", "assessment.view_campaignprogress"),
    ),
    "assessment:read": (
        "读取镇街考核轮次、得分与明细",
        ("assessment.view_assessmentround", "assessment.view_townshipscore", "assessment.view_scoreitem"),
    ),
}
