"""Job handlers of incidents/drills (imported by apps/incidents/job_handlers.py, which the job registry discovers)."""
