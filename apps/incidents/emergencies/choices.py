"""Choices of incidents/emergencies that no model field uses: the first-report clock states of the list filter.

The status pipeline (``IncidentStatus``, ``INCIDENT_TRANSITIONS``: 接报 → 处置中 → 已终报 → 已结案) and the report
kinds (``ReportKind``) are declared as data in ``apps/incidents/models/emergencies.py``, beside ``IncidentLevel``:
``apps.incidents.complaints`` imports the models package, so the model module may not import this subpackage
(import-linter contract ``incidents-subpackages``)."""

from django.db import models


class FirstReportState(models.TextChoices):
    """The first-report clock of one incident (the list filter ``first_report`` takes these values, plus ``counted``:
    every incident the timeliness figure counts, i.e. reported or past its deadline)."""

    ON_TIME = "on_time", "按时初报"
    LATE = "late", "超时初报或超时未报"
    OVERDUE = "overdue", "已超时未初报"
    PENDING = "pending", "待初报（含已超时）"
    COUNTED = "counted", "已计入时效（已初报或已超时）"
