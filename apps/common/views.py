"""Error pages: JSON under /api/, a Chinese page elsewhere; never a traceback."""

import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.html import escape

log = logging.getLogger(__name__)

TITLES = {400: "请求有误", 403: "无权访问", 404: "页面不存在", 413: "提交的内容过大", 500: "服务器内部错误"}


def _json(status, code, message):
    return JsonResponse(
        {"code": code, "message": message, "fields": {}}, status=status, json_dumps_params={"ensure_ascii": False}
    )


def _error(request, status, code, message, title=None, template=None):
    if request.path.startswith("/api/"):
        return _json(status, code, message)
    context = {
        "status": status,
        "title": title or TITLES[status],
        "message": message,
        "request_id": getattr(request, "request_id", ""),
    }
    return render(request, template or f"errors/{status}.html", context, status=status)


def bad_request(request, exception=None):
    # Django's form limits (DATA_UPLOAD_MAX_MEMORY_SIZE, _NUMBER_FIELDS, _NUMBER_FILES; SECURITY.md API-04) say why.
    if isinstance(exception, RequestDataTooBig):
        mb = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 1024 / 1024
        message = f"提交的内容过大（表单文字部分最大 {mb:.1f} MB），请减少内容后重试。"
        return _error(request, 413, "request_too_large", message, template="errors/400.html")
    if isinstance(exception, TooManyFieldsSent | TooManyFilesSent):
        message = (
            f"提交的字段或文件过多（最多 {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS:,} 个字段、"
            f"{settings.DATA_UPLOAD_MAX_NUMBER_FILES} 个文件），请分批提交。"
        )
        return _error(request, 400, "too_many_fields", message)
    return _error(request, 400, "bad_request", "请求有误，请检查后重试。")


def permission_denied(request, exception=None):
    return _error(request, 403, "permission_denied", "您的账户没有执行此操作的权限。如需开通，请联系系统管理员。")


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: why the form was refused and what to do, in Chinese; the reason is logged, not shown."""
    log.warning("CSRF check failed for %s: %s", request.path, reason)
    if request.path.startswith("/api/"):
        return _json(403, "csrf_failed", "跨站请求校验失败：请刷新页面后重试；接口客户端请使用令牌（Bearer）认证。")
    message = "页面已过期或表单校验失败（CSRF）。请返回上一页并刷新后重新提交；如仍失败，请确认浏览器允许本站 Cookie。"
    return _error(request, 403, "csrf_failed", message, title="表单已过期，请刷新后重试")


def page_not_found(request, exception=None):
    return _error(request, 404, "not_found", "页面不存在，或不在您的管辖范围内。")


def server_error(request):
    rid = getattr(request, "request_id", "")
    message = "服务器内部错误，请稍后重试；如问题持续，请联系管理员并提供请求编号。"
    if request.path.startswith("/api/"):
        return _json(500, "server_error", f"服务器内部错误，请联系管理员（请求编号 {rid}）")
    try:
        # No request context: the page must render even when the database or a context processor is broken.
        body = loader.render_to_string("errors/500.html", {"message": message, "request_id": rid})
    except Exception:  # pragma: no cover - last resort
        log.exception("error page 500 could not be rendered")
        body = f'<!doctype html><html lang="zh-Hans"><meta charset="utf-8"><title>服务器内部错误</title><h1>服务器内部错误</h1><p>请求编号 {escape(rid)}</p></html>'
    return HttpResponseServerError(body)
