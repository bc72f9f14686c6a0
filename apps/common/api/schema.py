"""The OpenAPI schema says what the server does, written once for every view (settings: DEFAULT_SCHEMA_CLASS).

``AutoSchema`` adds to drf-spectacular's operations, from what the view *is* rather than per-view decorators:

- the error answers each operation can give, all with the one ``Error`` body ({code, message, fields}):
  400 (bad parameter or body, unknown parameter), 401, 403, 404 (missing or out-of-scope row, page past the
  end), 406 (Accept), 413 (body over 2.5 MB, any method), 429 (rate limit, with ``Retry-After``), and for writes
  409 (conflict), 415 (content type), 422 (Idempotency-Key reused) and, where ``If-Match`` is taken, 412 (stale)
  and 428 (required from API clients);
- the ``Idempotency-Key`` header on the writes of ``IdempotencyMixin`` views (required from API clients);
- the ``If-Match`` header on the writes to one row of ``ConditionalWriteMixin`` views (``apps/common/api/etags.py``);
- a change feed's list answers either a page or a feed page (``oneOf``);
- integer filter parameters typed ``integer`` with the bounds that ``apps.common.api.filters`` enforces.

A 500 is never documented: it is a bug.
"""

from drf_spectacular import openapi
from drf_spectacular.plumbing import force_instance
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from apps.common.api.etags import ConditionalWriteMixin
from apps.common.api.feeds import CURSOR_PATTERN, FEED_PARAMS, ChangeFeedMixin, feed_page_serializer
from apps.common.api.filters import ID_BOUNDS, integer_bounds
from apps.common.api.idempotency import MAX_KEY_LENGTH, IdempotencyMixin
from apps.common.api.serializers import StrictFieldsMixin
from apps.common.text import INVISIBLE_CLASS, REFUSED_CLASS

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
# Text the server takes (apps/common/text.py, on every form and serializer field): no control or bidi-override
# character; blank, or holding at least one visible character (a value of only zero-width characters is refused);
# a required text needs a visible character.
TEXT_PATTERN = rf"^(?:\s*|[^{REFUSED_CLASS}]*[^\s{REFUSED_CLASS}{INVISIBLE_CLASS}][^{REFUSED_CLASS}]*)$"
NON_BLANK_PATTERN = rf"^[^{REFUSED_CLASS}]*[^\s{REFUSED_CLASS}{INVISIBLE_CLASS}][^{REFUSED_CLASS}]*$"
EMPTY_VALUE = {"type": "string", "maxLength": 0}  # an empty query value means "not given"
FORMATTED = {"enum", "format", "pattern", "$ref"}
ENUM_LIMIT = 300  # a related field over a reference table this small is documented as an enum of its codes
IDEMPOTENCY_KEY_PATTERN = rf"^[!-~](?:[ -~]{{0,{MAX_KEY_LENGTH - 2}}}[!-~])?$"

ERROR_DESCRIPTIONS = {
    "400": "请求有误：参数或请求体无效、含不支持的参数或字段（fields 指出各项）",
    "401": "未登录或令牌无效、已过期、已吊销",
    "403": "没有权限，或接口客户端缺少所需的权限范围",
    "404": "记录不存在或不在管辖范围内；或页码超出范围",
    "406": "无法按 Accept 请求头要求的格式返回（仅支持 application/json）",
    "409": "与当前状态冲突（如已定稿、版本过期、同一 Idempotency-Key 的请求正在处理）",
    "412": "If-Match 与当前版本不符：请重新获取（ETag）后再提交",
    "413": "请求体过大（超过 2.5 MB）",
    "415": "请求体类型不受支持或缺少 Content-Type：请使用 application/json",
    "422": "该 Idempotency-Key 已用于另一个不同的请求",
    "428": "接口客户端修改数据时必须携带 If-Match 请求头",
    "429": "请求过于频繁（按客户端、角色或 IP 限流）：按响应头 Retry-After 的秒数等待后重试",
}
ETAG_HEADER = {
    "schema": {"type": "string", "pattern": r'^"\d+-\d+"$'},
    "description": '该记录当前版本的标记（形如 "12-3"），修改时放入 If-Match',
}
RETRY_AFTER = {
    "Retry-After": {
        "schema": {"type": "integer", "minimum": 1},
        "required": True,
        "description": "再次请求前需等待的秒数",
    }
}


class ErrorSerializer(serializers.Serializer):
    """Every API error: a machine code, a Chinese message, and per-field messages."""

    code = serializers.CharField(help_text="错误代码，如 invalid、not_found、permission_denied")
    message = serializers.CharField(help_text="中文说明")
    fields = serializers.DictField(
        child=serializers.JSONField(), help_text="各字段或参数的错误信息（字段名 → 信息列表）"
    )


class AutoSchema(openapi.AutoSchema):
    # ------------------------------------------------------------------------------------ bodies
    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        if direction == "request" and isinstance(force_instance(serializer), StrictFieldsMixin):
            schema["additionalProperties"] = False
        return schema

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if direction != "request" or not isinstance(schema, dict):
            return schema
        if isinstance(field, serializers.ManyRelatedField):
            item = self._slug_enum(field.child_relation)
            if item is not None and isinstance(schema.get("items"), dict):
                schema["items"] = item
        elif isinstance(field, serializers.SlugRelatedField):
            item = self._slug_enum(field)
            if item is not None:
                schema.pop("format", None)
                schema.update(item)
        elif isinstance(field, serializers.CharField) and schema.get("type") == "string":
            if "enum" not in schema and "format" not in schema and "pattern" not in schema:
                schema["pattern"] = TEXT_PATTERN if field.allow_blank else NON_BLANK_PATTERN
        return schema

    @staticmethod
    def _slug_enum(field):
        if not isinstance(field, serializers.SlugRelatedField):
            return None
        try:
            queryset = field.get_queryset()
            codes = list(queryset.values_list(field.slug_field, flat=True)[: ENUM_LIMIT + 1])
        except Exception:  # noqa: BLE001 - a queryset needing a request: leave the plain string
            return None
        if not codes or len(codes) > ENUM_LIMIT:
            return None
        return {"type": "string", "enum": sorted(codes)}

    # ------------------------------------------------------------------------------------ parameters
    def _get_filter_parameters(self):
        parameters = super()._get_filter_parameters()
        filterset_class = self._filterset_class()
        filters = getattr(filterset_class, "base_filters", {}) if filterset_class else {}
        for param in parameters:
            flt = filters.get(param["name"])
            self._choice_enum(param, flt)
            bounds = integer_bounds(param["name"], flt) if flt is not None else None
            if bounds is None:
                continue
            low, high = bounds
            schema = param["schema"]
            target = schema["items"] if schema.get("type") == "array" else schema
            target.pop("format", None)
            target.update({"type": "integer", "minimum": low, "maximum": high})
            ids = self._reference_ids(flt)
            if ids is not None and schema.get("type") == "array":  # a list of reference rows must all exist
                target["enum"] = ids
        return parameters

    @staticmethod
    def _choice_enum(param, flt):
        """Choices given as a callable (codes read from a reference table) become the enum they are."""
        import django_filters

        if not isinstance(flt, django_filters.ChoiceFilter | django_filters.MultipleChoiceFilter):
            return
        schema = param["schema"]
        target = schema.get("items") if schema.get("type") == "array" else schema
        choices = flt.extra.get("choices")
        if not isinstance(target, dict) or "enum" in target or not callable(choices):
            return
        try:
            codes = [str(key) for key, _ in choices()]
        except Exception:  # noqa: BLE001 - no database (collecting tests): leave the plain string
            return
        if 0 < len(codes) <= ENUM_LIMIT:
            target["enum"] = sorted(codes)
            target.pop("pattern", None)

    @staticmethod
    def _reference_ids(flt):
        queryset = flt.extra.get("queryset") if hasattr(flt, "extra") else None
        if queryset is None or callable(queryset):
            return None
        try:
            ids = list(queryset.order_by("pk").values_list("pk", flat=True)[: ENUM_LIMIT + 1])
        except Exception:  # noqa: BLE001 - no database (collecting tests): leave the plain bounds
            return None
        return ids if 0 < len(ids) <= ENUM_LIMIT else None

    def _filterset_class(self):
        model = getattr(getattr(self.view, "queryset", None), "model", None)
        for backend in self.get_filter_backends():
            getter = getattr(backend(), "get_filterset_class", None)
            if getter is not None and model is not None:
                return getter(self.view, model._default_manager.none())
        return None

    def _takes_conditional_write(self) -> bool:
        return self.method in WRITE_METHODS and isinstance(self.view, ConditionalWriteMixin) and "{" in self.path

    def get_override_parameters(self):
        params = list(super().get_override_parameters())
        if self._takes_conditional_write():
            params.append(
                OpenApiParameter(
                    "If-Match",
                    OpenApiTypes.STR,
                    OpenApiParameter.HEADER,
                    description='乐观锁：详情或上次写入响应的 ETag（形如 "12-3"），或 * 表示不论当前版本；'
                    "版本已变化为 412",
                )
            )
        if self.method in WRITE_METHODS and isinstance(self.view, IdempotencyMixin):
            params.append(
                OpenApiParameter(
                    "Idempotency-Key",
                    OpenApiTypes.STR,
                    OpenApiParameter.HEADER,
                    required=bool(getattr(self.view, "idempotency_required_for_clients", True)),
                    pattern=IDEMPOTENCY_KEY_PATTERN,
                    description=f"幂等键（1–{MAX_KEY_LENGTH} 个可打印 ASCII 字符，建议每个新请求一个 UUID）。"
                    "接口客户端的写请求必须携带；重放返回首次响应（响应头 Idempotent-Replayed: true）。"
                    "浏览器会话可省略",
                )
            )
        return params

    def _get_parameters(self):
        parameters = super()._get_parameters()
        for param in parameters:
            if param["in"] == "query" and param["name"] == "cursor" and isinstance(self.view, ChangeFeedMixin):
                param["schema"] = {"type": "string", "minLength": 3, "pattern": CURSOR_PATTERN}
            if param["in"] == "query" and param["name"] == "updated_since":
                param["schema"] = {"type": "string", "format": "date-time"}
            elif param["in"] == "query" and param.get("schema", {}).get("format") in ("date", "date-time", "uuid"):
                param["schema"] = {"anyOf": [param["schema"], EMPTY_VALUE]}
            if param["in"] == "query" and param["name"] not in FEED_PARAMS and "schema" in param:
                if param["schema"].get("type") in ("integer", "number", "boolean") or "enum" in param["schema"]:
                    param["schema"] = {"anyOf": [param["schema"], EMPTY_VALUE]}  # ``?x=`` is no filter
            schema = param.get("schema", {})
            if param["in"] in ("query", "path") and schema.get("type") == "string" and not set(schema) & FORMATTED:
                schema["pattern"] = TEXT_PATTERN if param["in"] == "query" else NON_BLANK_PATTERN
            items = schema.get("items") if schema.get("type") == "array" else None
            if isinstance(items, dict) and items.get("type") == "string" and not set(items) & FORMATTED:
                items["pattern"] = TEXT_PATTERN
            if param["in"] == "path" and param["schema"].get("type") == "integer":
                param["schema"].update({"minimum": ID_BOUNDS[0], "maximum": ID_BOUNDS[1]})
            if param["in"] == "header" and param["name"] == "If-Match" and self._if_match_required():
                param["required"] = True
        return parameters

    def _if_match_required(self) -> bool:
        return bool(getattr(self.view, "if_match_required_for_clients", False))

    def _takes_if_match(self, operation_params) -> bool:
        return any(p.get("in") == "header" and p.get("name") == "If-Match" for p in operation_params)

    # ------------------------------------------------------------------------------------ responses
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        if self.method == "GET" and isinstance(self.view, ChangeFeedMixin) and self._is_list_view():
            self._add_feed_page(responses)
        error_ref = self.resolve_serializer(ErrorSerializer, "response").ref
        for code in self._error_codes():
            responses.setdefault(
                code,
                {"content": {"application/json": {"schema": error_ref}}, "description": ERROR_DESCRIPTIONS[code]},
            )
        if "429" in responses:
            responses["429"].setdefault("headers", RETRY_AFTER)
        if isinstance(self.view, ConditionalWriteMixin) and (self.method != "GET" or not self._is_list_view()):
            for code, answer in responses.items():
                if code.startswith("2") and isinstance(answer, dict) and self._answers_with_etag(code):
                    answer.setdefault("headers", {}).setdefault("ETag", ETAG_HEADER)
        return dict(sorted(responses.items()))

    def _answers_with_etag(self, code: str) -> bool:
        """As ConditionalWriteMixin.finalize_response: a detail read always; a write when its body shows a version."""
        if self.method == "GET":
            return True
        serializers_ = self.get_response_serializers()
        serializer = (
            serializers_.get(int(code), serializers_.get(code)) if isinstance(serializers_, dict) else serializers_
        )
        try:
            return "version" in force_instance(serializer).fields
        except Exception:  # noqa: BLE001 - not a serializer (a plain description): no claim
            return False

    def _add_feed_page(self, responses):
        ok = responses.get("200", {}).get("content", {}).get("application/json")
        serializer_class = self.view.get_serializer_class() if hasattr(self.view, "get_serializer_class") else None
        if not ok or serializer_class is None:
            return
        feed_ref = self.resolve_serializer(feed_page_serializer(serializer_class), "response").ref
        ok["schema"] = {"oneOf": [ok["schema"], feed_ref]}
        responses["200"]["description"] = "普通列表（分页）或变更订阅页（带 updated_since / cursor 时）"

    def _error_codes(self) -> list[str]:
        codes = ["400", "401", "403", "404", "406", "413", "429"]
        if self.method in WRITE_METHODS:
            codes += ["409", "415"]
            if isinstance(self.view, IdempotencyMixin):
                codes.append("422")
            params = [p for p in self._get_parameters() if isinstance(p, dict)]
            if self._takes_if_match(params):
                codes.append("412")
                if self._if_match_required():
                    codes.append("428")
        return codes


def integer_parameter(name: str, low: int, high: int, description: str) -> OpenApiParameter:
    """A bounded integer query parameter for views that parse their own parameters."""
    return OpenApiParameter(
        name, {"type": "integer", "minimum": low, "maximum": high}, OpenApiParameter.QUERY, description=description
    )


__all__ = ["AutoSchema", "ErrorSerializer", "integer_parameter"]
