"""Sampling's job handlers live in each subpackage; importing them here lets the job registry discover them."""

from .fieldwork import job_handlers as _fieldwork  # noqa: F401
from .lab import job_handlers as _lab  # noqa: F401
from .plans import job_handlers as _plans  # noqa: F401
from .publicity import job_handlers as _publicity  # noqa: F401
from .targeting import job_handlers as _targeting  # noqa: F401
