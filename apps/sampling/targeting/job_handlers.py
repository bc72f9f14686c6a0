"""Job handlers of sampling/targeting (imported by apps/sampling/job_handlers.py, which the job registry discovers)."""
