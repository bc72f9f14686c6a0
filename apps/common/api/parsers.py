"""The one JSON parser of the API (settings: DEFAULT_PARSER_CLASSES).

DRF's parser lets ``json.loads`` recurse: a 2 KB body nested 1,000 deep raised RecursionError, a 500 on every
write endpoint. Here a body nested deeper than ``MAX_DEPTH`` (or too deep to parse at all) is a 400 with the
usual JSON error body, before any view, serializer or idempotency fingerprint sees it.
"""

import codecs
import json

from django.conf import settings
from rest_framework import exceptions, parsers

MAX_DEPTH = 32  # the deepest real body (a result with items) is 3 levels


class JsonTooDeep(exceptions.ParseError):
    default_detail = f"请求体嵌套层级过深（最多 {MAX_DEPTH} 层）"
    default_code = "json_too_deep"


class InvalidJson(exceptions.ParseError):
    default_detail = "请求体不是有效的 JSON"
    default_code = "parse_error"


def depth_of(value) -> int:
    """Nesting depth of parsed JSON, without recursion (a scalar is 0, ``[]`` and ``{}`` are 1)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, dict):
            children = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        deepest = max(deepest, level)
        if deepest > MAX_DEPTH:
            return deepest
        stack.extend((child, level + 1) for child in children)
    return deepest


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
        if depth_of(data) > MAX_DEPTH:
            raise JsonTooDeep()
        return data


def _refuse_constant(name):
    # NaN / Infinity are not JSON (RFC 8259); DRF's strict mode refuses them too
    raise ValueError(f"{name} is not valid JSON")
