"""Job handlers of sampling/fieldwork (imported by apps/sampling/job_handlers.py, which the job registry discovers)."""
