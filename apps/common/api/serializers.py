"""Base serializers for API input (STYLE.md §3.7: output serializers are never used for input)."""

from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail
from rest_framework.settings import api_settings
from rest_framework.utils.serializer_helpers import ReturnDict


class StrictInputSerializer(serializers.Serializer):
    """Input serializer that refuses keys it does not declare (SECURITY.md API-01: no silent mass assignment)."""

    default_error_messages = {
        "required": "请求体不能为空",
        "null": "请求体不能为空",
        "invalid": "请求体必须是 JSON 对象",
    }

    def to_internal_value(self, data):
        if isinstance(data, dict):
            known = set(self.fields)
            unknown = sorted(str(k) for k in data if k not in known)
            if unknown:
                raise serializers.ValidationError({name: ["不支持的字段"] for name in unknown})
        return super().to_internal_value(data)

    @property
    def errors(self):
        ret = super().errors
        key = api_settings.NON_FIELD_ERRORS_KEY
        # DRF replaces a "null" body error with a hard-coded English text; say it in Chinese.
        if isinstance(ret, dict) and [getattr(e, "code", None) for e in ret.get(key, [])] == ["null"]:
            ret = ReturnDict({key: [ErrorDetail("请求体不能为空", code="null")]}, serializer=self)
        return ret
