"""Configuration (SECURITY.md CFG-01..05, issue 13 point 11): security headers on pages and API answers, a forced
exception in production mode, CORS from an unlisted origin.

CFG-01 (``check --deploy --fail-level WARNING`` on production settings) is
tests/test_settings.py::test_production_check_deploy_passes_without_warnings. Here the production settings are
loaded in a subprocess (``PROBE``) with the environment a deployment gives them, and real requests go through the
real middleware stack: headers with HSTS, the 500 page and the 500 JSON, CORS. No database listens there (the
probe's views do not need one), so the probe turns off the per-request transaction; nothing else is changed.
"""

import json
import re

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import include, path
from rest_framework.permissions import AllowAny
from rest_framework.test import APIClient
from rest_framework.views import APIView

from haining_foodsafety import urls as project_urls
from tests.test_settings import SAMPLE_ENV, run_python

pytestmark = pytest.mark.django_db

SECRET = "secret internal detail /etc/shadow SELECT password FROM"


def boom(request):
    raise RuntimeError(SECRET)


class BoomApi(APIView):
    permission_classes = [AllowAny]

    def get(self, request):
        raise RuntimeError(SECRET)


def page(request):
    return HttpResponse("<!doctype html><title>页</title><p>页</p>")


urlpatterns = [
    path("boom/", boom),
    path("plain/", page),
    path("api/v1/boom/", BoomApi.as_view()),
    path("", include("haining_foodsafety.urls")),
]
# the project's error views (a urlconf's handlers are its own: without these Django's stock pages would answer)
handler400, handler403, handler404, handler500 = (
    project_urls.handler400,
    project_urls.handler403,
    project_urls.handler404,
    project_urls.handler500,
)


def assert_security_headers(response, *, hsts: bool):
    h = response.headers
    csp = h["Content-Security-Policy"]
    directives = {d.split()[0]: d.split()[1:] for d in (p.strip() for p in csp.split(";")) if d}
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval', no host
    assert directives["frame-ancestors"] == ["'none'"] and directives["base-uri"] == ["'self'"]
    assert directives["form-action"] == ["'self'"]
    assert h["X-Content-Type-Options"] == "nosniff"
    assert h["X-Frame-Options"] == "DENY"
    assert h["Referrer-Policy"] == "same-origin"
    assert h["Cross-Origin-Opener-Policy"] == "same-origin"
    assert h["Cross-Origin-Resource-Policy"] == "same-origin"
    policy = dict(item.strip().split("=", 1) for item in h["Permissions-Policy"].split(","))
    assert policy["camera"] == "()" and policy["microphone"] == "()" and policy["geolocation"] == "(self)"
    assert re.fullmatch(r"[A-Za-z0-9]{1,64}", h["X-Request-ID"])
    if hsts:
        assert h["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    else:
        assert "Strict-Transport-Security" not in h


# ---------------------------------------------------------------------------------------------------- headers
def test_a_page_has_every_security_header(client, reference):
    response = client.get("/accounts/login/")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert_security_headers(response, hsts=False)


def test_an_api_answer_has_every_security_header(api_client, staff_a):
    api_client.force_authenticate(staff_a)
    response = api_client.get("/api/v1/jobs/")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    assert_security_headers(response, hsts=False)
    refused = APIClient().get("/api/v1/jobs/")
    assert refused.status_code == 401
    assert_security_headers(refused, hsts=False)


# ---------------------------------------------------------------------------------------------------- CFG-03
@pytest.mark.urls(__name__)
def test_a_forced_exception_on_a_page_is_a_generic_page_with_the_request_id(reference, caplog):
    response = Client(raise_request_exception=False).get("/boom/", HTTP_X_REQUEST_ID="req77")
    assert response.status_code == 500
    text = response.content.decode()
    assert "服务器内部错误" in text and "req77" in text
    for leak in (SECRET, "Traceback", "RuntimeError", 'File "', "SECRET_KEY", "DATABASES"):
        assert leak not in text
    assert SECRET in caplog.text  # logged for the operators


@pytest.mark.urls(__name__)
def test_a_forced_exception_in_the_api_is_generic_json_with_the_request_id(reference):
    response = Client(raise_request_exception=False).get("/api/v1/boom/", HTTP_X_REQUEST_ID="req78")
    assert response.status_code == 500 and response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == "server_error" and "req78" in body["message"]
    assert SECRET not in response.content.decode() and "Traceback" not in response.content.decode()


# ---------------------------------------------------------------------------------------------------- CFG-05
EVIL = "https://evil.example.com"


@pytest.mark.parametrize("path", ["/api/v1/jobs/", "/api/v1/enterprises/", "/accounts/login/", "/public/"])
def test_cors_from_an_unlisted_origin_gets_no_allow_origin(api_client, staff_a, path):
    preflight = api_client.options(
        path, HTTP_ORIGIN=EVIL, HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST", HTTP_ACCESS_CONTROL_REQUEST_HEADERS="x"
    )
    api_client.force_login(staff_a)  # with credentials (the session cookie)
    actual = api_client.get(path, HTTP_ORIGIN=EVIL)
    for response in (preflight, actual):
        assert response.status_code < 500
        cors = {k for k in response.headers if k.lower().startswith("access-control-")}
        assert cors == set(), (path, cors)


def test_no_cors_machinery_is_installed():
    """Same-origin only: no integrator runs in a browser. Adding django-cors-headers must come with an allowlist."""
    from django.conf import settings

    assert not any("cors" in m.lower() for m in settings.MIDDLEWARE)
    assert not any(name.startswith("CORS_") for name in dir(settings))


# ---------------------------------------------------------------------------------------------------- production
PROBE = r"""
import json, sys
import django
from django.conf import settings
django.setup()
from django.db import connections
from django.test import Client
from django.test.utils import override_settings, setup_test_environment

setup_test_environment()  # the test client's response capture; settings stay the production ones
connections["default"].settings_dict["ATOMIC_REQUESTS"] = False  # no database listens (see the test module)
out = {"debug": settings.DEBUG}
with override_settings(ROOT_URLCONF="tests.common.test_security_config"):
    client = Client(raise_request_exception=False, HTTP_HOST="shipin.example.gov.cn")
    https = {"secure": True, "HTTP_X_FORWARDED_PROTO": "https"}
    calls = {
        "page": client.get("/plain/", **https),
        "api": client.get("/api/v1/jobs/", **https),
        "boom": client.get("/boom/", HTTP_X_REQUEST_ID="prod500", **https),
        "boom_api": client.get("/api/v1/boom/", HTTP_X_REQUEST_ID="prod501", **https),
        "http": client.get("/plain/"),
        "preflight": client.options(
            "/api/v1/jobs/", HTTP_ORIGIN="https://evil.example.com", HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST", **https
        ),
        "cors_get": client.get("/api/v1/jobs/", HTTP_ORIGIN="https://evil.example.com", **https),
    }
    for name, r in calls.items():
        out[name] = {"status": r.status_code, "headers": dict(r.headers), "body": r.content.decode("utf-8", "replace")}
print("PROBE" + json.dumps(out))
"""


@pytest.fixture(scope="module")
def production():
    result = run_python(["-c", PROBE], {**SAMPLE_ENV, "PYTHONPATH": "."})
    lines = [line for line in result.stdout.splitlines() if line.startswith("PROBE")]
    assert lines, result.stdout[-3000:] + result.stderr[-3000:]
    return json.loads(lines[-1][len("PROBE") :])


class _Answer:
    def __init__(self, data):
        self.status_code, self.headers, self.text = data["status"], data["headers"], data["body"]


def test_production_is_not_debug(production):
    assert production["debug"] is False


@pytest.mark.parametrize("name", ["page", "api"])
def test_production_sends_every_security_header_with_hsts(production, name):
    answer = _Answer(production[name])
    assert answer.status_code == (200 if name == "page" else 401)
    assert_security_headers(answer, hsts=True)


def test_production_redirects_plain_http_to_https(production):
    answer = _Answer(production["http"])
    assert answer.status_code == 301 and answer.headers["Location"].startswith("https://shipin.example.gov.cn/")


def test_production_500_page_is_generic_with_the_request_id(production):
    answer = _Answer(production["boom"])
    assert answer.status_code == 500 and answer.headers["Content-Type"].startswith("text/html")
    assert "服务器内部错误" in answer.text and "prod500" in answer.text
    for leak in (SECRET, "Traceback", "RuntimeError", 'File "', SAMPLE_ENV["DJANGO_SECRET_KEY"], "postgres://"):
        assert leak not in answer.text


def test_production_500_json_is_generic_with_the_request_id(production):
    answer = _Answer(production["boom_api"])
    assert answer.status_code == 500 and answer.headers["Content-Type"].startswith("application/json")
    body = json.loads(answer.text)
    assert body["code"] == "server_error" and "prod501" in body["message"]
    assert SECRET not in answer.text and "Traceback" not in answer.text


@pytest.mark.parametrize("name", ["preflight", "cors_get"])
def test_production_cors_from_an_unlisted_origin_gets_no_allow_origin(production, name):
    answer = _Answer(production[name])
    assert answer.status_code < 500
    assert not [k for k in answer.headers if k.lower().startswith("access-control-")]
