"""Incidents' job handlers live in each subpackage; importing them here lets the job registry discover them."""

from .complaints import job_handlers as _complaints  # noqa: F401
from .drills import job_handlers as _drills  # noqa: F401
from .emergencies import job_handlers as _emergencies  # noqa: F401
from .opinion import job_handlers as _opinion  # noqa: F401
