"""What a request body may be, checked once for every API view before authentication (settings:
DEFAULT_CONTENT_NEGOTIATION_CLASS; SECURITY.md API-04 and API-08).

DRF negotiates the response (``Accept``) in ``APIView.initial`` before it authenticates; the request body is only
looked at when a view first reads ``request.data`` — after the row was fetched, so a wrong content type on a
missing row was a 404, on an existing one a 415, and a 50 MB body was read whole before anything refused it.
``StrictContentNegotiation`` looks at the body first, on every view alike:

- a body larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (2.5 MB, by its ``Content-Length``) → **413**
  ``request_too_large``, unread;
- a write (POST/PUT/PATCH) with a body whose ``Content-Type`` no parser of the view takes (the API takes only
  ``application/json``), or with no ``Content-Type`` at all → **415** ``unsupported_media_type``.

A write without a body (``Content-Length`` 0 or absent) needs no ``Content-Type``: DRF reads it as an empty body,
which the view's serializer judges (an action that takes no fields accepts it). Then ``Accept`` is negotiated as
DRF does (406).
"""

from django.conf import settings
from rest_framework import exceptions, negotiation
from rest_framework.utils.mediatypes import media_type_matches

BODY_METHODS = ("POST", "PUT", "PATCH")


class RequestTooLarge(exceptions.APIException):
    status_code = 413
    default_code = "request_too_large"

    def __init__(self, limit: int):
        super().__init__(f"请求体过大（最大 {limit / 1024 / 1024:.1f} MB）")


def body_length(request) -> int:
    meta = request.META
    try:
        return max(int(meta.get("CONTENT_LENGTH") or meta.get("HTTP_CONTENT_LENGTH") or 0), 0)
    except (TypeError, ValueError):
        return 0


def max_body_size() -> int | None:
    return getattr(settings, "DATA_UPLOAD_MAX_MEMORY_SIZE", None)


def check_request_body(request) -> None:
    """413 for an oversized body, 415 for a write body of a type the view does not parse (see the module)."""
    length = body_length(request)
    limit = max_body_size()
    if limit is not None and length > limit:
        raise RequestTooLarge(limit)
    if request.method not in BODY_METHODS or length == 0:
        return
    content_type = request.content_type or ""
    parsers = getattr(request, "parsers", None) or ()
    if not content_type or not any(media_type_matches(p.media_type, content_type) for p in parsers):
        raise exceptions.UnsupportedMediaType(content_type)


class StrictContentNegotiation(negotiation.DefaultContentNegotiation):
    def select_renderer(self, request, renderers, format_suffix=None):
        check_request_body(request)
        return super().select_renderer(request, renderers, format_suffix)


__all__ = ["RequestTooLarge", "StrictContentNegotiation", "check_request_body"]
