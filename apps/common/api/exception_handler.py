"""Every API error is JSON {"code", "message" (Chinese), "fields"} — never HTML, never a traceback.

The request transaction (ATOMIC_REQUESTS) is always marked for rollback when an error leaves a view,
including domain errors and unexpected exceptions, so a failed request never half-commits.
"""

import logging
import math

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from apps.common.api.negotiation import RequestTooLarge, max_body_size
from apps.common.api.parsers import InvalidJson, JsonTooDeep, JsonTooManyFields
from apps.common.api.throttles import refusal_throttle_check
from apps.common.exceptions import DomainError

log = logging.getLogger(__name__)

MESSAGES = {
    exceptions.NotAuthenticated: ("not_authenticated", "未登录或未提供有效的认证信息"),
    exceptions.AuthenticationFailed: ("authentication_failed", "认证失败：令牌无效、已过期或已吊销"),
    exceptions.PermissionDenied: ("permission_denied", "没有权限执行此操作"),
    exceptions.NotFound: ("not_found", "未找到该记录"),
    exceptions.MethodNotAllowed: ("method_not_allowed", "不支持该请求方法"),
    exceptions.NotAcceptable: ("not_acceptable", "无法按请求的格式返回"),
    exceptions.UnsupportedMediaType: ("unsupported_media_type", "不支持的内容类型，请使用 application/json"),
    exceptions.ParseError: ("parse_error", "请求体不是有效的 JSON"),
    exceptions.Throttled: ("throttled", "请求过于频繁，请稍后再试"),
    exceptions.ValidationError: ("invalid", "提交的数据有误"),
}

# Exceptions whose detail we raise ourselves in Chinese (so a non-default detail is shown as the message).
# Other classes keep the fixed message above: DRF's own details may carry English parser text.
OWN_DETAIL = (
    exceptions.NotAuthenticated,
    exceptions.AuthenticationFailed,
    exceptions.PermissionDenied,
    exceptions.NotFound,
)


def _flatten(detail):
    if isinstance(detail, dict):
        return {str(k): _flatten(v) for k, v in detail.items()}
    if isinstance(detail, list | tuple):
        return [_flatten(v) for v in detail]
    return str(detail)


def error_body(code: str, message: str, fields=None) -> dict:
    return {"code": code, "message": message, "fields": fields or {}}


def _custom_code(exc) -> str | None:
    """A code passed explicitly (``PermissionDenied(detail, code="insufficient_scope")``) wins over the class code."""
    code = getattr(exc.detail, "code", None)
    if code and code != exc.default_code:
        return str(code)
    return None


class TooManyParts(exceptions.ParseError):
    default_detail = "请求包含的字段或文件过多"
    default_code = "too_many_fields"


# Our own exceptions: their code and their Chinese detail are the answer.
OWN_CODE_AND_MESSAGE = (JsonTooDeep, JsonTooManyFields, InvalidJson, RequestTooLarge, TooManyParts)


def retry_after_seconds(wait) -> int:
    """Whole seconds to wait (at least 1), the same in ``Retry-After`` and in the message."""
    return max(1, math.ceil(wait or 0))


def api_exception_handler(exc, context):
    if isinstance(exc, RequestDataTooBig):  # Django's own limit, should a view read request.body
        exc = RequestTooLarge(max_body_size() or 0)
    elif isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        exc = TooManyParts()
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed | exceptions.PermissionDenied):
        exc = refusal_throttle_check(context.get("request")) or exc  # refusals count too (API-05)
    if isinstance(exc, DomainError):
        set_rollback()
        return Response(error_body(exc.code, exc.message, _flatten(exc.fields)), status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        fields = (
            _flatten(exc.message_dict) if hasattr(exc, "error_dict") else {"non_field_errors": _flatten(exc.messages)}
        )
        exc = exceptions.ValidationError(fields)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        set_rollback()
        log.error("unhandled API error", exc_info=exc)
        request = context.get("request")
        rid = getattr(getattr(request, "_request", request), "request_id", "")
        return Response(
            error_body("server_error", f"服务器内部错误，请联系管理员（请求编号 {rid}）"),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )

    code, message = "error", "请求无法处理"
    for klass, (c, m) in MESSAGES.items():
        if isinstance(exc, klass):
            code, message = c, m
            break
    fields = {}
    if isinstance(exc, exceptions.ValidationError):
        detail = _flatten(exc.detail)
        fields = detail if isinstance(detail, dict) else {"non_field_errors": detail}
        if list(fields) == ["non_field_errors"] and fields["non_field_errors"]:
            message = "；".join(map(str, fields["non_field_errors"]))
    elif isinstance(exc, exceptions.Throttled):
        seconds = retry_after_seconds(exc.wait)
        response["Retry-After"] = str(seconds)
        message = f"请求过于频繁，请 {seconds} 秒后再试"
    elif isinstance(exc, exceptions.MethodNotAllowed):
        request = context.get("request")
        method = getattr(request, "method", "")
        message = f"此接口不支持 {method} 请求方法" if method else message
    elif isinstance(exc, exceptions.UnsupportedMediaType):
        request = context.get("request")
        received = (getattr(request, "content_type", "") or "").split(";")[0].strip()
        if received:
            message = f"不支持的内容类型“{received[:100]}”，请使用 application/json"
        else:
            message = "请求体缺少 Content-Type 请求头，请使用 Content-Type: application/json"
    elif isinstance(exc, OWN_DETAIL) and str(exc.detail) != str(exc.default_detail):
        message = str(exc.detail)
    elif isinstance(exc, OWN_CODE_AND_MESSAGE):
        code, message = exc.default_code, str(exc.detail)
    if isinstance(exc, exceptions.APIException) and not isinstance(
        exc, (exceptions.ValidationError, *OWN_CODE_AND_MESSAGE)
    ):
        code = _custom_code(exc) or code
    response.data = error_body(code, message, fields)
    return response
