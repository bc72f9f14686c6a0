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


def resolve_samples(ids, actor) -> dict[int, dict]:
    """``sampling-sample:<id>`` → {"label": "抽样单 <number> <name>（<date>）", "url": the sample page} for the samples
    ``actor`` may see (apps.common.refs; incidents link samples this way)."""
    from django.urls import reverse

    from ..models import Sample

    rows = Sample.objects.visible_to(actor).filter(pk__in=ids).only("pk", "number", "name", "sampled_on")
    return {
        s.pk: {
            "label": f"抽样单 {s.number} {s.name}" + (f"（{s.sampled_on:%Y-%m-%d}）" if s.sampled_on else ""),
            "url": reverse("sampling:sample_detail", args=[s.pk]),
        }
        for s in rows
    }


def samples_by_number(numbers, *, actor) -> dict[str, int]:
    """The ``sampling.samples_by_number`` provider: {抽样单编号: id} of the samples ``actor`` may see."""
    from ..models import Sample

    wanted = [str(n).strip().upper() for n in numbers if str(n).strip()][:100]
    return dict(Sample.objects.visible_to(actor).filter(number__in=wanted).values_list("number", "pk"))


def ready() -> None:
    from apps.common import hooks, refs
    from apps.common.navigation import add_nav_permission, register_nav
    from apps.common.scoping import register_visibility_rule

    register_nav("抽样任务", "sampling:task_list", perm="sampling.view_samplingtask", icon="clipboard-check", order=41)
    register_nav("样品与抽样单", "sampling:sample_list", perm="sampling.view_sample", icon="box-seam", order=42)
    register_nav(
        "抽样/检验机构", "sampling:organisation_list", perm="sampling.change_organisation", icon="buildings", order=48
    )
    add_nav_permission("jobs:list", "sampling.export_sample")
    register_visibility_rule("enterprises.Enterprise", enterprises_of_member_tasks)
    refs.register("sampling-sample", resolve_samples, label="抽样单")
    hooks.provide("sampling.samples_by_number", "sampling.fieldwork", samples_by_number)
