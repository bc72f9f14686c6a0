"""Job handlers of incidents/complaints (imported by apps/incidents/job_handlers.py, which the job registry discovers)."""
