"""Job handlers of incidents/emergencies (imported by apps/incidents/job_handlers.py, which the job registry discovers)."""
