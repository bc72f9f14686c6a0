"""Base serializers for API input (STYLE.md §3.7: output serializers are never used for input).

One rule for every writable serializer (SECURITY.md API-01, no silent mass assignment): a key the serializer does
not declare is a 400 naming it — ``protected_fields`` (read-only or system-maintained fields) with the reason, any
other unknown key with "不支持的字段". Nothing is silently ignored, so a client never believes it changed
``status`` or ``content_hash`` when it did not. The schema says the same (``additionalProperties: false``).
"""

from decimal import ROUND_HALF_UP, Decimal

from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail
from rest_framework.settings import api_settings
from rest_framework.utils.serializer_helpers import ReturnDict

READ_ONLY = "只读字段，不能通过接口修改"


class StrictFieldsMixin:
    """Refuses undeclared keys (see the module docstring). Mix into any input ``Serializer``."""

    protected_fields: dict[str, str] = {}

    def to_internal_value(self, data):
        if isinstance(data, dict):
            blocked = {str(k): [msg] for k, msg in self.protected_fields.items() if k in data}
            blocked.update({str(k): ["不支持的字段"] for k in data if k not in self.fields and str(k) not in blocked})
            if blocked:
                raise serializers.ValidationError(blocked)
        return super().to_internal_value(data)


def read_only_fields_of(output_serializer_class, *, reason: str = READ_ONLY, **reasons) -> dict[str, str]:
    """``protected_fields`` for an input serializer: every field its output serializer shows, with ``reason``
    (or a specific one from ``reasons``). Fields the input serializer declares itself are writable regardless."""
    names = list(output_serializer_class().fields)
    return {name: reasons.get(name, reason) for name in names} | reasons


class StrictInputSerializer(StrictFieldsMixin, serializers.Serializer):
    """Input serializer that refuses keys it does not declare, with Chinese errors for a missing or non-object body."""

    default_error_messages = {
        "required": "请求体不能为空",
        "null": "请求体不能为空",
        "invalid": "请求体必须是 JSON 对象",
    }

    def to_internal_value(self, data):
        if isinstance(data, dict):
            writable = set(self.fields)
            self.protected_fields = {k: v for k, v in self.protected_fields.items() if k not in writable}
        return super().to_internal_value(data)

    @property
    def errors(self):
        ret = super().errors
        key = api_settings.NON_FIELD_ERRORS_KEY
        # DRF replaces a "null" body error with a hard-coded English text; say it in Chinese.
        if isinstance(ret, dict) and [getattr(e, "code", None) for e in ret.get(key, [])] == ["null"]:
            ret = ReturnDict({key: [ErrorDetail("请求体不能为空", code="null")]}, serializer=self)
        return ret


class RoundedDecimalField(serializers.DecimalField):
    """A decimal rounded to ``decimal_places`` (half up) instead of refused for having more: a GPS fix of
    30.12345678 or an amount of 12.345 is a valid value, stored as 30.123457 / 12.35. Bounds still apply."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("rounding", ROUND_HALF_UP)
        kwargs.setdefault("max_digits", None)
        super().__init__(*args, **kwargs)

    def validate_precision(self, value):
        if value.is_finite() and self.decimal_places is not None:
            value = value.quantize(Decimal(1).scaleb(-self.decimal_places), rounding=self.rounding)
        return super().validate_precision(value)
