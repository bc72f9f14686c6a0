"""Job handlers of assessment/schemes (imported by apps/assessment/job_handlers.py, which the job registry discovers).

``assessment.round_compute`` — compute every township's score of ``payload["round"]``, as the job's creator (their
scope: city staff see every township), reporting progress per indicator. Idempotent: a second run replaces the
scores with the same ones (nothing else is written)."""

from apps.common.job_registry import job_handler
from apps.common.jobs import job_creator

COMPUTE_KIND = "assessment.round_compute"


@job_handler(COMPUTE_KIND, label="计算镇街考核得分")
def round_compute_job(job, progress) -> dict:
    from django.urls import reverse

    from . import services

    actor = job_creator(job, "计算任务的发起人不存在或已停用")
    round_id = int(job.payload["round"])
    progress(5, "正在读取考核方案与各镇街数据")
    out = services.round_compute(actor=actor, round_id=round_id, progress=progress)
    return {
        "summary": f"已计算 {out['townships']} 个镇街、{out['indicators']} 项指标的得分",
        "next_url": reverse("assessment:round_detail", args=[round_id]),
        "next_label": "查看排名",
        **out,
    }
