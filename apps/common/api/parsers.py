"""The one JSON parser of the API (settings: DEFAULT_PARSER_CLASSES).

DRF's parser lets ``json.loads`` recurse: a 2 KB body nested 1,000 deep raised RecursionError, a 500 on every
write endpoint. Here a body nested deeper than ``MAX_DEPTH`` (or too deep to parse at all) is a 400 with the
usual JSON error body, before any view, serializer or idempotency fingerprint sees it. So is a body with more
object members in all than ``DATA_UPLOAD_MAX_NUMBER_FIELDS`` (1,000: Django's limit for form fields, applied to
JSON keys; SECURITY.md API-04). The body size itself (``DATA_UPLOAD_MAX_MEMORY_SIZE``, 413) is checked before the
parser runs, by ``apps.common.api.negotiation``.
"""

import codecs
import json

from django.conf import settings
from rest_framework import exceptions, parsers

MAX_DEPTH = 32  # the deepest real body (a result with items) is 3 levels


class JsonTooDeep(exceptions.ParseError):
    default_detail = f"请求体嵌套层级过深（最多 {MAX_DEPTH} 层）"
    default_code = "json_too_deep"


class JsonTooManyFields(exceptions.ParseError):
    default_code = "json_too_many_fields"

    def __init__(self, limit: int):
        super().__init__(f"请求体字段过多（所有对象的字段合计最多 {limit:,} 个）")


class InvalidJson(exceptions.ParseError):
    default_detail = "请求体不是有效的 JSON"
    default_code = "parse_error"


def max_fields() -> int:
    return int(getattr(settings, "DATA_UPLOAD_MAX_NUMBER_FIELDS", None) or 1000)


def shape_of(value, *, max_members: int | None = None) -> tuple[int, int]:
    """(nesting depth, object members in all) of parsed JSON, without recursion (a scalar is depth 0, ``[]`` and
    ``{}`` are 1). Stops early once the depth passes ``MAX_DEPTH`` or the members pass ``max_members``."""
    deepest, members, stack = 0, 0, [(value, 1)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, dict):
            members += len(node)
            children = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        deepest = max(deepest, level)
        if deepest > MAX_DEPTH or (max_members is not None and members > max_members):
            break
        stack.extend((child, level + 1) for child in children)
    return deepest, members


def depth_of(value) -> int:
    return shape_of(value)[0]


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = codecs.getreader(encoding)(stream).read()
        except (UnicodeDecodeError, LookupError):
            raise InvalidJson("请求体不是有效的 UTF-8 文本") from None
        try:
            data = json.loads(text, parse_constant=_refuse_constant)
        except RecursionError:
            raise JsonTooDeep() from None
        except ValueError:
            raise InvalidJson() from None
        limit = max_fields()
        depth, members = shape_of(data, max_members=limit)
        if depth > MAX_DEPTH:
            raise JsonTooDeep()
        if members > limit:
            raise JsonTooManyFields(limit)
        return data


def _refuse_constant(name):
    # NaN / Infinity are not JSON (RFC 8259); DRF's strict mode refuses them too
    raise ValueError(f"{name} is not valid JSON")
