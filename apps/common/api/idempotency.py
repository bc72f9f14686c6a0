"""``Idempotency-Key`` for API writes, implemented once (PRODUCT.md §5, SECURITY.md API-09).

A view opts in with ``IdempotencyMixin`` (it must come before the DRF view class). For POST/PUT/PATCH:

- With a key, the first request runs and its 2xx response (status, body, Location/ETag) is stored under
  ``(owner, key)``, owner being ``client:<ApiClient id>`` or ``user:<User id>``. A replay with the same
  method, path and canonical JSON body returns the stored response with ``Idempotent-Replayed: true``
  and does nothing else. The same key with another request → 422 ``idempotency_key_reused``.
- Concurrent duplicates cannot both take effect: the record is inserted (unique ``owner``+``key``) in the
  request's transaction *before* the work runs, so the second insert waits for the first transaction and
  then fails with IntegrityError; it then replays the committed response. If it still sees the record
  without a response (the first request is running on a database that does not block), it answers
  409 ``idempotency_in_progress`` and the client retries later.
- A failed request (exception or non-2xx) leaves no record, so the client may retry with the same key.
- ApiClient writes must carry a key (``idempotency_required_for_clients``; 400 ``idempotency_key_required``);
  browser sessions may send one.

Records are kept for ``settings.IDEMPOTENCY_RETENTION_HOURS`` (24 h); a key older than that is a new request even
before the nightly ``idempotency_records_purge()`` removes its record.
"""

import datetime as dt
import functools
import hashlib
import json

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework import status
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from apps.common.api.clients import api_client_of, is_api_client
from apps.common.exceptions import Conflict, DomainError, ValidationFailed
from apps.common.models import IdempotencyRecord

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
REPLAYED_HEADERS = ("Location", "ETag", "Last-Modified")  # stored with the body and sent again on a replay
METHODS = ("POST", "PUT", "PATCH")
MAX_KEY_LENGTH = 200


def retention() -> dt.timedelta:
    return dt.timedelta(hours=getattr(settings, "IDEMPOTENCY_RETENTION_HOURS", 24))


class IdempotencyKeyReused(DomainError):
    code = "idempotency_key_reused"
    status_code = 422
    default_message = "该 Idempotency-Key 已用于另一个不同的请求，请为新请求生成新的键"


class IdempotencyInProgress(Conflict):
    code = "idempotency_in_progress"
    default_message = "使用相同 Idempotency-Key 的请求正在处理中，请稍后重试"


def request_owner(request) -> str:
    client = api_client_of(request)
    if client is not None:
        return f"client:{client.pk}"
    return f"user:{request.user.pk}"


def canonical_body(request) -> bytes:
    """JSON bodies are canonicalised (sorted keys, no whitespace), so key order and spacing do not matter."""
    data = request.data
    if isinstance(data, dict | list):
        return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, cls=JSONEncoder).encode()
    return request.body or b""


def request_fingerprint(request) -> str:
    digest = hashlib.sha256()
    for part in (request.method.encode(), request.get_full_path().encode(), canonical_body(request)):
        digest.update(part)
        digest.update(b"\x00")
    return digest.hexdigest()


def _valid_key(key: str) -> bool:
    return 0 < len(key) <= MAX_KEY_LENGTH and key.isascii() and key.isprintable()


def _replay(record: IdempotencyRecord) -> Response:
    stored = json.loads(record.response_body) if isinstance(record.response_body, str) else record.response_body
    headers = {**stored.get("headers", {}), REPLAYED_HEADER: "true"}
    return Response(stored.get("data"), status=record.status_code, headers=headers)


def _frozen(response) -> str:
    """Body and the headers that name the result, as a JSON text: PostgreSQL's jsonb would reorder the keys of an
    object, a string it keeps as is, so the replayed body is byte-for-byte the first one."""
    headers = {name: response[name] for name in REPLAYED_HEADERS if response.has_header(name)}
    return json.dumps({"headers": headers, "data": response.data}, cls=JSONEncoder, ensure_ascii=False)


def idempotent_call(view, request, handler):
    """Run ``handler()`` at most once per (owner, Idempotency-Key); see the module docstring."""
    if request.method not in METHODS:
        return handler()
    key = request.headers.get(HEADER)
    if key is None:
        if getattr(view, "idempotency_required_for_clients", True) and is_api_client(request):
            raise ValidationFailed(
                "接口客户端的写请求必须携带 Idempotency-Key 请求头",
                code="idempotency_key_required",
                fields={HEADER: ["必填"]},
            )
        return handler()
    key = key.strip()
    if not _valid_key(key):
        raise ValidationFailed(
            f"Idempotency-Key 必须是 1–{MAX_KEY_LENGTH} 个可打印 ASCII 字符",
            code="idempotency_key_invalid",
            fields={HEADER: ["格式无效"]},
        )
    owner = request_owner(request)
    fingerprint = request_fingerprint(request)

    with transaction.atomic():
        # a key past its retention is a new request (the nightly purge may not have run yet)
        IdempotencyRecord.objects.filter(owner=owner, key=key, created_at__lt=timezone.now() - retention()).delete()
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    owner=owner, key=key, method=request.method, path=request.path[:500], request_hash=fingerprint
                )
        except IntegrityError:
            existing = IdempotencyRecord.objects.filter(owner=owner, key=key).first()
            if existing is None:  # the other request failed and its record was rolled back: let the client retry
                raise IdempotencyInProgress() from None
            if existing.request_hash != fingerprint:
                raise IdempotencyKeyReused() from None
            if existing.status_code is None:
                raise IdempotencyInProgress() from None
            return _replay(existing)

        response = handler()
        if status.is_success(response.status_code):
            record.status_code = response.status_code
            record.response_body = _frozen(response)
            record.save(update_fields=["status_code", "response_body"])
        else:
            record.delete()
        return response


def idempotent(method):
    """Decorator for a single view method (``def create(self, request, ...)``)."""

    @functools.wraps(method)
    def wrapper(self, request, *args, **kwargs):
        return idempotent_call(self, request, lambda: method(self, request, *args, **kwargs))

    return wrapper


class IdempotencyMixin:
    """Makes every POST/PUT/PATCH handler of the view (including ``@action`` methods) idempotent.

    The handler is wrapped after authentication and permission checks (``initial``), so the owner is known
    and an unauthorised request never creates a record.
    """

    idempotency_required_for_clients = True

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        name = request.method.lower()
        handler = getattr(self, name, None) if request.method in METHODS else None
        if handler is None:
            return

        def wrapped(req, *a, **kw):
            return idempotent_call(self, req, lambda: handler(req, *a, **kw))

        setattr(self, name, wrapped)


def idempotency_records_purge(*, older_than: dt.timedelta | None = None, now=None) -> int:
    """Delete records past the retention period (run daily). Returns how many were deleted."""
    cutoff = (now or timezone.now()) - (older_than or retention())
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted
