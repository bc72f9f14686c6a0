"""Job handlers of the dashboard (discovered by the job registry).

``dashboard.report`` — the monthly or annual report of ``payload`` (``kind``, ``year``, ``month``): the city's and
each township's Excel and PDF (``reports.report_job_run``). On demand it acts as its creator; from beat (no creator)
as the system, city-wide. Idempotent (a redelivered job whose files exist returns its first result).
"""

from apps.common.job_registry import job_handler

from .reports import REPORT_KIND


@job_handler(REPORT_KIND, label="月报与年报")
def report_job(job, progress) -> dict:
    from .reports import report_job_run

    return report_job_run(job, progress)
