"""Sampling's Celery tasks live in each subpackage; importing them here lets Celery's autodiscovery register them."""

from .plans import tasks as _plans  # noqa: F401
from .publicity import tasks as _publicity  # noqa: F401
