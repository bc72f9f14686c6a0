"""Background work of the risk app, registered with the jobs outbox (apps.common.jobs)."""

from apps.common.jobs import job_handler


@job_handler("risk.regrade", label="年度风险等级评定")
def regrade_job(job, progress):
    from .services import regrade_year

    year = int(job.payload["year"])
    return regrade_year(year=year, actor=job.created_by, progress=progress)
