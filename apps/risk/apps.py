from django.apps import AppConfig


class RiskConfig(AppConfig):
    name = "apps.risk"
    label = "risk"
    verbose_name = "风险分级"
    audit_actions = {
        "risk.assessment.create": "评定风险等级",
        "risk.evaluation.create": "现场动态评定",
        "risk.credit.set": "登记信用风险分类",
        "risk.event.record": "登记风险事件",
        "risk.event.void": "作废风险事件",
        "risk.override.propose": "申请调整风险等级",
        "risk.override.approve": "批准调整风险等级",
        "risk.override.reject": "驳回调整风险等级",
        "risk.regrade": "年度风险等级评定",
        "risk.regrade.chunk": "年度评定（分批）",
        "risk.scheme.load": "加载风险分级方案",
        "risk.scheme.revise": "修订风险分级方案",
        "risk.scheme.update_draft": "修改方案草稿",
        "risk.scheme.activate": "启用风险分级方案",
        "risk.scheme.retire": "停用风险分级方案",
    }

    def ready(self):
        from apps.common.navigation import add_nav_permission, register_nav

        from . import receivers, sections

        register_nav("风险分级", "risk:overview", perm="risk.view_riskassessment", icon="speedometer2", order=20)
        add_nav_permission("jobs:list", "risk.run_regrade")
        receivers.connect()  # finalised inspections, enterprise / licence changes (apps.common.hooks, signals)
        sections.register()  # the risk grade on the enterprise page (apps.common.sections)
        from . import measures

        measures.register()  # frequency compliance and coverage debt (apps.common.measures)
        from apps.common import hooks

        from .selectors import enterprise_attributes

        hooks.provide("risk.enterprise_attributes", "risk", enterprise_attributes)  # draw strata by grade / credit
