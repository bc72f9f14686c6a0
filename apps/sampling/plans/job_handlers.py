"""Job handlers of sampling/plans (imported by apps/sampling/job_handlers.py, which the job registry discovers)."""
