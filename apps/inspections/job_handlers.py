"""Background work of the fieldwork (discovered by apps.common.jobs): key-inspection tasks for the whole city."""

import datetime as dt

from apps.common.job_registry import job_handler

KEY_TASKS_JOB = "inspections.key_tasks"


@job_handler(KEY_TASKS_JOB, label="生成重点检查任务")
def key_tasks_job(job, progress):
    from .fieldwork.services.tasks import key_tasks_generate

    payload = job.payload or {}
    on = dt.date.fromisoformat(payload["on"]) if payload.get("on") else None
    progress(5, "正在匹配重点检查规则")
    summary = key_tasks_generate(
        actor=job.created_by, on=on, township_ids=payload.get("township_ids") or None, progress=progress
    )
    progress(100, f"已生成 {summary['created']} 项重点检查任务")
    return summary
