"""Job handlers of incidents/opinion (imported by apps/incidents/job_handlers.py, which the job registry discovers)."""
