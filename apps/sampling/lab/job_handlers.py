"""Job handlers of sampling/lab (imported by apps/sampling/job_handlers.py, which the job registry discovers)."""
