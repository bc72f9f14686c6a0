"""Job handlers of the enterprise registry (discovered by apps.common.jobs in every process that runs jobs)."""

from . import imports, tasks  # noqa: F401  (register "enterprises.import" and "enterprises.export")
