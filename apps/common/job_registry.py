"""The job registry: which kinds of background work exist, their handlers and their Chinese names.

Split from the dispatch (``apps/common/jobs.py``: create, publish, claim, run, sweep), which asks this module for a
kind's handler. Every app registers its handlers in ``apps/<app>/job_handlers.py`` — and only there — with
``@job_handler("kind", label="中文名")``; those modules are discovered (``django.utils.module_loading``) in every
process that creates or runs jobs, so a worker knows every kind a web process may create.
"""

from collections.abc import Callable

from django.utils.module_loading import autodiscover_modules

from .labels import register_job_kind

ProgressFn = Callable[[int, str], None]
Handler = Callable[..., dict]  # (job, progress) -> JSON-able result
_HANDLERS: dict[str, Handler] = {}
_discovered = False


def job_handler(kind: str, *, label: str = ""):
    """Register the decorated function as the handler of ``kind``; ``label`` is its Chinese name (jobs pages)."""

    def register(fn):
        _HANDLERS[kind] = fn
        if label:
            register_job_kind(kind, label)
        return fn

    return register


def discover() -> None:
    global _discovered
    if not _discovered:
        autodiscover_modules("job_handlers")
        _discovered = True


def registered_kinds() -> list[str]:
    discover()
    return sorted(_HANDLERS)


def handler_for(kind: str) -> Handler | None:
    discover()
    return _HANDLERS.get(kind)
