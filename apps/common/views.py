"""Error pages: JSON under /api/, a Chinese page elsewhere; never a traceback."""

from django.http import JsonResponse
from django.shortcuts import render


def _error(request, status, code, message, template):
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"code": code, "message": message, "fields": {}}, status=status, json_dumps_params={"ensure_ascii": False}
        )
    return render(request, template, {"status": status, "message": message}, status=status)


def bad_request(request, exception=None):
    return _error(request, 400, "bad_request", "请求有误", "errors/error.html")


def permission_denied(request, exception=None):
    return _error(request, 403, "permission_denied", "没有权限访问此页面", "errors/error.html")


def page_not_found(request, exception=None):
    return _error(request, 404, "not_found", "页面不存在或不在您的管辖范围内", "errors/error.html")


def server_error(request):
    rid = getattr(request, "request_id", "")
    return _error(request, 500, "server_error", f"服务器内部错误，请联系管理员（请求编号 {rid}）", "errors/error.html")
