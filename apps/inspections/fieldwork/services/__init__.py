"""Writes of the inspection fieldwork (issue 5 points 5–9): tasks by rule (重点检查) or by hand (飞行检查), the result
on a phone (draft → save → finalise, photos, signatures, corrections), rectification orders with follow-up tasks,
publication (一公开) with the objection window, and the beat task that publishes what is due.

Every function is one transaction with one audit event (several for a batch). Rules of who may write a result
(SECURITY.md ACL-05): the task must be visible to the actor (else 404), the actor needs
``inspections.add_inspectionresult`` (else 403), and a person must be one of the task's assigned inspectors (else
403); an API client's service account with ``inspections:write`` writes for the tasks in its scope. A final result
is never changed: a second finalisation or an edit answers 409 (CONC-03); a correction is a new linked record.
"""
