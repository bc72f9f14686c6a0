"""Background work of the risk app, registered with the jobs outbox (apps.common.jobs)."""

from apps.common.job_registry import job_handler


@job_handler("risk.regrade", label="年度风险等级评定")
def regrade_job(job, progress):
    from .services import regrade_year

    year = int(job.payload["year"])
    return regrade_year(year=year, actor=job.created_by, progress=progress)


@job_handler("risk.coverage_refresh", label="刷新检查覆盖欠账")
def coverage_refresh_job(job, progress):
    """Every enterprise's coverage state (nightly, and after the year changes): catches bulk writes that sent no
    signal and moves every state to the new year on 1 January."""
    from .coverage import coverage_refresh

    def report(done, total):
        progress(int(done * 100 / total) if total else 100, f"已计算 {done}/{total} 家")

    ids = job.payload.get("enterprise_ids")  # after a bulk import: only its rows; otherwise every enterprise
    return {"enterprises": coverage_refresh(ids or None, progress=report)}
