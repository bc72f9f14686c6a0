"""ETag / If-Match on updatable resources, written once (SECURITY.md API-10; docs/api.md §8).

A view set with ``ConditionalWriteMixin`` whose rows carry a ``version`` (bumped by every service write):

- every 2xx answer that is one row (detail, create, update, action) carries ``ETag: "<id>-<version>"``, taken
  from the body it sends (so the tag and the body never disagree and a replayed idempotent answer has the tag of
  the first one), or, for a detail read whose body does not show the version, from the row read;
- every write to an existing row (PUT, PATCH, POST/DELETE on ``/{id}/…``) evaluates ``If-Match`` as soon as the
  row is read (``get_object`` → ``check_object_permissions``), before the body is processed (RFC 9110 §13.2.2):
  ``*`` or the current tag passes; a stale tag, another row's tag or a malformed one is **412**
  ``precondition_failed``; no header passes, except for API clients when the view sets
  ``if_match_required_for_clients`` (**428** ``precondition_required``: an unattended sync would overwrite a change
  made in the browser). The version that passed is ``self.if_match_version`` (None without a header or with
  ``*``); views hand it to the service as the expected version, which re-checks it under the row lock, so a
  write that raced in between is refused too.

The OpenAPI schema declares the ``If-Match`` header and the 412 (and 428) answers from the same facts
(``apps/common/api/schema.py``); ``tests/common/test_api_write_contract.py`` walks every write endpoint.
"""

from apps.common.api.clients import is_api_client
from apps.common.exceptions import DomainError, PreconditionFailed

HEADER = "If-Match"
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


class PreconditionRequired(DomainError):
    code = "precondition_required"
    status_code = 428
    default_message = "接口客户端修改数据时必须携带 If-Match 请求头（取自详情接口返回的 ETag）"


def etag_of(obj) -> str:
    return f'"{obj.pk}-{obj.version}"'


def _tags(header: str):
    for tag in header.split(","):
        tag = tag.strip()
        tag = tag[2:] if tag.startswith("W/") else tag
        pk, _, version = tag.strip('"').partition("-")
        yield pk, version


def if_match_version(request, obj, *, required_for_clients: bool = False) -> int | None:
    """The version ``If-Match`` names for ``obj`` if it is the current one (None: no header or ``*``); else 412."""
    header = (request.headers.get(HEADER) or "").strip()
    if not header:
        if required_for_clients and is_api_client(request):
            raise PreconditionRequired()
        return None
    if header == "*":
        return None
    for pk, version in _tags(header):
        if pk == str(obj.pk) and version.isdigit() and int(version) == obj.version:
            return obj.version
    raise PreconditionFailed(
        f"If-Match 与当前版本不符（当前 ETag 为 {etag_of(obj)}）：数据已被修改，请重新获取后再提交",
        fields={HEADER: [f"当前为 {etag_of(obj)}"]},
    )


class ConditionalWriteMixin:
    """See the module docstring. Put it before the DRF view class."""

    if_match_required_for_clients = False
    if_match_version: int | None = None

    def check_object_permissions(self, request, obj):
        super().check_object_permissions(request, obj)
        self._conditional_row = obj
        if request.method in WRITE_METHODS and hasattr(obj, "version"):
            self.if_match_version = if_match_version(
                request, obj, required_for_clients=self.if_match_required_for_clients
            )

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        data = getattr(response, "data", None)
        if not 200 <= response.status_code < 300 or response.has_header("ETag") or not isinstance(data, dict):
            return response
        row = getattr(self, "_conditional_row", None)
        if data.get("id") is not None and isinstance(data.get("version"), int):
            response["ETag"] = f'"{data["id"]}-{data["version"]}"'
        elif request.method in ("GET", "HEAD") and row is not None and hasattr(row, "version"):
            if data.get("id") in (None, row.pk):
                response["ETag"] = etag_of(row)
        return response


__all__ = ["ConditionalWriteMixin", "PreconditionRequired", "etag_of", "if_match_version"]
