"""Sampling's Celery tasks live in each subpackage; importing them here lets Celery's autodiscovery find them."""

from .publicity import tasks as _publicity  # noqa: F401
