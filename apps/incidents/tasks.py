"""Incidents' Celery tasks live in each subpackage; importing them here lets Celery's autodiscovery register them."""

from .complaints import tasks as _complaints  # noqa: F401
