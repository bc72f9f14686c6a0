"""Per-request context (actor, IP, request id) for audit events; a contextvar, so it is safe in threads and tasks."""

import contextvars
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    ip: str | None = None
    actor: object | None = None
    api_client: str = ""


_current: contextvars.ContextVar[RequestContext] = contextvars.ContextVar(
    "hn_request_context", default=RequestContext()
)


def current() -> RequestContext:
    return _current.get()


def new_request_id() -> str:
    return uuid.uuid4().hex


@contextmanager
def bind(**changes):
    token = _current.set(replace(_current.get(), **changes))
    try:
        yield _current.get()
    finally:
        _current.reset(token)


def set_context(ctx: RequestContext):
    return _current.set(ctx)


def reset_context(token) -> None:
    _current.reset(token)
