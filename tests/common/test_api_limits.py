"""Resource limits and content types of the API (SECURITY.md API-04, API-08), on every endpoint they concern.

- page size capped at 100 on every list;
- a body over DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB) → 413 ``request_too_large`` before anything reads it, on every
  write endpoint, signed in or not;
- more than DATA_UPLOAD_MAX_NUMBER_FIELDS (1,000) JSON members → 400 ``json_too_many_fields`` (depth: see
  test_api_hostile_input.py);
- forms with 2,000 fields or 150 files (pages) → 400, never a 500;
- a write body that is not JSON, or has no Content-Type → 415 on every write endpoint, before the row is looked up.
"""

import json

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from apps.common.models import Job
from tests.helpers.scoped_api import api_routes

pytestmark = pytest.mark.django_db

LIMIT = settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def _schema():
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator(patterns=None).get_schema(request=None, public=True)


def _fill(path: str) -> str:
    return path.replace("{id}", "1").replace("{code}", "xiashi").replace("{sample}", "1")


def write_operations():
    """(METHOD, path) of every write operation in the OpenAPI schema, path parameters filled in."""
    ops = []
    for path, operations in _schema()["paths"].items():
        for method in operations:
            if method in ("post", "put", "patch", "delete"):
                ops.append((method.upper(), _fill(path)))
    return sorted(ops)


# Every write endpoint of the API (kept in step with the schema by test_the_list_is_every_write_endpoint).
WRITES = [
    ("PATCH", "/api/v1/enterprises/1/"),
    ("PATCH", "/api/v1/inspections/results/1/"),
    ("POST", "/api/v1/enterprises/"),
    ("POST", "/api/v1/enterprises/1/deactivate/"),
    ("POST", "/api/v1/enterprises/1/reactivate/"),
    ("POST", "/api/v1/inspections/plans/1/draw/"),
    ("POST", "/api/v1/inspections/plans/1/public-value/"),
    ("POST", "/api/v1/inspections/results/"),
    ("POST", "/api/v1/inspections/results/1/correct/"),
    ("POST", "/api/v1/inspections/results/1/finalise/"),
    ("POST", "/api/v1/jobs/"),
    ("POST", "/api/v1/sampling/samples/1/results/"),
    ("PUT", "/api/v1/enterprises/1/"),
]


def _error(response, status, code):
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"code", "message", "fields"} and body["code"] == code, body
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["message"]), body
    return body


@pytest.fixture
def city(city_staff):
    client = APIClient()
    client.force_authenticate(city_staff)
    return client


def test_the_list_is_every_write_endpoint():
    assert write_operations() == WRITES


# ---------------------------------------------------------------------------------------------------- page size
LISTS = sorted(
    route.sample_path() for route in api_routes("api/v1/") if not route.params and (route.name or "").endswith("-list")
)


@pytest.mark.parametrize("path", LISTS)
def test_page_size_is_capped_at_100_on_every_list(city, path):
    from django.urls import resolve

    response = city.get(path, {"page_size": 1_000_000})
    if resolve(path).func.cls.pagination_class is None:  # an unpaginated list: bounded by its own declared limit
        assert response.status_code == 400 and "page_size" in response.json()["fields"]
        limit = next(p for p in _schema()["paths"][path]["get"]["parameters"] if p["name"] == "limit")["schema"]
        limit = limit.get("anyOf", [limit])[0]
        assert limit["type"] == "integer" and limit["maximum"] <= 500
        assert city.get(path, {"limit": 501}).status_code == 400
        return
    assert response.status_code == 200, response.content[:300]
    body = response.json()
    assert len(body["results"]) <= 100
    if body.get("next"):
        assert "page_size=1000000" in body["next"]


# ---------------------------------------------------------------------------------------------------- body size
@pytest.mark.parametrize(("method", "path"), WRITES)
@pytest.mark.parametrize("signed_in", [True, False], ids=["signed-in", "anonymous"])
def test_a_3mb_body_is_413_on_every_write_endpoint(city, method, path, signed_in):
    client = city if signed_in else APIClient()
    body = json.dumps({"name": "x" * (3 * 1024 * 1024)})
    response = client.generic(method, path, body, content_type="application/json")
    message = _error(response, 413, "request_too_large")["message"]
    assert "2.5 MB" in message


def test_nothing_is_written_by_a_refused_big_body(city):
    body = json.dumps({"kind": "common.selftest", "payload": {"steps": 1, "delay": 0}, "pad": "x" * LIMIT})
    _error(city.post("/api/v1/jobs/", body, content_type="application/json"), 413, "request_too_large")
    assert not Job.objects.exists()


def test_a_body_at_the_limit_is_read(city):
    core = json.dumps({"kind": "common.selftest", "payload": {"steps": 1, "delay": 0}})
    body = core + " " * (LIMIT - len(core))
    assert len(body) == LIMIT
    assert city.post("/api/v1/jobs/", body, content_type="application/json").status_code == 202
    assert Job.objects.count() == 1


def test_413_is_declared_on_every_operation():
    for path, operations in _schema()["paths"].items():
        for method, operation in operations.items():
            assert "413" in operation["responses"], (method, path)


# ---------------------------------------------------------------------------------------------------- JSON members
def test_more_than_1000_json_members_is_400(city):
    limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
    assert limit == 1000
    wide = json.dumps({f"k{i}": i for i in range(limit + 1)})
    _error(city.post("/api/v1/jobs/", wide, content_type="application/json"), 400, "json_too_many_fields")
    nested = json.dumps({"kind": "common.selftest", "payload": [{"a": 1, "b": 2} for _ in range(limit // 2)]})
    _error(city.post("/api/v1/jobs/", nested, content_type="application/json"), 400, "json_too_many_fields")
    at_limit = json.dumps({f"k{i}": i for i in range(limit)})
    body = _error(city.post("/api/v1/jobs/", at_limit, content_type="application/json"), 400, "invalid")
    assert body["fields"]["k0"] == ["不支持的字段"]  # read and judged by the serializer, not refused as too wide


# ---------------------------------------------------------------------------------------------------- forms (pages)
def _multipart(fields: int = 0, files: int = 0) -> tuple[bytes, str]:
    boundary = "hnboundary"
    parts = []
    for i in range(fields):
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="f{i}"\r\n\r\nv\r\n')
    for i in range(files):
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="file{i}"; filename="a{i}.txt"\r\n'
            "Content-Type: text/plain\r\n\r\nx\r\n"
        )
    parts.append(f"--{boundary}--\r\n")
    return "".join(parts).encode(), f"multipart/form-data; boundary={boundary}"


def test_2000_form_fields_on_a_page_are_400_not_500(client, reference):
    body = "&".join(f"f{i}=v" for i in range(2000))
    response = client.generic("POST", "/accounts/login/", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert "字段或文件过多（最多 1,000 个字段、100 个文件）" in response.content.decode()


def test_150_files_on_a_page_are_400_not_500(client, reference):
    body, content_type = _multipart(files=150)
    response = client.generic("POST", "/accounts/login/", body, content_type=content_type)
    assert response.status_code == 400
    assert "字段或文件过多" in response.content.decode()


def test_2000_multipart_fields_are_400_not_500(client, reference):
    body, content_type = _multipart(fields=2000)
    assert client.generic("POST", "/accounts/login/", body, content_type=content_type).status_code == 400


def test_a_3mb_form_on_a_page_is_413_not_500(client, reference):
    body = "username=a&password=" + "x" * (3 * 1024 * 1024)
    response = client.generic("POST", "/accounts/login/", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert "提交的内容过大（表单文字部分最大 2.5 MB）" in response.content.decode()


def test_within_the_form_limits_a_page_answers_normally(client, reference):
    body, content_type = _multipart(fields=10, files=3)
    assert client.generic("POST", "/accounts/login/", body, content_type=content_type).status_code == 200


# ---------------------------------------------------------------------------------------------------- content types
NOT_JSON = [
    ("text/plain", b'{"kind": "common.selftest"}'),
    ("application/x-www-form-urlencoded", b"kind=common.selftest"),
    ("multipart/form-data; boundary=hnboundary", b"--hnboundary--\r\n"),
    ("application/xml", b"<job kind='common.selftest'/>"),
    ("", b'{"kind": "common.selftest"}'),  # no Content-Type at all
]


@pytest.mark.parametrize(("method", "path"), WRITES)
def test_a_body_that_is_not_json_is_415_on_every_write_endpoint(city, method, path):
    for content_type, body in NOT_JSON:
        response = city.generic(method, path, body, content_type=content_type)
        message = _error(response, 415, "unsupported_media_type")["message"]
        assert "application/json" in message
        if content_type:
            assert content_type.split(";")[0] in message
        else:
            assert "Content-Type" in message


@pytest.mark.parametrize(("method", "path"), WRITES)
def test_415_comes_before_authentication(method, path, reference):
    _error(APIClient().generic(method, path, b"a=1", content_type="text/plain"), 415, "unsupported_media_type")


def test_json_with_a_charset_is_accepted(city):
    body = json.dumps({"kind": "common.selftest", "payload": {"steps": 1, "delay": 0}})
    assert city.post("/api/v1/jobs/", body, content_type="application/json; charset=utf-8").status_code == 202


def test_a_write_without_a_body_needs_no_content_type(city):
    """An action that takes no fields may be called with no body at all (DRF reads it as {})."""
    response = city.generic("POST", "/api/v1/jobs/", b"", content_type="")
    body = _error(response, 400, "invalid")  # judged by the serializer (kind is required), not refused as 415
    assert "kind" in body["fields"]


def test_415_is_declared_on_every_write():
    for path, operations in _schema()["paths"].items():
        for method, operation in operations.items():
            if method in ("post", "put", "patch", "delete"):
                assert "415" in operation["responses"], (method, path)
