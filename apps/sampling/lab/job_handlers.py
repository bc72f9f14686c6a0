"""Job handlers of sampling/lab (imported by apps/sampling/job_handlers.py, which the job registry discovers).

* ``sampling.results_import`` — the commit of a checked Excel upload of lab results (``imports``)."""

from apps.common.job_registry import job_handler

from .imports import JOB_KIND, results_import_job


@job_handler(JOB_KIND, label="导入检验结果")
def results_import_handler(job, progress) -> dict:
    return results_import_job(job, progress)
