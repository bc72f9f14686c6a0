"""What sampling/fieldwork registers at start-up (called from SamplingConfig.ready): navigation, the visibility rule
that lets samplers open the enterprises of their tasks, and its audit actions with their Chinese names."""

AUDIT_ACTIONS: dict[str, str] = {
    "sampling.organisation_create": "新增抽样/检验机构",
    "sampling.organisation_update": "修改抽样/检验机构",
    "sampling.task_create": "下达抽样任务",
    "sampling.task_bulk_create": "批量下达抽样任务",
    "sampling.task_cancel": "取消抽样任务",
    "sampling.sample_create": "填写抽样单",
    "sampling.sample_export": "导出抽样单",
    "sampling.attachment_add": "上传抽样单附件",
    "sampling.attachment_delete": "删除抽样单附件",
    "sampling.demo_seed": "生成抽检演示数据（抽样）",
}


def enterprises_of_member_tasks(user):
    """抽样人员 open the enterprises their organisation has tasks at (also outside any township of theirs): a
    ``values("pk")`` sub-query, or None for a user who acts for no organisation (apps.common.scoping)."""
    from ..models import SamplingTask
    from ..models.samples import member_organisation_ids

    org_ids = member_organisation_ids(user)
    if not org_ids:
        return None
    return SamplingTask.objects.filter(sampling_org_id__in=org_ids).values("enterprise_id")


def ready() -> None:
    from apps.common.navigation import add_nav_permission, register_nav
    from apps.common.scoping import register_visibility_rule

    register_nav("抽样任务", "sampling:task_list", perm="sampling.view_samplingtask", icon="clipboard-check", order=41)
    register_nav("样品与抽样单", "sampling:sample_list", perm="sampling.view_sample", icon="box-seam", order=42)
    register_nav(
        "抽样/检验机构", "sampling:organisation_list", perm="sampling.change_organisation", icon="buildings", order=48
    )
    add_nav_permission("jobs:list", "sampling.export_sample")
    register_visibility_rule("enterprises.Enterprise", enterprises_of_member_tasks)
