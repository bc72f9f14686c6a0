"""What sampling/lab registers at start-up (called from SamplingConfig.ready): navigation, the visibility of samples
and results to the labs they were sent to, the calendar listener; and its audit actions with their Chinese names."""

AUDIT_ACTIONS: dict[str, str] = {
    "sampling.lab.receive": "检验机构接收样品",
    "sampling.lab.results_submit": "提交检验结果",
    "sampling.lab.recheck_results": "提交复检结果",
    "sampling.lab.results_import": "导入检验结果（Excel）",
    "sampling.lab.risk_alert": "风险监测不合格：风险提示",
    "sampling.lab.member_set": "调整检验机构人员",
    "sampling.disposal.open": "启动核查处置",
    "sampling.disposal.notify": "送达不合格检验结果",
    "sampling.disposal.recheck_request": "受理复检申请并随机确定复检机构",
    "sampling.disposal.proceed": "进入核查处置",
    "sampling.disposal.recheck_conclude": "登记复检结论",
    "sampling.disposal.measures": "登记处置措施",
    "sampling.disposal.close": "核查处置办结",
}

LAB_PERMS = ("sampling.add_resultitem", "sampling.change_sample")


def _acts_for_labs(user) -> bool:
    """Only accounts that can act for a lab get the extra rows (everyone else pays no sub-query)."""
    return any(user.has_perm(p) for p in LAB_PERMS)


def lab_samples_rule(user):
    """Lab staff and lab API clients hold no township: they see the samples sent to their lab, and those whose 复检
    was assigned to it."""
    if not _acts_for_labs(user):
        return None
    from django.db.models import Q

    from ..models import Sample

    return Sample.objects.filter(Q(lab__members=user) | Q(disposal__recheck_lab__members=user)).values("pk")


def lab_results_rule(user):
    if not _acts_for_labs(user):
        return None
    from django.db.models import Q

    from ..models import ResultItem

    return ResultItem.objects.filter(
        Q(sample__lab__members=user) | Q(sample__disposal__recheck_lab__members=user)
    ).values("pk")


def ready() -> None:
    from apps.common.navigation import register_nav
    from apps.common.scoping import register_visibility_rule
    from apps.common.workdays import register_calendar_listener

    from .calendar_hooks import reschedule_open_clocks

    register_visibility_rule("sampling.Sample", lab_samples_rule)
    register_visibility_rule("sampling.ResultItem", lab_results_rule)
    register_calendar_listener(reschedule_open_clocks)
    register_nav(
        "样品检验",
        "sampling:lab_samples",
        perm=("sampling.add_resultitem", "sampling.view_resultitem"),
        icon="eyedropper",
        order=43,
    )
    register_nav("核查处置", "sampling:disposals", perm="sampling.view_disposal", icon="clipboard-check", order=44)
