"""Assessment's job handlers live in each subpackage; importing them here lets the job registry discover them."""

from .schemes import job_handlers as _schemes  # noqa: F401
