"""Job handlers of sampling/publicity (imported by apps/sampling/job_handlers.py, which the job registry discovers)."""
